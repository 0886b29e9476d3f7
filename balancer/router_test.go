package balancer_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/resilience-go/resilience/balancer"
)

// versioned returns endpoints s0..s(stable-1) with version=v1 and
// c0..c(canary-1) with version=v2.
func versioned(stable, canary int) []balancer.Endpoint {
	var eps []balancer.Endpoint
	for i := range stable {
		eps = append(eps, balancer.Endpoint{ID: fmt.Sprintf("s%d", i), Addr: fmt.Sprintf("10.0.1.%d:80", i), Metadata: map[string]string{"version": "v1"}})
	}
	for i := range canary {
		eps = append(eps, balancer.Endpoint{ID: fmt.Sprintf("c%d", i), Addr: fmt.Sprintf("10.0.2.%d:80", i), Metadata: map[string]string{"version": "v2"}})
	}
	return eps
}

func canaryConfig(percent float64) balancer.Config {
	return balancer.Config{
		Rules:         []balancer.Rule{{Name: "canary", Percent: percent, Subset: map[string]string{"version": "v2"}}},
		DefaultSubset: map[string]string{"version": "v1"},
	}
}

func TestCanaryPercentage(t *testing.T) {
	const keys = 100000
	for _, percent := range []float64{1, 5, 25, 50, 99, 100} {
		t.Run(fmt.Sprint(percent), func(t *testing.T) {
			b := mustNew(t, canaryConfig(percent), versioned(3, 2))
			canary := 0
			for i := range keys {
				if pickID(t, b, fmt.Sprintf("user-%d", i))[0] == 'c' {
					canary++
				}
			}
			got := 100 * float64(canary) / keys
			if math.Abs(got-percent) > 2 {
				t.Fatalf("%.2f%% of keys on the canary want %v%% ± 2", got, percent)
			}
		})
	}
}

func TestCanaryIsStablePerKeyAndMonotone(t *testing.T) {
	b := mustNew(t, canaryConfig(5), versioned(3, 2))
	inCanary := map[string]bool{}
	for i := range 5000 {
		key := fmt.Sprintf("user-%d", i)
		inCanary[key] = pickID(t, b, key)[0] == 'c'
		for range 3 {
			if got := pickID(t, b, key)[0] == 'c'; got != inCanary[key] {
				t.Fatalf("key %s switched sides", key)
			}
		}
	}
	// Ramping up to 20% keeps every key that was on the canary there.
	wider := mustNew(t, canaryConfig(20), versioned(3, 2))
	for key, was := range inCanary {
		if was && pickID(t, wider, key)[0] != 'c' {
			t.Fatalf("key %s left the canary when Percent rose from 5 to 20", key)
		}
	}
}

func TestCanaryWithoutKeyIsRandom(t *testing.T) {
	b := mustNew(t, func() balancer.Config { c := canaryConfig(30); c.Seed = 9; return c }(), versioned(3, 2))
	canary := 0
	for range 20000 {
		if pickID(t, b, "")[0] == 'c' {
			canary++
		}
	}
	if got := float64(canary) / 200; math.Abs(got-30) > 2 {
		t.Fatalf("%.2f%% of keyless calls on the canary want 30%% ± 2", got)
	}
}

func TestHeaderRulesWithPriorities(t *testing.T) {
	eps := []balancer.Endpoint{
		{ID: "v1", Addr: "a:1", Metadata: map[string]string{"version": "v1"}},
		{ID: "v2", Addr: "a:2", Metadata: map[string]string{"version": "v2"}},
		{ID: "v3", Addr: "a:3", Metadata: map[string]string{"version": "v3", "track": "beta"}},
	}
	cfg := balancer.Config{
		// Declared out of priority order on purpose.
		Rules: []balancer.Rule{
			{Name: "admins", Priority: 1, Match: []balancer.Match{{Header: "x-user", Regexp: `^admin-\d+$`}}, Subset: map[string]string{"version": "v2"}},
			{Name: "beta", Priority: 10, Match: []balancer.Match{{Header: "x-group", Equals: "beta"}}, Subset: map[string]string{"track": "beta"}},
			{Name: "ios", Priority: 5, Match: []balancer.Match{{Header: "x-client", Prefix: "ios-"}}, Subset: map[string]string{"version": "v2"}},
			{Name: "ios-beta", Priority: 5, Match: []balancer.Match{{Header: "x-client", Prefix: "ios-"}, {Header: "x-group", Equals: "beta"}}, Subset: map[string]string{"version": "v3"}},
		},
		DefaultSubset: map[string]string{"version": "v1"},
	}
	b := mustNew(t, cfg, eps)
	tests := []struct {
		name    string
		headers balancer.Headers
		want    string
	}{
		{"no-headers", nil, "v1"},
		{"unrelated", balancer.MapHeaders{"x-other": "1"}, "v1"},
		{"regexp", balancer.MapHeaders{"x-user": "admin-42"}, "v2"},
		{"regexp-no-match", balancer.MapHeaders{"x-user": "admin-42x"}, "v1"},
		{"prefix", balancer.MapHeaders{"x-client": "ios-17.2"}, "v2"},
		{"prefix-no-match", balancer.MapHeaders{"x-client": "android-14"}, "v1"},
		{"equals", balancer.MapHeaders{"x-group": "beta"}, "v3"},
		{"equals-case-of-name", balancer.MapHeaders{"X-Group": "beta"}, "v3"},
		{"equals-case-of-value", balancer.MapHeaders{"x-group": "Beta"}, "v1"},
		{"priority-beats-order", balancer.MapHeaders{"x-user": "admin-1", "x-group": "beta"}, "v3"},
		{"priority-beats-order-2", balancer.MapHeaders{"x-user": "admin-1", "x-client": "ios-1"}, "v2"},
		{"http-header", http.Header{"X-Client": {"ios-1"}}, "v2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.headers != nil {
				ctx = balancer.WithHeaders(ctx, tt.headers)
			}
			p := pick(t, b, ctx, "")
			p.Done(nil, 0)
			if p.ID() != tt.want {
				t.Fatalf("Pick(headers %v) = %s want %s", tt.headers, p.ID(), tt.want)
			}
		})
	}
}

// downProber fails the probes of the endpoints marked down.
type downProber struct {
	down  map[string]bool
	calls map[string]int
}

func newDownProber() *downProber {
	return &downProber{down: map[string]bool{}, calls: map[string]int{}}
}

// Probe runs inside the manual clock's Advance, on the test's goroutine.
func (d *downProber) Probe(_ context.Context, e balancer.Endpoint) error {
	d.calls[e.ID]++
	if d.down[e.ID] {
		return errBoom
	}
	return nil
}

func hcConfig(p balancer.Prober) balancer.HealthCheckConfig {
	return balancer.HealthCheckConfig{Prober: p, Interval: time.Second, HealthyThreshold: 1, UnhealthyThreshold: 1}
}

func TestRuleFallsThroughWhenSubsetIsDown(t *testing.T) {
	clk := manual()
	probe := newDownProber()
	cfg := canaryConfig(100)
	cfg.Clock = clk
	cfg.HealthCheck = hcConfig(probe)
	b := mustNew(t, cfg, versioned(1, 1))
	if got := pickID(t, b, "u"); got != "c0" {
		t.Fatalf("Pick() = %s want the canary c0", got)
	}
	probe.down["c0"] = true
	clk.Advance(time.Second)
	if got := pickID(t, b, "u"); got != "s0" {
		t.Fatalf("with the canary down Pick() = %s want the stable s0", got)
	}
}

func TestZoneSpillOver(t *testing.T) {
	eps := endpoints(8)
	for i := range eps {
		eps[i].Zone = "a"
		if i >= 4 {
			eps[i].Zone = "b"
		}
	}
	tests := []struct {
		name  string
		share float64
		down  []string
		want  map[string]bool // endpoints that may be picked
	}{
		{"all-up-stays-local", 0.5, nil, set("e0", "e1", "e2", "e3")},
		{"half-local-stays", 0.5, []string{"e0", "e1"}, set("e2", "e3")},
		{"below-share-spills", 0.5, []string{"e0", "e1", "e2"}, set("e3", "e4", "e5", "e6", "e7")},
		{"default-share-0.7-spills", 0, []string{"e0", "e1"}, set("e2", "e3", "e4", "e5", "e6", "e7")},
		{"default-share-0.7-stays", 0, []string{"e0"}, set("e1", "e2", "e3")},
		{"remote-down-irrelevant", 0.5, []string{"e4", "e5", "e6", "e7"}, set("e0", "e1", "e2", "e3")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := manual()
			probe := newDownProber()
			for _, id := range tt.down {
				probe.down[id] = true
			}
			cfg := balancer.Config{Clock: clk, Zone: balancer.ZoneConfig{Local: "a", MinHealthyShare: tt.share}, HealthCheck: hcConfig(probe)}
			b := mustNew(t, cfg, eps)
			clk.Advance(time.Second)
			seen := map[string]bool{}
			for range 100 {
				seen[pickID(t, b, "")] = true
			}
			if fmt.Sprint(seen) != fmt.Sprint(tt.want) {
				t.Fatalf("picked %v want %v", keys(seen), keys(tt.want))
			}
		})
	}
}

func set(ids ...string) map[string]bool {
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func keys(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }
