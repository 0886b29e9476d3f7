package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/retry"
	"github.com/resilience-go/resilience/timeout"
)

// TestRoundTripHonoursRetryAfter checks, on the manual clock, that the
// retry waits exactly as long as the server's Retry-After asks, for both
// header forms, and that the RateLimit header stands in for a missing one.
func TestRoundTripHonoursRetryAfter(t *testing.T) {
	tests := []struct {
		name   string
		code   int
		header func(clk time.Time) (string, string)
		want   time.Duration
	}{
		{name: "429 delay-seconds", code: 429,
			header: func(time.Time) (string, string) { return "Retry-After", "7" }, want: 7 * time.Second},
		{name: "503 HTTP-date", code: 503,
			header: func(now time.Time) (string, string) {
				return "Retry-After", now.Add(5 * time.Second).UTC().Format(http.TimeFormat)
			}, want: 5 * time.Second},
		{name: "429 RateLimit only", code: 429,
			header: func(time.Time) (string, string) { return "RateLimit", `"default";r=0;t=4` }, want: 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := manual()
			srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					k, v := tt.header(clk.Now())
					w.Header().Set(k, v)
					status(w, tt.code, "slow down")
					return
				}
				status(w, 200, "ok")
			})
			rt := newRT(t, ClientConfig{
				Retry: &retry.Config{MaxAttempts: 2, Backoff: retry.BackoffConfig{Kind: retry.BackoffConstant, Initial: time.Millisecond}},
				Clock: clk,
			})
			done := goDo(&http.Client{Transport: rt}, mustGet(t, srv.URL))
			clk.WaitForTimers(1)
			clk.Advance(tt.want - time.Nanosecond)
			if n := clk.Timers(); n != 1 {
				t.Fatalf("timers after %v = %d, want the retry still waiting", tt.want-time.Nanosecond, n)
			}
			if hits := srv.hits(); hits != 1 {
				t.Fatalf("server hits before the Retry-After elapsed = %d, want 1", hits)
			}
			clk.Advance(time.Nanosecond)
			r := <-done
			if r.err != nil || r.resp.StatusCode != 200 || r.body != "ok" {
				t.Fatalf("Do = %v, %v; want 200 ok", r.resp, r.err)
			}
			if hits := srv.hits(); hits != 2 {
				t.Errorf("server hits = %d, want 2", hits)
			}
		})
	}
}

// TestRoundTripRetryAfterBeyondCap checks that a Retry-After longer than
// the backoff cap ends the retries with the response itself.
func TestRoundTripRetryAfterBeyondCap(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		status(w, 503, "maintenance")
	})
	rt := newRT(t, ClientConfig{Retry: &retry.Config{MaxAttempts: 3}, Clock: manual()})
	resp, err := rt.RoundTrip(mustGet(t, srv.URL))
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	if body := readBody(t, resp); resp.StatusCode != 503 || body != "maintenance" || resp.Header.Get("Retry-After") != "3600" {
		t.Errorf("RoundTrip = %d %q, want the 503 with its Retry-After", resp.StatusCode, body)
	}
	if hits := srv.hits(); hits != 1 {
		t.Errorf("server hits = %d, want 1", hits)
	}
}

// TestRoundTripCancelDuringBackoff checks that cancelling the request
// while it waits to retry returns the context's error, not the response.
func TestRoundTripCancelDuringBackoff(t *testing.T) {
	clk := manual()
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { status(w, 503, "busy") })
	rt := newRT(t, ClientConfig{
		Retry: &retry.Config{MaxAttempts: 3, Backoff: retry.BackoffConfig{Kind: retry.BackoffConstant, Initial: time.Second}},
		Clock: clk,
	})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	done := goDo(&http.Client{Transport: rt}, req)
	clk.WaitForTimers(1)
	cancel()
	r := <-done
	if r.err == nil {
		t.Fatalf("Do = %d, want context.Canceled", r.resp.StatusCode)
	}
	var se *StatusError
	if !errors.Is(r.err, context.Canceled) || !errors.As(r.err, &se) || se.StatusCode != 503 {
		t.Errorf("Do error = %v, want context.Canceled and the 503", r.err)
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("connections = %d, want 1", n)
	}
}

func TestRoundTripDeadlineHeader(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { status(w, 200, "ok") })
	rt := newRT(t, ClientConfig{Deadline: &deadline.Config{}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ctx = deadline.WithHops(ctx, 2)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	readBody(t, resp)
	h := srv.requests()[0].header
	ms, err := strconv.Atoi(h.Get(deadline.HeaderDeadlineMs))
	// α = 0.05 + 0.05·2 = 0.15: at most 60s·0.85 − 5ms.
	if err != nil || ms <= 0 || ms > 50995 {
		t.Errorf("%s = %q, want a budget in (0, 50995]", deadline.HeaderDeadlineMs, h.Get(deadline.HeaderDeadlineMs))
	}
	if got := h.Get(deadline.HeaderHops); got != "3" {
		t.Errorf("%s = %q, want 3", deadline.HeaderHops, got)
	}
	if len(req.Header) != 0 {
		t.Errorf("caller's header = %v, want untouched", req.Header)
	}
}

func TestRoundTripDeadlineExhausted(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { status(w, 200, "ok") })
	rt := newRT(t, ClientConfig{Deadline: &deadline.Config{}, Retry: retryNow(3)})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond) // below Floor after decay
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if _, err := rt.RoundTrip(req); !errors.Is(err, deadline.ErrBudgetExhausted) {
		t.Errorf("RoundTrip error = %v, want ErrBudgetExhausted", err)
	}
	if hits := srv.hits(); hits != 0 {
		t.Errorf("server hits = %d, want 0", hits)
	}
}

// TestRoundTripAttemptTimeout checks on the manual clock that a hanging
// attempt times out and is retried, and that the final response's body
// stays readable after RoundTrip returns, its timer released only when the
// body is closed.
func TestRoundTripAttemptTimeout(t *testing.T) {
	clk := manual()
	release := make(chan struct{})
	arrived := make(chan struct{})
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			close(arrived)
			select { // hang until the client gives up
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		status(w, 200, "second")
	})
	defer close(release)
	rt := newRT(t, ClientConfig{
		Retry:          retryNow(2),
		AttemptTimeout: &timeout.Config{Timeout: time.Second},
		Clock:          clk,
	})
	type rtResult struct {
		resp *http.Response
		err  error
	}
	done := make(chan rtResult, 1)
	go func() {
		resp, err := rt.RoundTrip(mustGet(t, srv.URL))
		done <- rtResult{resp, err}
	}()
	<-arrived // the first attempt is on the wire, its timer armed
	clk.Advance(time.Second)
	r := <-done
	if r.err != nil {
		t.Fatalf("RoundTrip: %v", r.err)
	}
	if n := clk.Timers(); n != 1 {
		t.Errorf("timers before the body is closed = %d, want 1 (the second attempt's)", n)
	}
	if body := readBody(t, r.resp); body != "second" {
		t.Errorf("body = %q, want second", body)
	}
	if n := clk.Timers(); n != 0 {
		t.Errorf("timers after the body is closed = %d, want 0", n)
	}
}

func TestRoundTripAttemptTimeoutExhausted(t *testing.T) {
	clk := manual()
	arrived := make(chan struct{})
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	rt := newRT(t, ClientConfig{AttemptTimeout: &timeout.Config{Timeout: time.Second}, Clock: clk})
	done := goDo(&http.Client{Transport: rt}, mustGet(t, srv.URL))
	<-arrived
	clk.Advance(time.Second)
	r := <-done
	if !errors.Is(r.err, timeout.ErrTimeout) {
		t.Errorf("Do error = %v, want timeout.ErrTimeout", r.err)
	}
}

// TestRoundTripBodyOutlivesAttempt checks, on the real clock, that the
// body of the final response streams after RoundTrip returned: the
// per-attempt timeout's context must stay alive until the body is closed.
func TestRoundTripBodyOutlivesAttempt(t *testing.T) {
	more := make(chan struct{})
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		_, _ = io.WriteString(w, "head,")
		w.(http.Flusher).Flush()
		<-more
		_, _ = io.WriteString(w, "tail")
	})
	rt := newRT(t, ClientConfig{Retry: retryNow(2), AttemptTimeout: &timeout.Config{Timeout: time.Minute}})
	resp, err := rt.RoundTrip(mustGet(t, srv.URL))
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	close(more) // the rest of the body is sent only now
	if body := readBody(t, resp); body != "head,tail" {
		t.Errorf("body = %q, want head,tail", body)
	}
}

// TestRoundTripRetiredAttemptTimeoutSilent checks that a failed attempt's
// timeout is released before the backoff wait: it neither keeps a timer
// during the wait nor reports a timeout that never cut anything short.
func TestRoundTripRetiredAttemptTimeoutSilent(t *testing.T) {
	clk := &timerSignal{Manual: manual(), made: make(chan struct{}, 1)}
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			status(w, 503, "busy")
			return
		}
		status(w, 200, "ok")
	})
	var timeouts atomic.Int64
	rt := newRT(t, ClientConfig{
		Retry: &retry.Config{MaxAttempts: 2, Backoff: retry.BackoffConfig{Kind: retry.BackoffConstant, Initial: 5 * time.Second}},
		AttemptTimeout: &timeout.Config{Timeout: time.Second, Listener: resilience.ListenerFunc(func(e resilience.Event) {
			if e.Kind == resilience.EventTimeout {
				timeouts.Add(1)
			}
		})},
		Clock: clk,
	})
	done := goDo(&http.Client{Transport: rt}, mustGet(t, srv.URL))
	<-clk.made // the backoff waits; the timeout only uses AfterFunc
	if n := clk.Timers(); n != 1 {
		t.Errorf("timers during the backoff = %d, want 1 (the backoff's only)", n)
	}
	clk.Advance(5 * time.Second)
	if r := <-done; r.err != nil || r.body != "ok" {
		t.Fatalf("Do = %q, %v; want ok", r.body, r.err)
	}
	if n := timeouts.Load(); n != 0 {
		t.Errorf("EventTimeout reported %d times, want 0", n)
	}
}

// timerSignal is a manual clock that signals each NewTimer, which a retry
// policy's backoff uses and a timeout does not.
type timerSignal struct {
	*clock.Manual
	made chan struct{}
}

func (c *timerSignal) NewTimer(d time.Duration) clock.Timer {
	t := c.Manual.NewTimer(d)
	c.made <- struct{}{}
	return t
}
