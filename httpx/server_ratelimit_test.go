package httpx

import (
	"testing"
	"time"

	"github.com/resilience-go/resilience/ratelimit"
)

func newLimiter(t *testing.T, clk clockT, rate float64, per time.Duration, burst int) *ratelimit.Limiter {
	t.Helper()
	l, err := ratelimit.New(ratelimit.Config{Rate: rate, Per: per, Burst: burst, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestRateLimitGlobal(t *testing.T) {
	clk := manual()
	mw, err := RateLimit(RateLimitConfig{Limiter: newLimiter(t, clk, 2, time.Minute, 2)})
	if err != nil {
		t.Fatal(err)
	}
	srv, c := serve(t, mw(okHandler))
	steps := []struct {
		advance              time.Duration
		code                 int
		limit, policy, retry string
	}{
		{code: 200, limit: `"default";r=1;t=30`, policy: `"default";q=2;w=60`},
		{code: 200, limit: `"default";r=0;t=60`, policy: `"default";q=2;w=60`},
		{code: 429, limit: `"default";r=0;t=30`, policy: `"default";q=2;w=60`, retry: "30"},
		{advance: 29 * time.Second, code: 429, limit: `"default";r=0;t=1`, policy: `"default";q=2;w=60`, retry: "1"},
		{advance: time.Second, code: 200, limit: `"default";r=0;t=60`, policy: `"default";q=2;w=60`},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		resp, body := get(t, c, srv.URL)
		h := resp.Header
		if resp.StatusCode != s.code || h.Get("RateLimit") != s.limit || h.Get("RateLimit-Policy") != s.policy || h.Get("Retry-After") != s.retry {
			t.Errorf("step %d: %d RateLimit=%q RateLimit-Policy=%q Retry-After=%q; want %d %q %q %q",
				i, resp.StatusCode, h.Get("RateLimit"), h.Get("RateLimit-Policy"), h.Get("Retry-After"),
				s.code, s.limit, s.policy, s.retry)
		}
		if s.code == 429 {
			if p := problem(t, resp, body); p.Status != 429 || p.Title != "Too Many Requests" || p.Detail != "rate limit exceeded" {
				t.Errorf("step %d problem = %+v", i, p)
			}
		}
	}
}

func TestRateLimitKeyed(t *testing.T) {
	clk := manual()
	keyed, err := ratelimit.NewKeyed(ratelimit.KeyedConfig{Rate: 1, Per: time.Minute, Burst: 1, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	global := newLimiter(t, clk, 100, time.Minute, 100)
	mw, err := RateLimit(RateLimitConfig{Limiter: global, Keyed: keyed, TrustedProxies: 1})
	if err != nil {
		t.Fatal(err)
	}
	srv, c := serve(t, mw(okHandler))
	steps := []struct {
		xff   string
		code  int
		limit string
	}{
		{xff: "10.0.0.1", code: 200, limit: `"global";r=99;t=1, "keyed";r=0;t=60`},
		{xff: "10.0.0.2", code: 200, limit: `"global";r=98;t=2, "keyed";r=0;t=60`},
		{xff: "10.0.0.1", code: 429, limit: `"global";r=98;t=2, "keyed";r=0;t=60`},
		{xff: "6.6.6.6, 10.0.0.2", code: 429, limit: `"global";r=98;t=2, "keyed";r=0;t=60`}, // spoofed left entry ignored
	}
	for i, s := range steps {
		resp, _ := get(t, c, srv.URL, "X-Forwarded-For", s.xff)
		if resp.StatusCode != s.code || resp.Header.Get("RateLimit") != s.limit {
			t.Errorf("step %d (%s): %d %q, want %d %q", i, s.xff, resp.StatusCode, resp.Header.Get("RateLimit"), s.code, s.limit)
		}
		if want := `"global";q=100;w=60, "keyed";q=1;w=60`; resp.Header.Get("RateLimit-Policy") != want {
			t.Errorf("step %d: RateLimit-Policy = %q, want %q", i, resp.Header.Get("RateLimit-Policy"), want)
		}
	}
}

func TestRateLimitHeaderKeyAndNoHeaders(t *testing.T) {
	clk := manual()
	keyed, _ := ratelimit.NewKeyed(ratelimit.KeyedConfig{Rate: 1, Per: time.Hour, Burst: 1, Clock: clk})
	mw, err := RateLimit(RateLimitConfig{Keyed: keyed, Key: KeyByHeader("x-api-key"), NoHeaders: true})
	if err != nil {
		t.Fatal(err)
	}
	srv, c := serve(t, mw(okHandler))
	for i, s := range []struct {
		key  string
		code int
	}{{"a", 200}, {"b", 200}, {"a", 429}, {"b", 429}} {
		resp, _ := get(t, c, srv.URL, "X-Api-Key", s.key)
		if resp.StatusCode != s.code {
			t.Errorf("step %d key %s: %d, want %d", i, s.key, resp.StatusCode, s.code)
		}
		if resp.Header.Get("RateLimit") != "" || resp.Header.Get("RateLimit-Policy") != "" {
			t.Errorf("step %d: RateLimit headers sent with NoHeaders", i)
		}
		if s.code == 429 && resp.Header.Get("Retry-After") != "3600" {
			t.Errorf("step %d: Retry-After = %q, want 3600", i, resp.Header.Get("Retry-After"))
		}
	}
}

func TestRateLimitConfigValidate(t *testing.T) {
	l := newLimiter(t, manual(), 1, time.Second, 1)
	keyed, _ := ratelimit.NewKeyed(ratelimit.KeyedConfig{Rate: 1})
	tests := []struct {
		name string
		cfg  RateLimitConfig
		want string
	}{
		{name: "valid", cfg: RateLimitConfig{Limiter: l}},
		{name: "none", cfg: RateLimitConfig{}, want: "httpx: RateLimit needs Limiter or Keyed"},
		{name: "proxies", cfg: RateLimitConfig{Keyed: keyed, TrustedProxies: -1}, want: "httpx: TrustedProxies -1 must be >= 0"},
		{name: "name", cfg: RateLimitConfig{Limiter: l, Name: "a\nb"}, want: `httpx: Name "a\nb" must be printable ASCII`},
		{name: "same names", cfg: RateLimitConfig{Limiter: l, Keyed: keyed, Name: "x", KeyedName: "x"}, want: `httpx: Name and KeyedName "x" must differ`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			if err := tt.cfg.Validate(); err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
		})
	}
}
