package grpcx_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/grpcx"
	"github.com/resilience-go/resilience/retry"
)

const streamingOutput = testpb.TestService_StreamingOutputCall_FullMethodName

func outputRequest(n int) *testpb.StreamingOutputCallRequest {
	return &testpb.StreamingOutputCallRequest{ResponseParameters: make([]*testpb.ResponseParameters, n)}
}

// streamEnv is a client with a breaker (one failure opens it) and a
// recording concurrency guard, talking to svc.
func streamEnv(t *testing.T, svc *service, extra ...grpc.StreamClientInterceptor) (testpb.TestServiceClient, *grpcx.Client, *recordingGuard) {
	t.Helper()
	g := newRecordingGuard()
	clk := clock.NewManual(t0)
	c := newClient(t, grpcx.ClientConfig{
		Breaker:     &circuitbreaker.Config{ConsecutiveFailures: 1, OpenDuration: time.Minute, Clock: clk},
		Retry:       &retry.Config{MaxAttempts: 3, Backoff: retry.BackoffConfig{Kind: retry.BackoffNone}, Clock: clk},
		Concurrency: g,
	})
	client, _ := serve(t, svc, nil, grpc.WithChainStreamInterceptor(append([]grpc.StreamClientInterceptor{c.StreamInterceptor()}, extra...)...))
	return client, c, g
}

// TestStreamOutcomes checks that a stream's outcome is recorded when it
// ends, however it ends.
func TestStreamOutcomes(t *testing.T) {
	t.Run("server-stream-eof-is-success", func(t *testing.T) {
		client, c, g := streamEnv(t, &service{})
		stream, err := client.StreamingOutputCall(context.Background(), outputRequest(3))
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			if _, err := stream.Recv(); err != nil {
				t.Fatalf("Recv %d = %v", i, err)
			}
		}
		if _, err := stream.Recv(); err != io.EOF {
			t.Fatalf("last Recv = %v want io.EOF", err)
		}
		if err := g.next(t); err != nil {
			t.Errorf("guard outcome = %v want nil", err)
		}
		b, _ := c.Breaker(streamingOutput)
		if m := b.Metrics(); m.SuccessesTotal != 1 || m.FailuresTotal != 0 {
			t.Errorf("breaker successes %d failures %d; want 1 and 0", m.SuccessesTotal, m.FailuresTotal)
		}
	})
	t.Run("server-stream-error-is-failure", func(t *testing.T) {
		svc := &service{handle: func(context.Context, int64) error { return status.Error(codes.Unavailable, "lost") }}
		client, c, g := streamEnv(t, svc)
		stream, err := client.StreamingOutputCall(context.Background(), outputRequest(1))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); err != nil {
			t.Fatalf("first Recv = %v", err)
		}
		_, err = stream.Recv()
		if status.Code(err) != codes.Unavailable {
			t.Fatalf("second Recv = %v want Unavailable", err)
		}
		if got := g.next(t); status.Code(got) != codes.Unavailable {
			t.Errorf("guard outcome = %v want Unavailable", got)
		}
		b, _ := c.Breaker(streamingOutput)
		if m := b.Metrics(); m.FailuresTotal != 1 || m.State != circuitbreaker.StateOpen {
			t.Fatalf("breaker failures %d state %v; want 1, open", m.FailuresTotal, m.State)
		}
		// The open breaker refuses the next stream without contacting the server.
		_, err = client.StreamingOutputCall(context.Background(), outputRequest(1))
		if !errors.Is(err, circuitbreaker.ErrOpen) || status.Code(err) != codes.Unavailable {
			t.Errorf("StreamingOutputCall on an open breaker = %v want ErrOpen with Unavailable", err)
		}
		if got := svc.calls.Load(); got != 1 {
			t.Errorf("server calls = %d want 1", got)
		}
		if got := g.next(t); !errors.Is(got, circuitbreaker.ErrOpen) {
			t.Errorf("guard outcome of the refused stream = %v want ErrOpen", got)
		}
	})
	t.Run("cancel-is-ignored", func(t *testing.T) {
		client, c, g := streamEnv(t, &service{})
		ctx, cancel := context.WithCancel(context.Background())
		stream, err := client.StreamingOutputCall(ctx, outputRequest(2))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); err != nil {
			t.Fatalf("Recv = %v", err)
		}
		cancel() // the caller walks away mid-stream
		if got := g.next(t); !errors.Is(got, context.Canceled) {
			t.Errorf("guard outcome = %v want context.Canceled", got)
		}
		b, _ := c.Breaker(streamingOutput)
		if m := b.Metrics(); m.SuccessesTotal != 0 || m.FailuresTotal != 0 {
			t.Errorf("breaker successes %d failures %d; want 0 and 0 (ignored)", m.SuccessesTotal, m.FailuresTotal)
		}
	})
	t.Run("client-stream-response-is-success", func(t *testing.T) {
		client, _, g := streamEnv(t, &service{})
		stream, err := client.StreamingInputCall(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := stream.Send(&testpb.StreamingInputCallRequest{Payload: &testpb.Payload{Body: []byte("abc")}}); err != nil {
				t.Fatalf("Send = %v", err)
			}
		}
		resp, err := stream.CloseAndRecv()
		if err != nil || resp.GetAggregatedPayloadSize() != 6 {
			t.Fatalf("CloseAndRecv = %v, %v want 6, nil", resp, err)
		}
		if err := g.next(t); err != nil {
			t.Errorf("guard outcome = %v want nil", err)
		}
	})
	t.Run("bidi-stream", func(t *testing.T) {
		client, _, g := streamEnv(t, &service{})
		stream, err := client.FullDuplexCall(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if err := stream.Send(&testpb.StreamingOutputCallRequest{}); err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); err != nil {
			t.Fatal(err)
		}
		if err := stream.CloseSend(); err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); err != io.EOF {
			t.Fatalf("Recv after CloseSend = %v want io.EOF", err)
		}
		if err := g.next(t); err != nil {
			t.Errorf("guard outcome = %v want nil", err)
		}
	})
}

// TestStreamCreationRetried checks that failed stream creations are
// retried, with the attempt number in the metadata, that only the
// successful one reaches the server, and that the breaker sees every
// attempt while the guards count the call once.
func TestStreamCreationRetried(t *testing.T) {
	creations := 0
	flaky := func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		creations++
		if creations <= 2 {
			return nil, status.Error(codes.Unavailable, "no transport")
		}
		return streamer(ctx, desc, cc, method, opts...)
	}
	g := newRecordingGuard()
	clk := clock.NewManual(t0)
	c := newClient(t, grpcx.ClientConfig{
		Breaker:     &circuitbreaker.Config{ConsecutiveFailures: 3, Clock: clk},
		Retry:       &retry.Config{MaxAttempts: 3, Backoff: retry.BackoffConfig{Kind: retry.BackoffNone}, Clock: clk},
		Concurrency: g,
	})
	svc := &service{}
	client, _ := serve(t, svc, nil, grpc.WithChainStreamInterceptor(c.StreamInterceptor(), flaky))
	stream, err := client.StreamingOutputCall(context.Background(), outputRequest(0))
	if err != nil {
		t.Fatalf("StreamingOutputCall = %v want nil after retries", err)
	}
	if _, err := stream.Recv(); err != io.EOF {
		t.Fatalf("Recv = %v want io.EOF", err)
	}
	if creations != 3 {
		t.Errorf("stream creations = %d want 3", creations)
	}
	if got := first(svc.metadata()[0], retry.GRPCPreviousAttemptsKey); got != "2" {
		t.Errorf("%s = %q want \"2\"", retry.GRPCPreviousAttemptsKey, got)
	}
	if err := g.next(t); err != nil {
		t.Errorf("guard outcome = %v want nil", err)
	}
	if got := g.acquired.Load(); got != 1 {
		t.Errorf("guard acquired %d times want 1: guards count the call, not the attempts", got)
	}
	b, _ := c.Breaker(streamingOutput)
	if m := b.Metrics(); m.FailuresTotal != 2 || m.SuccessesTotal != 1 {
		t.Errorf("breaker failures %d successes %d; want 2 and 1", m.FailuresTotal, m.SuccessesTotal)
	}
}
