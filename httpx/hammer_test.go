package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/retry"
)

// TestHammer sends many concurrent requests, to several destinations with
// fewer policy slots than destinations, through a client with a breaker,
// retries and a bulkhead, to a server behind every middleware. Run with
// -race; it checks that every request ends in a response or a rejection
// and that every slot is given back.
func TestHammer(t *testing.T) {
	sem, _ := bulkhead.New(bulkhead.Config{MaxConcurrent: 8})
	concurrency, _ := Concurrency(ConcurrencyConfig{Guard: sem})
	lim, _ := ratelimit.New(ratelimit.Config{Rate: 1e6})
	rateLimit, _ := RateLimit(RateLimitConfig{Limiter: lim})
	handler := Chain(Recover(RecoverConfig{}), rateLimit, concurrency)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("n") {
		case "0":
			status(w, 503, "busy")
		case "1":
			panic("boom")
		default:
			status(w, 200, "ok")
		}
	}))
	srv, _ := serve(t, handler)
	rt := newRT(t, ClientConfig{
		Key:      func(r *http.Request) string { return r.URL.Path },
		MaxKeys:  3,
		Breaker:  &circuitbreaker.Config{FailureRateThreshold: 90, MinimumCalls: 1000},
		Retry:    retryNow(2),
		Bulkhead: &bulkhead.Config{MaxConcurrent: 64},
	})
	client := &http.Client{Transport: rt}
	var ok, rejected atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 40 {
				u := fmt.Sprintf("%s/dest%d?n=%d", srv.URL, (g+i)%5, i%7)
				resp, err := client.Get(u)
				if err != nil {
					if !isRejected(err) {
						t.Errorf("GET %s: %v", u, err)
					}
					rejected.Add(1)
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	if ok.Load()+rejected.Load() != 320 {
		t.Errorf("responses %d + rejections %d != 320", ok.Load(), rejected.Load())
	}
	if n := rt.Len(); n > 3 {
		t.Errorf("Len = %d, want <= MaxKeys 3", n)
	}
	if n := sem.InFlight(); n != 0 {
		t.Errorf("server bulkhead InFlight = %d after the run, want 0", n)
	}
}

func isRejected(err error) bool { return errors.Is(err, resilience.ErrRejected) }

// TestClientServerRetryAfter runs the client against the server
// middlewares on one manual clock: the server's 429 tells the client when
// to come back, and the client comes back exactly then, and is admitted.
func TestClientServerRetryAfter(t *testing.T) {
	clk := manual()
	lim, _ := ratelimit.New(ratelimit.Config{Rate: 1, Per: 2 * time.Second, Burst: 1, Clock: clk})
	mw, _ := RateLimit(RateLimitConfig{Limiter: lim})
	srv, _ := serve(t, mw(okHandler))
	rt := newRT(t, ClientConfig{
		Retry: &retry.Config{MaxAttempts: 2, Backoff: retry.BackoffConfig{Kind: retry.BackoffConstant, Initial: time.Millisecond}},
		Clock: clk,
	})
	client := &http.Client{Transport: rt}
	if resp, _ := get(t, client, srv.URL); resp.StatusCode != 200 {
		t.Fatalf("first request = %d, want 200", resp.StatusCode)
	}
	done := goDo(client, mustGet(t, srv.URL))
	clk.WaitForTimers(1)
	clk.Advance(2 * time.Second)
	r := <-done
	if r.err != nil || r.resp.StatusCode != 200 {
		t.Fatalf("second request = %v, %v; want 200 after waiting", r.resp, r.err)
	}
	if got := r.resp.Header.Get("RateLimit"); got != `"default";r=0;t=2` {
		t.Errorf("RateLimit = %q", got)
	}
}

// TestRecorderInterfaces checks that the wrapped ResponseWriter keeps
// Flush, Hijack and http.ResponseController working.
func TestRecorderInterfaces(t *testing.T) {
	g := &recordingGuard{}
	mw, _ := Concurrency(ConcurrencyConfig{Guard: g})
	srv, c := serve(t, mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/flush":
			_, _ = io.WriteString(w, "a")
			w.(http.Flusher).Flush()
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Errorf("ResponseController.Flush: %v", err)
			}
			if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
				t.Errorf("ResponseController.SetWriteDeadline: %v", err)
			}
			_, _ = io.WriteString(w, "b")
		case "/hijack":
			conn, rw, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Errorf("Hijack: %v", err)
				return
			}
			defer conn.Close()
			_, _ = rw.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nhijack")
			_ = rw.Flush()
		case "/readfrom":
			_, _ = io.Copy(w, strings.NewReader("copied"))
		case "/early":
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusTeapot)
		}
	})))
	for path, want := range map[string]string{"/flush": "ab", "/hijack": "hijack", "/readfrom": "copied"} {
		if resp, body := get(t, c, srv.URL+path); resp.StatusCode != 200 || body != want {
			t.Errorf("%s = %d %q, want 200 %q", path, resp.StatusCode, body, want)
		}
	}
	if resp, _ := get(t, c, srv.URL+"/early"); resp.StatusCode != http.StatusTeapot {
		t.Errorf("/early = %d, want 418", resp.StatusCode)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, err := range g.outcomes {
		if resilience.Classify(err) != resilience.OutcomeSuccess {
			t.Errorf("outcome %d = %v, want success", i, err)
		}
	}
}

// TestRoundTripAllocs bounds what the adapter adds to a transport's
// allocations, with a breaker and a retry, over an in-memory transport.
func TestRoundTripAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations differ under -race")
	}
	resp := &http.Response{StatusCode: 200, Body: http.NoBody, Header: http.Header{}}
	fake := roundTripperFunc(func(*http.Request) (*http.Response, error) { return resp, nil })
	rt, err := NewRoundTripper(ClientConfig{
		Transport: fake,
		Breaker:   &circuitbreaker.Config{},
		Retry:     &retry.Config{},
	})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "http://example.com/", nil)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := rt.RoundTrip(req); err != nil {
			t.Fatal(err)
		}
	})
	// The call state, its method value and the context carrying it; the
	// first attempt sends the caller's own request.
	if allocs > 3 {
		t.Errorf("RoundTrip allocations = %v, want <= 3", allocs)
	}
	t.Logf("RoundTrip allocations: %v", allocs)
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestParseRetryAfterAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations differ under -race")
	}
	if n := testing.AllocsPerRun(100, func() { ParseRetryAfter(" 120 ", t0) }); n != 0 {
		t.Errorf("ParseRetryAfter(delay-seconds) allocations = %v, want 0", n)
	}
}
