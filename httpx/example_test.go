package httpx_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/httpx"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/retry"
)

// A client that retries 5xx answers and opens a breaker per host. The
// caller sees the final response as from any transport.
func ExampleNewRoundTripper() {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls < 3 {
			http.Error(w, "try again", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "hello")
	}))
	defer srv.Close()

	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	rt, err := httpx.NewRoundTripper(httpx.ClientConfig{
		Transport: tr,
		Breaker:   &circuitbreaker.Config{ConsecutiveFailures: 5},
		Retry:     &retry.Config{MaxAttempts: 3, Backoff: retry.BackoffConfig{Kind: retry.BackoffNone}},
	})
	if err != nil {
		panic(err)
	}
	client := &http.Client{Transport: rt}

	resp, err := client.Get(srv.URL)
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body), "after", calls, "attempts")
	// Output: 200 hello after 3 attempts
}

// A breaker opened by 5xx answers fails requests fast, with an error that
// matches circuitbreaker.ErrOpen inside http.Client's *url.Error.
func ExampleRoundTripper_breaker() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	rt, _ := httpx.NewRoundTripper(httpx.ClientConfig{
		Transport: tr,
		Breaker:   &circuitbreaker.Config{ConsecutiveFailures: 2, OpenDuration: time.Minute},
	})
	client := &http.Client{Transport: rt}
	for range 3 {
		resp, err := client.Get(srv.URL)
		if err != nil {
			fmt.Println("error, open:", errors.Is(err, circuitbreaker.ErrOpen))
			continue
		}
		resp.Body.Close()
		fmt.Println("status", resp.StatusCode)
	}
	// Output:
	// status 500
	// status 500
	// error, open: true
}

// A server limiting each client to 2 requests a minute answers the third
// with 429, Retry-After and the IETF RateLimit headers.
func ExampleRateLimit() {
	clk := clock.NewManual(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	lim, _ := ratelimit.New(ratelimit.Config{Rate: 2, Per: time.Minute, Clock: clk})
	mw, _ := httpx.RateLimit(httpx.RateLimitConfig{Limiter: lim})
	h := mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") }))

	for range 3 {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
		line := fmt.Sprint(w.Code, " ", w.Header().Get("RateLimit-Policy"), " ", w.Header().Get("RateLimit"), " ", w.Header().Get("Retry-After"))
		fmt.Println(strings.TrimSpace(line))
	}
	// Output:
	// 200 "default";q=2;w=60 "default";r=1;t=30
	// 200 "default";q=2;w=60 "default";r=0;t=60
	// 429 "default";q=2;w=60 "default";r=0;t=30 30
}

// Server middlewares compose with Chain: panics become 500s, and a full
// bulkhead answers 503 with a problem document.
func ExampleChain() {
	sem, _ := bulkhead.New(bulkhead.Config{MaxConcurrent: 1})
	concurrency, _ := httpx.Concurrency(httpx.ConcurrencyConfig{Guard: sem})
	rc := httpx.NewRecoverer(httpx.RecoverConfig{})
	h := httpx.Chain(rc.Middleware, concurrency)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("bug")
		}
		fmt.Fprint(w, "ok")
	}))

	for _, path := range []string{"/", "/panic"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		fmt.Println(path, w.Code, w.Header().Get("Content-Type"))
	}
	p, _ := sem.TryAcquire() // hold the only slot
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	p.Done(nil)
	fmt.Println("full", w.Code, w.Header().Get("Retry-After"), strings.TrimSpace(w.Body.String()))
	fmt.Println("panics:", rc.Panics())
	// Output:
	// / 200 text/plain; charset=utf-8
	// /panic 500 application/problem+json
	// full 503 1 {"title":"Service Unavailable","status":503,"detail":"server overloaded: try again later","retry_after":1}
	// panics: 1
}

func ExampleParseRetryAfter() {
	now := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, v := range []string{"120", "Wed, 01 Jan 2025 12:00:30 GMT", "soon"} {
		d, ok := httpx.ParseRetryAfter(v, now)
		fmt.Println(d, ok)
	}
	// Output:
	// 2m0s true
	// 30s true
	// 0s false
}

func ExampleParseRateLimit() {
	limits, err := httpx.ParseRateLimit(`"default";r=0;t=3, "daily";r=998;t=86400`)
	if err != nil {
		panic(err)
	}
	for _, l := range limits {
		fmt.Println(l.Policy, l.Remaining, l.Reset)
	}
	// Output:
	// default 0 3s
	// daily 998 24h0m0s
}
