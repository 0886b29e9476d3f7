package grpcx_test

import (
	"context"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/grpcx"
)

// TestServerDeadline checks the clamping and refusals of incoming
// deadlines, for unary calls and streams.
func TestServerDeadline(t *testing.T) {
	const max = 2 * time.Second
	for _, tc := range []struct {
		name     string
		timeout  time.Duration // zero: none
		hops     string
		wantCode codes.Code
		wantHops int
	}{
		{"24h-clamped", 24 * time.Hour, "", codes.OK, 0},
		{"none-gets-default", 0, "", codes.OK, 0},
		{"short-kept", time.Second, "3", codes.OK, 3},
		{"below-min-refused", 50 * time.Millisecond, "", codes.DeadlineExceeded, 0},
		{"absurd-hops-refused", time.Second, "1000", codes.FailedPrecondition, 0},
		{"garbled-hops-ignored", time.Second, "many", codes.OK, 0},
	} {
		for _, streaming := range []bool{false, true} {
			name := tc.name + map[bool]string{false: "/unary", true: "/stream"}[streaming]
			t.Run(name, func(t *testing.T) {
				var left time.Duration
				var bounded bool
				var hops int
				svc := &service{handle: func(ctx context.Context, _ int64) error {
					var dl time.Time
					dl, bounded = ctx.Deadline()
					left = time.Until(dl)
					hops = deadline.HopsFromContext(ctx)
					return nil
				}}
				s := newServer(t, grpcx.ServerConfig{Deadline: &deadline.ServerConfig{Max: max, Min: 100 * time.Millisecond}})
				client, _ := serve(t, svc, serverOpts(s))
				ctx := context.Background()
				if tc.timeout > 0 {
					var cancel context.CancelFunc
					ctx, cancel = context.WithTimeout(ctx, tc.timeout)
					defer cancel()
				}
				if tc.hops != "" {
					ctx = metadata.AppendToOutgoingContext(ctx, deadline.GRPCHopsKey, tc.hops)
				}
				var err error
				if streaming {
					var stream testpb.TestService_StreamingOutputCallClient
					if stream, err = client.StreamingOutputCall(ctx, outputRequest(0)); err == nil {
						_, err = stream.Recv()
						if err == io.EOF {
							err = nil
						}
					}
				} else {
					_, err = client.EmptyCall(ctx, &testpb.Empty{})
				}
				if got := status.Code(err); got != tc.wantCode {
					t.Fatalf("status.Code = %v want %v (err %v)", got, tc.wantCode, err)
				}
				if tc.wantCode != codes.OK {
					if got := svc.calls.Load(); got != 0 {
						t.Errorf("handler calls = %d want 0", got)
					}
					if got := s.Stats().DeadlineRefused; got != 1 {
						t.Errorf("Stats().DeadlineRefused = %d want 1", got)
					}
					return
				}
				if !bounded || left > max || left <= 0 {
					t.Errorf("handler deadline set %v, budget %v; want set, in (0, %v]", bounded, left, max)
				}
				if tc.timeout > 0 && tc.timeout < max && left > tc.timeout {
					t.Errorf("handler budget %v exceeds the client's %v", left, tc.timeout)
				}
				if hops != tc.wantHops {
					t.Errorf("HopsFromContext = %d want %d", hops, tc.wantHops)
				}
			})
		}
	}
}
