package config_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/config"
)

const diffBase = `
redis: {url: "redis://127.0.0.1:6379"}
listeners: [{name: public}]
routes:
  - name: api
    match: {path_prefix: /api}
    cluster: backend
    policies:
      timeout: 2s
      retry: {max_attempts: 3, budget: {ratio: 0.2}, hedge: {delay: 10ms}}
      circuit_breaker: {failure_rate_threshold: 50}
      rate_limit: {key: {source: ip}, redis: {rate: 10}}
  - name: web
    cluster: backend
    policies:
      bulkhead: {max_concurrent: 10}
      rate_limit: {local: {rate: 100}}
clusters:
  - name: backend
    discovery: {static: ["127.0.0.1:9001", "127.0.0.1:9002"]}
`

func ids(s ...string) []config.PolicyID {
	var out []config.PolicyID
	for _, x := range s {
		r, k, _ := strings.Cut(x, "/")
		out = append(out, config.PolicyID{Route: r, Kind: config.PolicyKind(k)})
	}
	return out
}

func TestDiff(t *testing.T) {
	old := mustParse(t, diffBase)
	tests := []struct {
		name   string
		edit   func(string) string
		check  func(t *testing.T, c config.Changes)
		policy config.PolicyChanges
	}{
		{
			name: "nothing changed",
			edit: func(s string) string { return s },
			check: func(t *testing.T, c config.Changes) {
				if !c.Empty() {
					t.Errorf("Diff of equal configs is not Empty: %+v", c)
				}
			},
			policy: config.PolicyChanges{Unchanged: ids("api/circuit_breaker", "api/rate_limit", "api/retry", "api/retry.budget",
				"api/retry.hedge", "api/timeout", "web/bulkhead", "web/rate_limit")},
		},
		{
			name: "breaker threshold changed",
			edit: func(s string) string {
				return strings.Replace(s, "failure_rate_threshold: 50", "failure_rate_threshold: 60", 1)
			},
			check: func(t *testing.T, c config.Changes) {
				if !reflect.DeepEqual(c.Routes.Changed, []string{"api"}) || !reflect.DeepEqual(c.Routes.Unchanged, []string{"web"}) {
					t.Errorf("Routes = %+v want api changed, web unchanged", c.Routes)
				}
				if c.Keep("api", config.KindCircuitBreaker) || !c.Keep("api", config.KindRetry) {
					t.Errorf("Keep(api, breaker) = true or Keep(api, retry) = false")
				}
			},
			policy: config.PolicyChanges{Changed: ids("api/circuit_breaker"), Unchanged: ids("api/rate_limit", "api/retry",
				"api/retry.budget", "api/retry.hedge", "api/timeout", "web/bulkhead", "web/rate_limit")},
		},
		{
			name: "hedge changed, retry and budget kept",
			edit: func(s string) string { return strings.Replace(s, "delay: 10ms", "delay: 20ms", 1) },
			policy: config.PolicyChanges{Changed: ids("api/retry.hedge"), Unchanged: ids("api/circuit_breaker", "api/rate_limit",
				"api/retry", "api/retry.budget", "api/timeout", "web/bulkhead", "web/rate_limit")},
		},
		{
			name: "endpoints changed: the cluster, not the policies",
			edit: func(s string) string { return strings.Replace(s, `, "127.0.0.1:9002"`, "", 1) },
			check: func(t *testing.T, c config.Changes) {
				if !reflect.DeepEqual(c.Clusters.Changed, []string{"backend"}) || len(c.Routes.Changed) != 0 {
					t.Errorf("Clusters = %+v, Routes = %+v; want backend changed, no route changed", c.Clusters, c.Routes)
				}
			},
			policy: config.PolicyChanges{Unchanged: ids("api/circuit_breaker", "api/rate_limit", "api/retry", "api/retry.budget",
				"api/retry.hedge", "api/timeout", "web/bulkhead", "web/rate_limit")},
		},
		{
			name: "redis moved: the redis rate limit is rebuilt",
			edit: func(s string) string { return strings.Replace(s, "127.0.0.1:6379", "127.0.0.1:6380", 1) },
			check: func(t *testing.T, c config.Changes) {
				if !c.Redis || c.Empty() {
					t.Errorf("Redis = false or Empty")
				}
			},
			policy: config.PolicyChanges{Changed: ids("api/rate_limit"), Unchanged: ids("api/circuit_breaker", "api/retry",
				"api/retry.budget", "api/retry.hedge", "api/timeout", "web/bulkhead", "web/rate_limit")},
		},
		{
			name: "route removed, policy added and removed",
			edit: func(s string) string {
				s = strings.Replace(s, "      bulkhead: {max_concurrent: 10}\n", "      adaptive: {}\n", 1)
				return s[:strings.Index(s, "  - name: api")] + s[strings.Index(s, "  - name: web"):]
			},
			check: func(t *testing.T, c config.Changes) {
				if !reflect.DeepEqual(c.Routes.Removed, []string{"api"}) {
					t.Errorf("Routes.Removed = %v want [api]", c.Routes.Removed)
				}
			},
			policy: config.PolicyChanges{
				Added:     ids("web/adaptive"),
				Removed:   ids("api/circuit_breaker", "api/rate_limit", "api/retry", "api/retry.budget", "api/retry.hedge", "api/timeout", "web/bulkhead"),
				Unchanged: ids("web/rate_limit"),
			},
		},
		{
			name: "routes reordered",
			edit: func(s string) string {
				i, j, k := strings.Index(s, "  - name: api"), strings.Index(s, "  - name: web"), strings.Index(s, "clusters:")
				return s[:i] + s[j:k] + s[i:j] + s[k:]
			},
			check: func(t *testing.T, c config.Changes) {
				if !c.RoutesReordered || c.Empty() {
					t.Errorf("RoutesReordered = false or Empty")
				}
			},
			policy: config.PolicyChanges{Unchanged: ids("api/circuit_breaker", "api/rate_limit", "api/retry", "api/retry.budget",
				"api/retry.hedge", "api/timeout", "web/bulkhead", "web/rate_limit")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Diff(old, mustParse(t, tt.edit(diffBase)))
			if !reflect.DeepEqual(c.Policies, tt.policy) {
				t.Errorf("Diff policies = %+v\nwant %+v", c.Policies, tt.policy)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestDiffFromNothing(t *testing.T) {
	c := config.Diff(nil, mustParse(t, diffBase))
	if !reflect.DeepEqual(c.Routes.Added, []string{"api", "web"}) || len(c.Policies.Added) != 8 || len(c.Policies.Unchanged) != 0 {
		t.Errorf("Diff(nil, c) = %+v, want everything added", c)
	}
	if got := (config.PolicyID{Route: "api", Kind: config.KindRetryBudget}).String(); got != "api/retry.budget" {
		t.Errorf("PolicyID.String() = %q", got)
	}
}
