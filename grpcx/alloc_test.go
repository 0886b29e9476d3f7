package grpcx_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/grpcx"
	"github.com/resilience-go/resilience/retry"
)

func okInvoker(context.Context, string, any, any, *grpc.ClientConn, ...grpc.CallOption) error {
	return nil
}

// TestClientAllocs checks what the client interceptor allocates around a
// call (the invoker is a stub, so grpc-go's own allocations are left out).
func TestClientAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	clk := clock.NewManual(t0)
	dl := deadline.DefaultConfig()
	for _, tc := range []struct {
		name  string
		cfg   grpcx.ClientConfig
		open  bool
		ctxDL bool
		want  float64
	}{
		{"breaker+retry", grpcx.ClientConfig{
			Breaker: &circuitbreaker.Config{Clock: clk}, Retry: &retry.Config{Clock: clk}, IgnorePushback: true,
		}, false, false, 0},
		{"rejected", grpcx.ClientConfig{
			Breaker: &circuitbreaker.Config{Clock: clk}, Retry: &retry.Config{Clock: clk}, IgnorePushback: true,
		}, true, false, 0},
		// A trailer to read pushback from: the MD and the option slice, in
		// one allocation.
		{"pushback", grpcx.ClientConfig{Breaker: &circuitbreaker.Config{Clock: clk}}, false, false, 1},
		// Deadline decay: the derived context with its timer and cancel
		// function, the outgoing metadata context holding a shared MD of
		// the hop count.
		{"deadline", grpcx.ClientConfig{Deadline: &dl, IgnorePushback: true}, false, true, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, tc.cfg)
			invoke := c.UnaryInterceptor()
			ctx := context.Background()
			if tc.ctxDL {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, time.Hour)
				defer cancel()
			}
			if err := invoke(ctx, emptyCall, nil, nil, nil, okInvoker); err != nil {
				t.Fatal(err)
			}
			if tc.open {
				b, _ := c.Breaker(emptyCall)
				b.ForceOpen()
			}
			got := testing.AllocsPerRun(100, func() {
				err := invoke(ctx, emptyCall, nil, nil, nil, okInvoker)
				if tc.open != errors.Is(err, circuitbreaker.ErrOpen) {
					t.Fatalf("invoke = %v", err)
				}
			})
			if got > tc.want {
				t.Errorf("allocations per call = %v want <= %v", got, tc.want)
			}
		})
	}
}
