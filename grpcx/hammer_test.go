package grpcx_test

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/grpcx"
	"github.com/resilience-go/resilience/retry"
)

// TestHammer runs unary calls and streams from many goroutines through
// both sets of interceptors, for the race detector, and checks that every
// outcome was accounted for and every slot released.
func TestHammer(t *testing.T) {
	lim, err := adaptive.New(adaptive.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	dl := deadline.DefaultConfig()
	s := newServer(t, grpcx.ServerConfig{Concurrency: lim, Deadline: &deadline.ServerConfig{Max: time.Minute}})
	c := newClient(t, grpcx.ClientConfig{
		Breaker:      &circuitbreaker.Config{}, // counts, never opens
		BreakerScope: grpcx.ScopeTarget,
		Retry:        &retry.Config{MaxAttempts: 3, Backoff: retry.BackoffConfig{Kind: retry.BackoffNone}},
		Deadline:     &dl,
	})
	svc := &service{handle: func(_ context.Context, n int64) error {
		if n%3 == 0 {
			return status.Error(codes.Unavailable, "flaky")
		}
		return nil
	}}
	client, conn := serve(t, svc, serverOpts(s),
		grpc.WithChainUnaryInterceptor(c.UnaryInterceptor()),
		grpc.WithChainStreamInterceptor(c.StreamInterceptor()))

	const workers, calls = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*calls)
	for w := range workers {
		wg.Go(func() {
			for i := range calls {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				ctx = metadata.AppendToOutgoingContext(ctx, grpcx.DefaultPriorityKey, "high")
				var err error
				if (w+i)%4 == 0 {
					var stream testpb.TestService_StreamingOutputCallClient
					if stream, err = client.StreamingOutputCall(ctx, outputRequest(2)); err == nil {
						for err == nil {
							_, err = stream.Recv()
						}
						if err == io.EOF {
							err = nil
						}
					}
				} else {
					_, err = client.EmptyCall(ctx, &testpb.Empty{})
				}
				cancel()
				if c := status.Code(err); c != codes.OK && c != codes.Unavailable {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("unexpected error: %v", err)
	}
	b, ok := c.Breaker(conn.Target())
	if !ok {
		t.Fatalf("no breaker for target %q", conn.Target())
	}
	m := b.Metrics()
	served := svc.calls.Load() + int64(s.Stats().Shed)
	if got := int64(m.SuccessesTotal + m.FailuresTotal); got != served {
		t.Errorf("breaker recorded %d outcomes (%d ok, %d failed) for %d calls served or shed", got, m.SuccessesTotal, m.FailuresTotal, served)
	}
	if got := lim.InFlight(); got != 0 {
		t.Errorf("server InFlight after the hammer = %d want 0", got)
	}
	if st := s.Stats(); st.Panics != 0 || st.DeadlineRefused != 0 {
		t.Errorf("server stats = %+v want no panics or refusals", st)
	}
}
