package redisrate

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/ratelimit"
)

// TestRedisDownThenBack kills Redis under each OnFailure mode, checks the
// fallback decisions and events, restarts Redis on the same port and checks
// the recovery through the breaker's half-open probe.
func TestRedisDownThenBack(t *testing.T) {
	tests := []struct {
		mode FailureMode
		// allowed is the fallback's decisions for 8 calls at one instant,
		// then for one more 200ms later.
		allowed []bool
		later   bool
		err     error
		detail  string
	}{
		{FailLocal, []bool{true, true, false, false, false, false, false, false}, true, nil, DetailLocal},
		{FailOpen, []bool{true, true, true, true, true, true, true, true}, true, nil, DetailOpen},
		{FailClosed, make([]bool, 8), false, ErrUnavailable, DetailClosed},
	}
	for _, tt := range tests {
		t.Run(tt.mode.String(), func(t *testing.T) {
			srv := startRedis(t)
			clk := clock.NewManual(t0)
			rec := &recorder{}
			// 10/s, burst 4, two instances: the local share is 5/s, burst 2.
			l := newTestLimiter(t, srv.client(t), Config{
				Rate: 10, Burst: 4, ExpectedInstances: 2, OnFailure: tt.mode,
				Listener: rec, Clock: clk, Timeout: 200 * time.Millisecond,
			})
			if info, err := l.Allow(bg(), "k"); err != nil || !info.Allowed || l.Degraded() {
				t.Fatalf("before the failure lim.Allow() = %+v, %v, degraded %v", info, err, l.Degraded())
			}

			srv.kill()
			var got []bool
			for range len(tt.allowed) {
				info, err := l.Allow(bg(), "k")
				if !errors.Is(err, tt.err) || (err != nil) != (tt.err != nil) {
					t.Fatalf("lim.Allow() error = %v want %v", err, tt.err)
				}
				got = append(got, info.Allowed)
			}
			if !slices.Equal(got, tt.allowed) {
				t.Fatalf("lim.Allow() x8 with Redis down = %v want %v", got, tt.allowed)
			}
			peek, perr := l.Info(bg(), "k")
			switch {
			case tt.mode == FailLocal && (perr != nil || peek.Allowed || peek.RetryAfter != 200*time.Millisecond):
				t.Fatalf("lim.Info() = %+v, %v want refused for 200ms by the local share", peek, perr)
			case tt.mode == FailOpen && (perr != nil || !peek.Allowed):
				t.Fatalf("lim.Info() = %+v, %v want allowed", peek, perr)
			case tt.mode == FailClosed && !errors.Is(perr, ErrUnavailable):
				t.Fatalf("lim.Info() = %+v, %v want ErrUnavailable", peek, perr)
			}
			if !l.Degraded() || l.Breaker().State() != circuitbreaker.StateOpen {
				t.Fatalf("Degraded() = %v, breaker %v; want true, open", l.Degraded(), l.Breaker().State())
			}
			clk.Advance(200 * time.Millisecond)
			if info, _ := l.Allow(bg(), "k"); info.Allowed != tt.later {
				t.Fatalf("200ms later lim.Allow() = %+v want Allowed %v", info, tt.later)
			}
			_, err := l.Guard("k").Acquire(bg())
			switch tt.mode {
			case FailLocal:
				if !errors.Is(err, ratelimit.ErrLimited) {
					t.Fatalf("guard.Acquire() = %v want ErrLimited from the local share", err)
				}
			case FailOpen:
				if err != nil {
					t.Fatalf("guard.Acquire() = %v want nil", err)
				}
			case FailClosed:
				if !errors.Is(err, ErrUnavailable) || !errors.Is(err, resilience.ErrRejected) ||
					errors.Is(err, ratelimit.ErrLimited) {
					t.Fatalf("guard.Acquire() = %v want ErrUnavailable, not ErrLimited", err)
				}
			}
			if want := []string{"redis>fallback:" + tt.detail}; !slices.Equal(rec.changes(), want) {
				t.Fatalf("state changes %q want %q", rec.changes(), want)
			}
			if n := rec.count(resilience.EventFallback); n != len(tt.allowed)+3 {
				t.Fatalf("%d EventFallback want %d", n, len(tt.allowed)+3)
			}

			srv.restart()
			clk.Advance(DefaultOpenDuration) // the breaker lets a probe through
			info, err := l.Allow(bg(), "k")
			if err != nil || !info.Allowed || l.Degraded() || info.Limit != 4 {
				t.Fatalf("after restart lim.Allow() = %+v, %v, degraded %v; want Redis's decision", info, err, l.Degraded())
			}
			want := []string{"redis>fallback:" + tt.detail, "fallback>redis:" + DetailRecovered}
			if !slices.Equal(rec.changes(), want) {
				t.Fatalf("state changes %q want %q", rec.changes(), want)
			}
			if s := l.Breaker().State(); s != circuitbreaker.StateClosed {
				t.Fatalf("breaker state %v after a good probe want closed", s)
			}
		})
	}
}

// TestSlowRedisTimesOut pauses Redis: every decision must come back after
// about Timeout, by the fallback, never waiting for the client's 10s read
// timeout; then the breaker opens and decisions stop trying Redis.
func TestSlowRedisTimesOut(t *testing.T) {
	srv := startRedis(t)
	clk := clock.NewManual(t0)
	rec := &recorder{}
	l := newTestLimiter(t, srv.client(t), Config{
		Rate: 100, Burst: 10, Listener: rec, Clock: clk, Timeout: 50 * time.Millisecond,
	})
	if _, err := l.Allow(bg(), "slow"); err != nil || l.Degraded() {
		t.Fatalf("lim.Allow() = %v, degraded %v", err, l.Degraded())
	}
	srv.pause()
	defer srv.resume()
	for i := range DefaultConsecutiveFailures + 3 {
		start := time.Now()
		info, err := l.Allow(bg(), "slow")
		// Generous: proves the Timeout bounded the call, not the client's
		// 10s ReadTimeout, without timing anything finer.
		if took := time.Since(start); took > 5*time.Second {
			t.Fatalf("call %d took %v with Redis paused", i, took)
		}
		if err != nil || !info.Allowed {
			t.Fatalf("call %d: lim.Allow() = %+v, %v want the local fallback's admission", i, info, err)
		}
	}
	if st := l.Breaker().State(); st != circuitbreaker.StateOpen {
		t.Fatalf("breaker %v after %d timeouts want open", st, DefaultConsecutiveFailures)
	}
	var timeouts int
	rec.mu.Lock()
	for _, e := range rec.events {
		if e.Kind == resilience.EventFallback && errors.Is(e.Err, context.DeadlineExceeded) {
			timeouts++
		}
	}
	rec.mu.Unlock()
	if timeouts != DefaultConsecutiveFailures {
		t.Fatalf("%d fallbacks caused by the timeout want %d (the rest by the open breaker)", timeouts, DefaultConsecutiveFailures)
	}
	srv.resume()
	clk.Advance(DefaultOpenDuration)
	if info, err := l.Allow(bg(), "slow"); err != nil || !info.Allowed || l.Degraded() {
		t.Fatalf("after resume lim.Allow() = %+v, %v, degraded %v", info, err, l.Degraded())
	}
}

// TestCallerCancelIsNotRedisFailure: a caller whose context ended gets its
// error, and the breaker does not count it against Redis.
func TestCallerCancelIsNotRedisFailure(t *testing.T) {
	srv := startRedis(t)
	rec := &recorder{}
	l := newTestLimiter(t, srv.client(t), Config{Rate: 100, Listener: rec})
	ctx, cancel := context.WithCancel(bg())
	cancel()
	for i := range 2 * DefaultConsecutiveFailures {
		info, err := l.Allow(ctx, "c")
		if !errors.Is(err, context.Canceled) || info.Allowed {
			t.Fatalf("call %d: lim.Allow(cancelled) = %+v, %v want context.Canceled", i, info, err)
		}
	}
	if l.Degraded() || l.Breaker().State() != circuitbreaker.StateClosed || len(rec.events) != 0 {
		t.Fatalf("degraded %v, breaker %v, events %v; want untouched", l.Degraded(), l.Breaker().State(), rec.events)
	}
}

// TestUnreachableRedisFallsBackAtOnce: a server that was never there.
func TestUnreachableRedisFallsBackAtOnce(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewManual(t0)
	l, err := NewFromURL("redis://127.0.0.1:"+strconv.Itoa(port), Config{Rate: 1, Burst: 1, Clock: clk})
	if err != nil {
		t.Fatalf("NewFromURL() = %v", err)
	}
	defer l.Close()
	for i, want := range []bool{true, false, false} {
		if info, err := l.Allow(bg(), "u"); err != nil || info.Allowed != want {
			t.Fatalf("call %d: lim.Allow() = %+v, %v want Allowed %v", i, info, err, want)
		}
	}
}
