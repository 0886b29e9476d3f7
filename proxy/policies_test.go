package proxy

import (
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/deadline"
)

func TestBreakerOpensAndFallback(t *testing.T) {
	up := upstream(t, "a", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) })
	p := start(t, parse(t, base+`
routes:
  - name: all
    cluster: b
    policies:
      circuit_breaker: {failure_rate_threshold: 0, consecutive_failures: 2, open_duration: 1h}
      fallback:
        static: {status: 503, headers: {X-Fallback: "1"}, body: "sorry"}
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up)))
	for i := range 3 {
		code, body, h := get(t, "http://"+p.Addr()+"/")
		if code != 503 || body != "sorry" || h.Get("X-Fallback") != "1" {
			t.Fatalf("request %d = %d %q want fallback 503 %q", i, code, body, "sorry")
		}
	}
	rt := p.table.Load().routes[0]
	if s := rt.pol.breaker.State(); s != circuitbreaker.StateOpen {
		t.Fatalf("breaker state = %v want open", s)
	}
}

func TestProblemWithoutFallback(t *testing.T) {
	p := start(t, parse(t, base+`
routes: [{name: all, cluster: b}]
clusters: [{name: b, discovery: {static: ["127.0.0.1:1"]}}]
`))
	code, body, h := get(t, "http://"+p.Addr()+"/")
	if code != http.StatusBadGateway || !strings.Contains(h.Get("Content-Type"), "problem+json") {
		t.Fatalf("unreachable upstream = %d %q %q want 502 problem+json", code, h.Get("Content-Type"), body)
	}
}

func TestRetryIdempotentOnly(t *testing.T) {
	var calls atomic.Int32
	up := upstream(t, "a", func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1)%2 == 1 {
			w.WriteHeader(503)
			return
		}
		w.Write([]byte("ok"))
	})
	p := start(t, parse(t, base+`
routes:
  - name: all
    cluster: b
    policies:
      retry: {max_attempts: 2, backoff: {initial: 1ms, max: 2ms}}
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up)))
	code, body, _ := get(t, "http://"+p.Addr()+"/")
	if code != 200 || body != "ok" || calls.Load() != 2 {
		t.Fatalf("GET = %d %q after %d calls want 200 ok after 2", code, body, calls.Load())
	}
	calls.Store(0)
	req, _ := http.NewRequest("POST", "http://"+p.Addr()+"/", strings.NewReader("x"))
	code, _, _ = do(t, req)
	if code != 503 || calls.Load() != 1 {
		t.Fatalf("POST = %d after %d calls want 503 after 1 (no retry)", code, calls.Load())
	}
}

func TestRateLimit429(t *testing.T) {
	up := upstream(t, "a", nil)
	p := start(t, parse(t, base+`
routes:
  - name: all
    cluster: b
    policies:
      rate_limit: {local: {rate: 1, per: 1h, burst: 1}}
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up)))
	if code, _, _ := get(t, "http://"+p.Addr()+"/"); code != 200 {
		t.Fatalf("first GET = %d want 200", code)
	}
	code, _, h := get(t, "http://"+p.Addr()+"/")
	if code != 429 || h.Get("Retry-After") == "" || h.Get("RateLimit") == "" {
		t.Fatalf("second GET = %d Retry-After %q RateLimit %q want 429 with both", code, h.Get("Retry-After"), h.Get("RateLimit"))
	}
}

func TestBulkhead503(t *testing.T) {
	entered, release := make(chan struct{}, 1), make(chan struct{})
	up := upstream(t, "a", func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	})
	p := start(t, parse(t, base+`
routes:
  - name: all
    cluster: b
    policies:
      bulkhead: {max_concurrent: 1, max_wait: 0s}
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up)))
	done := make(chan int)
	go func() {
		resp, err := client.Get("http://" + p.Addr() + "/")
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	<-entered
	code, _, _ := get(t, "http://"+p.Addr()+"/")
	close(release)
	if code != 503 {
		t.Fatalf("second concurrent GET = %d want 503", code)
	}
	if c := <-done; c != 200 {
		t.Fatalf("first GET = %d want 200", c)
	}
}

func TestDeadlineClamp(t *testing.T) {
	var got atomic.Value
	up := upstream(t, "a", func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get(deadline.HeaderDeadlineMs))
	})
	p := start(t, parse(t, base+`
routes:
  - name: all
    cluster: b
    policies:
      deadline: {server: {max: 2s, default: 1s}}
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up)))
	code, _, _ := get(t, "http://"+p.Addr()+"/", deadline.HeaderDeadlineMs, "999999999")
	if code != 200 {
		t.Fatalf("GET = %d want 200", code)
	}
	v, _ := got.Load().(string)
	ms, err := strconv.Atoi(v)
	if err != nil || ms <= 0 || time.Duration(ms)*time.Millisecond > 2*time.Second {
		t.Fatalf("upstream deadline header = %q want in (0, 2000]", v)
	}
}

// TestDeadlineWithinRouteBound: a route whose per-try timeouts bound it
// handles requests whose budget is longer without a deadline context of
// its own; upstreams still get the tighter of the budget and the per-try
// timeout, and a short budget still wins.
func TestDeadlineWithinRouteBound(t *testing.T) {
	var got atomic.Value
	up := upstream(t, "a", func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Header.Get(deadline.HeaderDeadlineMs))
	})
	p := start(t, parse(t, base+`
routes:
  - name: all
    cluster: b
    policies:
      retry: {max_attempts: 2, per_try_timeout: 800ms, backoff: {initial: 1ms, max: 2ms}}
      deadline: {server: {max: 60s, default: 30s, min: 1ms}}
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up)))
	tests := []struct {
		name, budget string
		lo, hi       int // the upstream's header, in ms
	}{
		{"no budget: the per-try timeout", "", 1, 800},
		{"a long budget: the per-try timeout", "20000", 1, 800},
		{"a short budget wins", "300", 1, 300},
	}
	for _, tt := range tests {
		var hdr []string
		if tt.budget != "" {
			hdr = []string{deadline.HeaderDeadlineMs, tt.budget}
		}
		if code, _, _ := get(t, "http://"+p.Addr()+"/", hdr...); code != 200 {
			t.Fatalf("%s: GET = %d want 200", tt.name, code)
		}
		v, _ := got.Load().(string)
		if ms, err := strconv.Atoi(v); err != nil || ms < tt.lo || ms > tt.hi {
			t.Errorf("%s: upstream deadline header = %q want in [%d, %d]", tt.name, v, tt.lo, tt.hi)
		}
	}
}

func TestRetryBudgetSpent(t *testing.T) {
	var calls atomic.Int32
	up := upstream(t, "a", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(503)
	})
	p := start(t, parse(t, base+`
routes:
  - name: all
    cluster: b
    policies:
      retry:
        max_attempts: 3
        backoff: {initial: 1ms, max: 2ms}
        budget: {ratio: 0.01, min_per_second: 0.001}
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up)))
	code, _, _ := get(t, "http://"+p.Addr()+"/")
	if code != 503 || calls.Load() != 1 {
		t.Fatalf("GET with spent budget = %d after %d calls want 503 after 1", code, calls.Load())
	}
}

func TestRouteTimeoutNeeded(t *testing.T) {
	tests := []struct {
		name   string
		policy string
		want   time.Duration // routeTimeout
		bound  time.Duration // routeBound
	}{
		{"none", `{}`, 0, 0},
		{"timeout-only", `{timeout: 5s}`, 5 * time.Second, 5 * time.Second},
		{"retry-without-per-try", `{timeout: 5s, retry: {max_attempts: 3}}`, 5 * time.Second, 5 * time.Second},
		{"attempts-fit", `{timeout: 5s, retry: {max_attempts: 2, per_try_timeout: 2s, backoff: {initial: 1ms, max: 5ms}}}`, 0, 4*time.Second + 5*time.Millisecond},
		{"attempts-outlast", `{timeout: 5s, retry: {max_attempts: 3, per_try_timeout: 2s, backoff: {initial: 1ms, max: 5ms}}}`, 5 * time.Second, 5 * time.Second},
		{"backoff-outlasts", `{timeout: 5s, retry: {max_attempts: 2, per_try_timeout: 2s, backoff: {initial: 1s, max: 2s}}}`, 5 * time.Second, 5 * time.Second},
		{"per-try-only", `{retry: {max_attempts: 3, per_try_timeout: 1s, backoff: {initial: 1ms, max: 10ms}}}`, 0, 3*time.Second + 20*time.Millisecond},
		{"retry-unbounded", `{retry: {max_attempts: 3}}`, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := parse(t, base+`
routes: [{name: r, cluster: c, policies: %s}]
clusters: [{name: c, discovery: {static: ["127.0.0.1:1"]}}]
`, tt.policy)
			if got := routeTimeout(cfg.Routes[0].Policies); got != tt.want {
				t.Errorf("routeTimeout(%s) = %v want %v", tt.policy, got, tt.want)
			}
			if got := routeBound(cfg.Routes[0].Policies); got != tt.bound {
				t.Errorf("routeBound(%s) = %v want %v", tt.policy, got, tt.bound)
			}
		})
	}
}
