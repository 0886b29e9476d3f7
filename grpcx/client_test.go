package grpcx_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/grpcx"
	"github.com/resilience-go/resilience/retry"
)

const emptyCall = testpb.TestService_EmptyCall_FullMethodName

func newClient(t testing.TB, cfg grpcx.ClientConfig) *grpcx.Client {
	t.Helper()
	c, err := grpcx.NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func constantBackoff(d time.Duration) retry.BackoffConfig {
	return retry.BackoffConfig{Kind: retry.BackoffConstant, Initial: d}
}

func TestUnaryRetriesTransientCodes(t *testing.T) {
	for _, tc := range []struct {
		code         codes.Code
		wantFailures uint64 // breaker failures for the two failed attempts
	}{
		{codes.Unavailable, 2},
		{codes.ResourceExhausted, 2},
		{codes.DeadlineExceeded, 2},
		{codes.Aborted, 0}, // retried, but no sign of ill health
	} {
		t.Run(tc.code.String(), func(t *testing.T) {
			svc := &service{handle: func(_ context.Context, n int64) error {
				if n <= 2 {
					return status.Error(tc.code, "transient")
				}
				return nil
			}}
			clk := clock.NewManual(t0)
			ev := &events{}
			c := newClient(t, grpcx.ClientConfig{
				Breaker: &circuitbreaker.Config{Clock: clk},
				Retry: &retry.Config{
					MaxAttempts: 3, Backoff: constantBackoff(100 * time.Millisecond), Clock: clk, Listener: ev,
				},
			})
			client, _ := serve(t, svc, nil, grpc.WithUnaryInterceptor(c.UnaryInterceptor()))

			done := make(chan error, 1)
			go func() {
				_, err := client.EmptyCall(context.Background(), &testpb.Empty{})
				done <- err
			}()
			for range 2 {
				clk.WaitForTimers(1)
				clk.Advance(100 * time.Millisecond)
			}
			if err := <-done; err != nil {
				t.Fatalf("EmptyCall = %v want nil", err)
			}
			if got := svc.calls.Load(); got != 3 {
				t.Errorf("server calls = %d want 3", got)
			}
			var prev []string
			for _, md := range svc.metadata() {
				prev = append(prev, first(md, retry.GRPCPreviousAttemptsKey))
			}
			if want := []string{"", "1", "2"}; !equal(prev, want) {
				t.Errorf("%s per attempt = %q want %q", retry.GRPCPreviousAttemptsKey, prev, want)
			}
			if got := ev.of(resilience.EventRetry); len(got) != 2 || got[0].Delay != 100*time.Millisecond {
				t.Errorf("retry events = %+v want 2 with Delay 100ms", got)
			}
			b, _ := c.Breaker(emptyCall)
			if m := b.Metrics(); m.FailuresTotal != tc.wantFailures || m.SuccessesTotal != 1 {
				t.Errorf("breaker failures %d successes %d; want %d and 1", m.FailuresTotal, m.SuccessesTotal, tc.wantFailures)
			}
		})
	}
}

func first(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestUnaryClientErrorsNeitherRetriedNorCounted checks that the codes of a
// healthy server answering a bad request are returned at once and count as
// successes for the breaker.
func TestUnaryClientErrorsNeitherRetriedNorCounted(t *testing.T) {
	for _, code := range []codes.Code{
		codes.InvalidArgument, codes.NotFound, codes.AlreadyExists, codes.PermissionDenied,
		codes.FailedPrecondition, codes.OutOfRange, codes.Unimplemented, codes.Unauthenticated,
	} {
		t.Run(code.String(), func(t *testing.T) {
			svc := &service{handle: func(context.Context, int64) error { return status.Error(code, "no") }}
			clk := clock.NewManual(t0)
			c := newClient(t, grpcx.ClientConfig{
				Breaker: &circuitbreaker.Config{ConsecutiveFailures: 1, Clock: clk},
				Retry:   &retry.Config{MaxAttempts: 3, Backoff: retry.BackoffConfig{Kind: retry.BackoffNone}, Clock: clk},
			})
			client, _ := serve(t, svc, nil, grpc.WithUnaryInterceptor(c.UnaryInterceptor()))
			_, err := client.EmptyCall(context.Background(), &testpb.Empty{})
			if got := status.Code(err); got != code {
				t.Fatalf("status.Code(EmptyCall) = %v want %v (err %v)", got, code, err)
			}
			if got := svc.calls.Load(); got != 1 {
				t.Errorf("server calls = %d want 1: not retried", got)
			}
			b, ok := c.Breaker(emptyCall)
			if !ok {
				t.Fatalf("Breaker(%q) not made", emptyCall)
			}
			if m := b.Metrics(); m.FailuresTotal != 0 || m.SuccessesTotal != 1 || m.State != circuitbreaker.StateClosed {
				t.Errorf("breaker failures %d successes %d state %v; want 0, 1, closed", m.FailuresTotal, m.SuccessesTotal, m.State)
			}
			var se *grpcx.StatusError
			if !errors.As(err, &se) || se.ResilienceOutcome() != resilience.OutcomeSuccess {
				t.Errorf("error %T does not report a success outcome", err)
			}
		})
	}
}

// TestUnaryBreakerOpensAndRejectsLocally checks that failures open the
// breaker, after which calls fail locally with ErrOpen and Unavailable.
func TestUnaryBreakerOpensAndRejectsLocally(t *testing.T) {
	for _, tc := range []struct {
		name        string
		maxAttempts int
		calls       int // calls before the breaker is open
	}{
		{"no-retry", 1, 3},
		{"retry-stops-when-open", 5, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := &service{handle: func(context.Context, int64) error { return status.Error(codes.Unavailable, "down") }}
			clk := clock.NewManual(t0)
			c := newClient(t, grpcx.ClientConfig{
				Breaker: &circuitbreaker.Config{ConsecutiveFailures: 3, OpenDuration: time.Minute, Clock: clk},
				Retry:   &retry.Config{MaxAttempts: tc.maxAttempts, Backoff: retry.BackoffConfig{Kind: retry.BackoffNone}, Clock: clk},
			})
			client, _ := serve(t, svc, nil, grpc.WithUnaryInterceptor(c.UnaryInterceptor()))
			for i := range tc.calls {
				_, err := client.EmptyCall(context.Background(), &testpb.Empty{})
				if status.Code(err) != codes.Unavailable {
					t.Fatalf("call %d: status.Code = %v want Unavailable (err %v)", i, status.Code(err), err)
				}
			}
			if got := svc.calls.Load(); got != 3 {
				t.Fatalf("server calls = %d want 3", got)
			}
			_, err := client.EmptyCall(context.Background(), &testpb.Empty{})
			if !errors.Is(err, circuitbreaker.ErrOpen) || !errors.Is(err, resilience.ErrRejected) {
				t.Errorf("EmptyCall on an open breaker = %v want ErrOpen", err)
			}
			if got := status.Code(err); got != codes.Unavailable {
				t.Errorf("status.Code(ErrOpen) = %v want Unavailable", got)
			}
			if got := svc.calls.Load(); got != 3 {
				t.Errorf("server calls after the rejection = %d want 3", got)
			}
		})
	}
}

// TestBreakerScope checks which calls share a breaker.
func TestBreakerScope(t *testing.T) {
	for _, tc := range []struct {
		scope      grpcx.BreakerScope
		unaryCalls int64 // server calls of UnaryCall after EmptyCall's breaker opened
	}{
		{grpcx.ScopeMethod, 1},
		{grpcx.ScopeTarget, 0},
		{grpcx.ScopeClient, 0},
	} {
		t.Run(string(tc.scope), func(t *testing.T) {
			var unary int64
			svc := &service{}
			svc.handle = func(ctx context.Context, _ int64) error {
				if m, _ := grpc.Method(ctx); m == emptyCall {
					return status.Error(codes.Unavailable, "down")
				}
				unary++
				return nil
			}
			c := newClient(t, grpcx.ClientConfig{
				Breaker:      &circuitbreaker.Config{ConsecutiveFailures: 1, Clock: clock.NewManual(t0)},
				BreakerScope: tc.scope,
			})
			client, _ := serve(t, svc, nil, grpc.WithUnaryInterceptor(c.UnaryInterceptor()))
			if _, err := client.EmptyCall(context.Background(), &testpb.Empty{}); status.Code(err) != codes.Unavailable {
				t.Fatalf("EmptyCall = %v want Unavailable", err)
			}
			_, err := client.UnaryCall(context.Background(), &testpb.SimpleRequest{})
			if tc.unaryCalls == 1 && err != nil {
				t.Errorf("UnaryCall = %v want nil: its breaker is its own", err)
			}
			if tc.unaryCalls == 0 && !errors.Is(err, circuitbreaker.ErrOpen) {
				t.Errorf("UnaryCall = %v want ErrOpen: the breaker is shared", err)
			}
			if unary != tc.unaryCalls {
				t.Errorf("UnaryCall server calls = %d want %d", unary, tc.unaryCalls)
			}
		})
	}
}

// TestUnaryAttemptTimeoutRetried checks that an attempt cut short by
// AttemptTimeout is retried while the caller's deadline lasts.
func TestUnaryAttemptTimeoutRetried(t *testing.T) {
	svc := &service{handle: func(ctx context.Context, n int64) error {
		if n == 1 {
			<-ctx.Done() // the first attempt hangs until the client gives up on it
			return ctx.Err()
		}
		return nil
	}}
	c := newClient(t, grpcx.ClientConfig{
		Breaker:        &circuitbreaker.Config{Clock: clock.NewManual(t0)},
		Retry:          &retry.Config{MaxAttempts: 2, Backoff: retry.BackoffConfig{Kind: retry.BackoffNone}},
		AttemptTimeout: 50 * time.Millisecond,
	})
	client, _ := serve(t, svc, nil, grpc.WithUnaryInterceptor(c.UnaryInterceptor()))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := client.EmptyCall(ctx, &testpb.Empty{}); err != nil {
		t.Fatalf("EmptyCall = %v want nil after a retry", err)
	}
	if got := svc.calls.Load(); got != 2 {
		t.Errorf("server calls = %d want 2", got)
	}
	b, _ := c.Breaker(emptyCall)
	if m := b.Metrics(); m.FailuresTotal != 1 || m.SuccessesTotal != 1 {
		t.Errorf("breaker failures %d successes %d; want 1 and 1", m.FailuresTotal, m.SuccessesTotal)
	}
}

// TestUnaryCancelledDuringBackoff checks the error of a call whose caller
// gives up while it waits to retry.
func TestUnaryCancelledDuringBackoff(t *testing.T) {
	svc := &service{handle: func(context.Context, int64) error { return status.Error(codes.Unavailable, "down") }}
	clk := clock.NewManual(t0)
	c := newClient(t, grpcx.ClientConfig{Retry: &retry.Config{MaxAttempts: 3, Backoff: constantBackoff(time.Hour), Clock: clk}})
	client, _ := serve(t, svc, nil, grpc.WithUnaryInterceptor(c.UnaryInterceptor()))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := client.EmptyCall(ctx, &testpb.Empty{})
		done <- err
	}()
	clk.WaitForTimers(1) // the first attempt failed; the retry waits
	cancel()
	err := <-done
	if got := status.Code(err); got != codes.Canceled {
		t.Errorf("status.Code = %v want Canceled", got)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(%v, context.Canceled) = false", err)
	}
	var se *grpcx.StatusError
	if !errors.As(err, &se) || se.ResilienceOutcome() != resilience.OutcomeIgnored {
		t.Errorf("error %v does not report an ignored outcome", err)
	}
	if got := svc.calls.Load(); got != 1 {
		t.Errorf("server calls = %d want 1", got)
	}
}
