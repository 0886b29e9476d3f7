package config_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/config"
)

func exampleFiles(t testing.TB) []string {
	files, err := filepath.Glob("../examples/*.yaml")
	if err != nil || len(files) < 14 {
		t.Fatalf("examples: %v, %d files", err, len(files))
	}
	return files
}

// TestExamples loads every example, checks that it round-trips through
// YAML, and that the README lists exactly the examples there are.
func TestExamples(t *testing.T) {
	readme, err := os.ReadFile("../examples/README.md")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, line := range strings.Split(string(readme), "\n") {
		if rest, ok := strings.CutPrefix(line, "| ["); ok {
			name, _, _ := strings.Cut(rest, "]")
			listed[name] = true
		}
	}
	for _, f := range exampleFiles(t) {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			c, err := config.Load(f)
			if err != nil {
				t.Fatalf("Load:\n%v", err)
			}
			data, _ := os.ReadFile(f)
			if !strings.HasPrefix(string(data), "# "+name+": ") {
				t.Errorf("%s does not open with a comment saying what it shows", name)
			}
			y, err := c.YAML()
			if err != nil {
				t.Fatal(err)
			}
			back, err := config.Parse(name, y)
			if err != nil || !reflect.DeepEqual(back, c) {
				t.Errorf("%s does not round-trip through YAML: %v", name, err)
			}
			if !listed[name] {
				t.Errorf("examples/README.md does not list %s", name)
			}
			delete(listed, name)
		})
	}
	for name := range listed {
		t.Errorf("examples/README.md lists %s, which does not exist", name)
	}
}

// TestExamplesCoverTheRequiredFeatures names the files the feature list
// asks for.
func TestExamplesCoverTheRequiredFeatures(t *testing.T) {
	for _, name := range []string{"minimal", "circuit-breaker", "retry-budget-hedge", "rate-limit-local",
		"rate-limit-redis", "bulkhead-adaptive", "fallback", "chaos", "discovery-file", "discovery-dns",
		"discovery-etcd", "load-balancing", "health-outlier", "admin"} {
		if _, err := os.Stat("../examples/" + name + ".yaml"); err != nil {
			t.Errorf("missing example: %v", err)
		}
	}
}

func TestDemo(t *testing.T) {
	ups := []string{"127.0.0.1:41001", "127.0.0.1:41002", "127.0.0.1:41003"}
	c, err := config.Demo(config.DemoParams{Listen: "127.0.0.1:41000", Admin: "127.0.0.1:41099", Upstreams: ups})
	if err != nil {
		t.Fatalf("Demo:\n%v", err)
	}
	if c.Listeners[0].Address != "127.0.0.1:41000" || c.Admin.Address != "127.0.0.1:41099" {
		t.Errorf("addresses = %s, %s", c.Listeners[0].Address, c.Admin.Address)
	}
	cl := c.Cluster("demo")
	if cl == nil || !reflect.DeepEqual(cl.Discovery.Static.Endpoints, ups) {
		t.Fatalf("cluster demo = %+v, want the three upstreams", cl)
	}
	r := c.Route("demo")
	if r == nil || r.Match.PathPrefix != "/" || r.Cluster != "demo" {
		t.Fatalf("route demo = %+v, want / to demo", r)
	}
	p := r.Policies
	if p.Timeout == nil || p.Retry == nil || p.Retry.Budget == nil || p.CircuitBreaker == nil || p.RateLimit == nil ||
		p.RateLimit.Local == nil || p.Bulkhead == nil || p.Fallback == nil || p.Fallback.StaleCache == nil || p.Chaos == nil {
		t.Errorf("demo policies = %+v, want timeout, retry with budget, breaker, local rate limit, bulkhead, stale cache, chaos", p)
	}
	if p.Chaos.Enabled || len(p.Chaos.Faults) == 0 {
		t.Errorf("chaos enabled = %v with %d faults; want faults ready but off", p.Chaos.Enabled, len(p.Chaos.Faults))
	}
	on, err := config.Demo(config.DemoParams{Chaos: true})
	if err != nil || !on.Route("demo").Policies.Chaos.Enabled || on.Listeners[0].Address != config.DefaultListenAddress {
		t.Errorf("Demo(Chaos: true) = chaos off or address not defaulted, err %v", err)
	}
	if _, err := config.Demo(config.DemoParams{Upstreams: []string{`bad"quote`}}); err == nil {
		t.Errorf("Demo with a bad upstream = nil error")
	}
}
