package grpcx_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/grpcx"
	"github.com/resilience-go/resilience/ratelimit"
)

// TestUnaryDeadlineDecay checks that the client sends a decayed deadline
// and its hop count, and refuses calls whose budget is too small.
func TestUnaryDeadlineDecay(t *testing.T) {
	for _, tc := range []struct {
		name      string
		timeout   time.Duration // zero: no deadline
		hops      int           // the caller's own hop count
		wantHops  string
		wantMax   time.Duration // largest budget the server may see; zero: unbounded
		wantCode  codes.Code
		wantCalls int64
	}{
		{"edge", time.Second, 0, "1", 945 * time.Millisecond, codes.OK, 1},
		{"deeper-hop-keeps-more", time.Second, 3, "4", 795 * time.Millisecond, codes.OK, 1},
		{"no-deadline", 0, 0, "1", 0, codes.OK, 1},
		{"budget-exhausted", 5 * time.Millisecond, 0, "", 0, codes.DeadlineExceeded, 0},
		{"too-many-hops", time.Second, 32, "", 0, codes.FailedPrecondition, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var left time.Duration
			var bounded bool
			svc := &service{handle: func(ctx context.Context, _ int64) error {
				var dl time.Time
				dl, bounded = ctx.Deadline()
				left = time.Until(dl)
				return nil
			}}
			cfg := deadline.DefaultConfig()
			c := newClient(t, grpcx.ClientConfig{Deadline: &cfg})
			client, _ := serve(t, svc, nil, grpc.WithUnaryInterceptor(c.UnaryInterceptor()))
			ctx := deadline.WithHops(context.Background(), tc.hops)
			if tc.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.timeout)
				defer cancel()
			}
			_, err := client.EmptyCall(ctx, &testpb.Empty{})
			if got := status.Code(err); got != tc.wantCode {
				t.Fatalf("status.Code(EmptyCall) = %v want %v (err %v)", got, tc.wantCode, err)
			}
			if got := svc.calls.Load(); got != tc.wantCalls {
				t.Fatalf("server calls = %d want %d", got, tc.wantCalls)
			}
			switch tc.wantCode {
			case codes.DeadlineExceeded:
				if !errors.Is(err, deadline.ErrBudgetExhausted) || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("error %v does not match ErrBudgetExhausted and context.DeadlineExceeded", err)
				}
				return
			case codes.FailedPrecondition:
				if !errors.Is(err, deadline.ErrTooManyHops) {
					t.Errorf("error %v does not match ErrTooManyHops", err)
				}
				return
			}
			if got := first(svc.metadata()[0], deadline.GRPCHopsKey); got != tc.wantHops {
				t.Errorf("%s = %q want %q", deadline.GRPCHopsKey, got, tc.wantHops)
			}
			if bounded != (tc.wantMax > 0) {
				t.Fatalf("server deadline set = %v want %v", bounded, tc.wantMax > 0)
			}
			if bounded && (left > tc.wantMax || left <= 0) {
				t.Errorf("server budget = %v want in (0, %v]", left, tc.wantMax)
			}
		})
	}
}

// TestUnaryClientGuards checks the optional client-side rate limit and
// concurrency bound.
func TestUnaryClientGuards(t *testing.T) {
	t.Run("rate-limit", func(t *testing.T) {
		lim, err := ratelimit.New(ratelimit.Config{Rate: 1, Per: time.Hour, Burst: 1, Clock: clock.NewManual(t0)})
		if err != nil {
			t.Fatal(err)
		}
		svc := &service{}
		c := newClient(t, grpcx.ClientConfig{RateLimit: lim})
		client, _ := serve(t, svc, nil, grpc.WithUnaryInterceptor(c.UnaryInterceptor()))
		if _, err := client.EmptyCall(context.Background(), &testpb.Empty{}); err != nil {
			t.Fatalf("first EmptyCall = %v want nil", err)
		}
		_, err = client.EmptyCall(context.Background(), &testpb.Empty{})
		if !errors.Is(err, ratelimit.ErrLimited) || status.Code(err) != codes.ResourceExhausted {
			t.Errorf("second EmptyCall = %v want ErrLimited with ResourceExhausted", err)
		}
		if got := svc.calls.Load(); got != 1 {
			t.Errorf("server calls = %d want 1", got)
		}
	})
	t.Run("concurrency", func(t *testing.T) {
		sem, err := bulkhead.New(bulkhead.Config{MaxConcurrent: 1})
		if err != nil {
			t.Fatal(err)
		}
		entered, release := make(chan struct{}), make(chan struct{})
		svc := &service{handle: func(_ context.Context, n int64) error {
			if n == 1 {
				close(entered)
				<-release
			}
			return nil
		}}
		c := newClient(t, grpcx.ClientConfig{Concurrency: sem})
		client, _ := serve(t, svc, nil, grpc.WithUnaryInterceptor(c.UnaryInterceptor()))
		done := make(chan error, 1)
		go func() {
			_, err := client.EmptyCall(context.Background(), &testpb.Empty{})
			done <- err
		}()
		<-entered
		_, err = client.EmptyCall(context.Background(), &testpb.Empty{})
		if !errors.Is(err, bulkhead.ErrFull) || !errors.Is(err, resilience.ErrRejected) || status.Code(err) != codes.Unavailable {
			t.Errorf("EmptyCall while full = %v want ErrFull with Unavailable", err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Errorf("first EmptyCall = %v want nil", err)
		}
		if got := sem.InFlight(); got != 0 {
			t.Errorf("InFlight after both calls = %d want 0", got)
		}
	})
}

// TestClientConfigValidate checks that invalid fields are named.
func TestClientConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  grpcx.ClientConfig
		ok   bool
	}{
		{"zero", grpcx.ClientConfig{}, true},
		{"default", grpcx.DefaultClientConfig(), true},
		{"bad-scope", grpcx.ClientConfig{BreakerScope: "host"}, false},
		{"negative-max-breakers", grpcx.ClientConfig{MaxBreakers: -1}, false},
		{"negative-attempt-timeout", grpcx.ClientConfig{AttemptTimeout: -time.Second}, false},
		{"bad-breaker", func() grpcx.ClientConfig {
			c := grpcx.DefaultClientConfig()
			c.Breaker.FailureRateThreshold = 150
			return c
		}(), false},
		{"bad-retry", func() grpcx.ClientConfig {
			c := grpcx.DefaultClientConfig()
			c.Retry.MaxAttempts = -1
			return c
		}(), false},
		{"bad-deadline", func() grpcx.ClientConfig {
			c := grpcx.DefaultClientConfig()
			c.Deadline.MaxHops = -1
			return c
		}(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v want ok %v", err, tc.ok)
			}
			if _, nerr := grpcx.NewClient(tc.cfg); (nerr == nil) != tc.ok {
				t.Errorf("NewClient error = %v want ok %v", nerr, tc.ok)
			}
			if _, uerr := grpcx.UnaryClientInterceptor(tc.cfg); (uerr == nil) != tc.ok {
				t.Errorf("UnaryClientInterceptor error = %v want ok %v", uerr, tc.ok)
			}
			if _, serr := grpcx.StreamClientInterceptor(tc.cfg); (serr == nil) != tc.ok {
				t.Errorf("StreamClientInterceptor error = %v want ok %v", serr, tc.ok)
			}
		})
	}
}

// TestMaxBreakers checks that keys beyond MaxBreakers share one overflow
// breaker.
func TestMaxBreakers(t *testing.T) {
	c := newClient(t, grpcx.ClientConfig{
		Breaker:     &circuitbreaker.Config{Clock: clock.NewManual(t0)},
		MaxBreakers: 2,
		BreakerKey:  func(_ *grpc.ClientConn, m string) string { return m },
	})
	invoke := c.UnaryInterceptor()
	ok := func(context.Context, string, any, any, *grpc.ClientConn, ...grpc.CallOption) error { return nil }
	for _, m := range []string{"/s/a", "/s/b", "/s/c", "/s/d"} {
		if err := invoke(context.Background(), m, nil, nil, nil, ok); err != nil {
			t.Fatalf("invoke(%s) = %v", m, err)
		}
	}
	got := c.Breakers()
	if len(got) != 3 {
		t.Fatalf("Breakers() has %d keys want 3 (2 + overflow)", len(got))
	}
	for _, k := range []string{"/s/a", "/s/b", ""} {
		if _, ok := got[k]; !ok {
			t.Errorf("Breakers() lacks key %q", k)
		}
	}
	if m := got[""].Metrics(); m.SuccessesTotal != 2 {
		t.Errorf("overflow breaker successes = %d want 2", m.SuccessesTotal)
	}
}

// TestUnaryGuardOutcomes checks what the client guards are told: the
// call's error, an inner guard's refusal included.
func TestUnaryGuardOutcomes(t *testing.T) {
	outer := newRecordingGuard()
	sem, err := bulkhead.New(bulkhead.Config{MaxConcurrent: 1})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, grpcx.ClientConfig{RateLimit: outer, Concurrency: sem})
	invoke := c.UnaryInterceptor()
	down := func(context.Context, string, any, any, *grpc.ClientConn, ...grpc.CallOption) error {
		return status.Error(codes.Unavailable, "down")
	}

	held, err := sem.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := invoke(context.Background(), emptyCall, nil, nil, nil, okInvoker); !errors.Is(err, bulkhead.ErrFull) {
		t.Fatalf("invoke while full = %v want ErrFull", err)
	}
	if got := outer.next(t); !errors.Is(got, bulkhead.ErrFull) {
		t.Errorf("outer guard told %v want ErrFull", got)
	}
	held.Done(nil)

	if err := invoke(context.Background(), emptyCall, nil, nil, nil, okInvoker); err != nil {
		t.Fatalf("invoke = %v want nil", err)
	}
	if got := outer.next(t); got != nil {
		t.Errorf("outer guard told %v want nil", got)
	}
	err = invoke(context.Background(), emptyCall, nil, nil, nil, down)
	if got := outer.next(t); got != err || status.Code(got) != codes.Unavailable {
		t.Errorf("outer guard told %v want the call's error %v", got, err)
	}
	if got := sem.InFlight(); got != 0 {
		t.Errorf("InFlight = %d want 0", got)
	}
}
