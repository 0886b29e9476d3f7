package grpcx_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/grpcx"
	"github.com/resilience-go/resilience/retry"
)

// TestUnaryHonoursServerPushback checks that RetryInfo details and the
// grpc-retry-pushback-ms trailer set the wait before the next attempt.
func TestUnaryHonoursServerPushback(t *testing.T) {
	for _, tc := range []struct {
		name      string
		code      codes.Code
		retryInfo time.Duration
		trailer   string
		ignore    bool
		wantCalls int64
		wantDelay time.Duration
	}{
		{"retry-info", codes.ResourceExhausted, 2 * time.Second, "", false, 2, 2 * time.Second},
		{"trailer", codes.Unavailable, 0, "1500", false, 2, 1500 * time.Millisecond},
		{"larger-wins", codes.Unavailable, 3 * time.Second, "1500", false, 2, 3 * time.Second},
		{"backoff-above-hint", codes.Unavailable, 0, "5", false, 2, 10 * time.Millisecond},
		{"negative-trailer-stops", codes.Unavailable, 0, "-1", false, 1, 0},
		{"garbled-trailer-stops", codes.Unavailable, 0, "soon", false, 1, 0},
		{"ignored-trailer", codes.Unavailable, 0, "-1", true, 2, 10 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := &service{handle: func(ctx context.Context, n int64) error {
				if n > 1 {
					return nil
				}
				if tc.trailer != "" {
					_ = grpc.SetTrailer(ctx, metadata.Pairs(grpcx.PushbackKey, tc.trailer))
				}
				st := status.New(tc.code, "slow down")
				if tc.retryInfo > 0 {
					st, _ = st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(tc.retryInfo)})
				}
				return st.Err()
			}}
			clk := clock.NewManual(t0)
			ev := &events{}
			c := newClient(t, grpcx.ClientConfig{
				Retry:          &retry.Config{MaxAttempts: 2, Backoff: constantBackoff(10 * time.Millisecond), Clock: clk, Listener: ev},
				IgnorePushback: tc.ignore,
			})
			client, _ := serve(t, svc, nil, grpc.WithUnaryInterceptor(c.UnaryInterceptor()))
			done := make(chan error, 1)
			go func() {
				_, err := client.EmptyCall(context.Background(), &testpb.Empty{})
				done <- err
			}()
			var err error
			if tc.wantCalls > 1 {
				clk.WaitForTimers(1)
				if got := ev.of(resilience.EventRetry); len(got) != 1 || got[0].Delay != tc.wantDelay {
					t.Errorf("retry events = %+v want one with Delay %v", got, tc.wantDelay)
				}
				clk.Advance(tc.wantDelay)
				if err = <-done; err != nil {
					t.Errorf("EmptyCall = %v want nil", err)
				}
			} else if err = <-done; status.Code(err) != tc.code {
				t.Errorf("status.Code(EmptyCall) = %v want %v", status.Code(err), tc.code)
			}
			if got := svc.calls.Load(); got != tc.wantCalls {
				t.Errorf("server calls = %d want %d", got, tc.wantCalls)
			}
		})
	}
}
