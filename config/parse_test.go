package config_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/hedge"
	"github.com/resilience-go/resilience/retry"
)

// mustParse parses a file that must be valid.
func mustParse(t *testing.T, yaml string) *config.Config {
	t.Helper()
	c, err := config.Parse("t.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("Parse:\n%v", err)
	}
	return c
}

// withPolicies is a valid file whose one route "api" has the given
// policies block (indented by six spaces).
func withPolicies(policies string) string {
	return base + policies
}

func TestParseDecodesOntoDefaults(t *testing.T) {
	cbWith := func(f func(*circuitbreaker.Config)) *circuitbreaker.Config {
		c := circuitbreaker.DefaultConfig()
		f(&c)
		return &c
	}
	tests := []struct {
		name   string
		policy string
		got    func(*config.Policies) any
		want   any
	}{
		{"empty block is DefaultConfig", "      circuit_breaker: {}\n",
			func(p *config.Policies) any { return p.CircuitBreaker },
			cbWith(func(*circuitbreaker.Config) {})},
		{"explicit zero wins over the default", "      circuit_breaker: {failure_rate_threshold: 0, consecutive_failures: 3}\n",
			func(p *config.Policies) any { return p.CircuitBreaker },
			cbWith(func(c *circuitbreaker.Config) { c.FailureRateThreshold, c.ConsecutiveFailures = 0, 3 })},
		{"text-unmarshaled enums", "      circuit_breaker: {mode: adaptive, window_type: time, window_duration: 1m30s}\n",
			func(p *config.Policies) any { return p.CircuitBreaker },
			cbWith(func(c *circuitbreaker.Config) {
				c.Mode, c.WindowType, c.WindowDuration = circuitbreaker.ModeAdaptive, circuitbreaker.WindowTime, 90*time.Second
			})},
		{"null is not written", "      circuit_breaker: ~\n",
			func(p *config.Policies) any { return p.CircuitBreaker },
			(*circuitbreaker.Config)(nil)},
		{"retry defaults and statuses", "      retry: {max_attempts: 5}\n",
			func(p *config.Policies) any { return p.Retry },
			&config.RetryPolicy{Config: retry.Config{MaxAttempts: 5, Backoff: retry.DefaultBackoffConfig()}, RetryOnStatus: []int{502, 503, 504}}},
		{"backoff max derived from initial when not written", "      retry: {backoff: {initial: 30s}}\n",
			func(p *config.Policies) any { return p.Retry.Backoff },
			retry.BackoffConfig{Kind: retry.BackoffFullJitter, Initial: 30 * time.Second, Multiplier: 2}},
		{"a fixed hedge delay drops the default percentile", "      retry: {hedge: {delay: 20ms}}\n",
			func(p *config.Policies) any { return p.Retry.Hedge },
			&hedge.Config{Delay: 20 * time.Millisecond, MinDelay: time.Millisecond, Window: hedge.DefaultWindow, MaxHedges: 1}},
		{"budget block", "      retry: {budget: {ratio: 0.5}}\n",
			func(p *config.Policies) any { return p.Retry.Budget },
			&retry.BudgetConfig{Ratio: 0.5, MinPerSecond: retry.DefaultBudgetMinPerSecond, Window: retry.DefaultBudgetWindow}},
		{"timeout shorthand", "      timeout: 250ms\n",
			func(p *config.Policies) any { return p.Timeout.Timeout },
			250 * time.Millisecond},
		{"static fallback status default", "      fallback: {static: {body: sorry}}\n",
			func(p *config.Policies) any { return *p.Fallback.Static },
			config.StaticResponse{Status: 503, Body: "sorry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, withPolicies(tt.policy))
			if got := tt.got(&c.Routes[0].Policies); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) = %+v want %+v", tt.policy, got, tt.want)
			}
		})
	}
}

func TestParseFillsProxyDefaults(t *testing.T) {
	c := mustParse(t, `
listeners: [{name: a}]
routes: [{name: r, cluster: c}]
clusters: [{name: c, discovery: {static: ["127.0.0.1:1"]}, load_balancing: peak_ewma}]
admin: {dashboard: false}
`)
	wantListener := config.Listener{
		Name: "a", Address: config.DefaultListenAddress, Protocols: []string{"http1"},
		Timeouts:       config.ServerTimeouts{ReadHeader: config.DefaultReadHeaderTimeout, Idle: config.DefaultIdleTimeout},
		MaxHeaderBytes: config.DefaultMaxHeaderBytes,
	}
	if !reflect.DeepEqual(c.Listeners[0], wantListener) {
		t.Errorf("listener = %+v want %+v", c.Listeners[0], wantListener)
	}
	if want := (config.Admin{Enabled: true, Address: config.DefaultAdminAddress}); c.Admin != want {
		t.Errorf("admin = %+v want %+v", c.Admin, want)
	}
	if got := c.Routes[0].Match.PathPrefix; got != "/" {
		t.Errorf("path_prefix = %q want /", got)
	}
	cl := c.Clusters[0]
	if cl.Discovery.Static.Service != "c" {
		t.Errorf("static service = %q want the cluster name c", cl.Discovery.Static.Service)
	}
	if cl.LoadBalancing.Policy != config.LBPeakEWMA {
		t.Errorf("load_balancing shorthand: policy = %q want peak_ewma", cl.LoadBalancing.Policy)
	}
	if cl.Upstream.DialTimeout != 5*time.Second || cl.Upstream.MaxIdleConnsPerHost != 0 || cl.Upstream.MaxConnsPerHost != config.DefaultMaxConnsPerHost {
		t.Errorf("upstream = %+v want the defaults", cl.Upstream)
	}
}

func TestParseAnchorsMergeKeysAndExtensions(t *testing.T) {
	c := mustParse(t, `
x-listener: &l {name: a, address: "127.0.0.1:9000", protocols: [h2c]}
listeners:
  - *l
  - {<<: *l, name: b, address: "127.0.0.1:9001"}
routes: [{name: r, cluster: c}]
clusters: [{name: c, discovery: {static: ["127.0.0.1:1"]}}]
`)
	b := c.Listener("b")
	if b == nil || b.Address != "127.0.0.1:9001" || !reflect.DeepEqual(b.Protocols, []string{"h2c"}) {
		t.Errorf("merged listener b = %+v want address 127.0.0.1:9001 and protocols [h2c]", b)
	}
	if a := c.Listener("a"); a == nil || a.Address != "127.0.0.1:9000" {
		t.Errorf("aliased listener a = %+v", a)
	}
}

func TestParseFileLevelErrors(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"empty file", "", []string{
			"f.yaml: listeners: at least one listener is required",
			"f.yaml: routes: at least one route is required",
		}},
		{"only comments", "# nothing\n", []string{
			"f.yaml: listeners: at least one listener is required",
			"f.yaml: routes: at least one route is required",
		}},
		{"syntax", "listeners: [{name: a}\n", []string{"f.yaml:1: invalid YAML: did not find expected ',' or ']'"}},
		{"two documents", "listeners: []\n---\nroutes: []\n", []string{"f.yaml:3:1: a second YAML document: the file must hold exactly one"}},
		{"not a mapping", "- a\n", []string{"f.yaml:1:1: expected a mapping of listeners, routes, clusters, admin and redis, got a list"}},
		{"too large", strings.Repeat("#", config.MaxFileSize+1), []string{"f.yaml: file is larger than 4194304 bytes"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse("f.yaml", []byte(tt.yaml))
			if err == nil {
				t.Fatalf("Parse(%q) = nil error", tt.yaml)
			}
			if got := strings.Split(err.Error(), "\n"); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) errors:\n%s\nwant:\n%s", tt.name, err, strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestYAMLRoundTrip(t *testing.T) {
	c := mustParse(t, withPolicies(`      timeout: 2s
      retry: {max_attempts: 3, budget: {}, hedge: {delay: 5ms}}
      circuit_breaker: {mode: adaptive}
      rate_limit: {key: {source: ip}, keyed: {rate: 3}}
      adaptive: {algorithm: vegas}
      fallback: {stale_cache: {}, static: {headers: {X-A: b}, body: "multi\nline\n"}}
      chaos: {faults: [{kind: latency, latency: 1ms}]}
      deadline: {}
`))
	y, err := c.YAML()
	if err != nil {
		t.Fatalf("YAML: %v", err)
	}
	back, err := config.Parse("back.yaml", y)
	if err != nil {
		t.Fatalf("Parse(YAML()):\n%v\n%s", err, y)
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("Parse(YAML()) differs from the original:\n%s", y)
	}
	j, err := c.JSON()
	if err != nil {
		t.Fatalf("JSON: %v", err)
	}
	for _, want := range []string{`"listeners": [`, `"timeout": "2s"`, `"mode": "adaptive"`, `"body": "multi\nline\n"`} {
		if !strings.Contains(string(j), want) {
			t.Errorf("JSON lacks %s:\n%s", want, j)
		}
	}
	if !strings.HasPrefix(string(j), "{\n  \"listeners\"") {
		t.Errorf("JSON does not keep the schema's key order:\n%.80s", j)
	}
}
