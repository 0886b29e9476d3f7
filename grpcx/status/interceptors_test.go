package status_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/errcode"
	"github.com/resilience-go/resilience/grpcx"
	gstatus "github.com/resilience-go/resilience/grpcx/status"
	"github.com/resilience-go/resilience/retry"
)

const emptyCall = testpb.TestService_EmptyCall_FullMethodName

// TestInterceptorsWithResilience checks, over a real connection, that
// business errors reach the client typed, are neither retried nor counted
// by the breaker, unless their definition says the dependency failed.
func TestInterceptorsWithResilience(t *testing.T) {
	reg := newRegistry(t)
	for _, tc := range []struct {
		name         string
		err          error
		wantCode     codes.Code
		wantBusiness int
		wantCalls    int64
		wantFailures uint64
	}{
		{"business-answer", reg.Wrap(errors.New("secret: sql: no rows"), codeUserNotFound, "7"),
			codes.NotFound, codeUserNotFound, 1, 0},
		{"dependency-failure", reg.New(codeDBDown), codes.Unavailable, codeDBDown, 3, 3},
		{"internal-error", errors.New("secret: nil pointer"), codes.Unknown, 0, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			codec := newCodec(t, gstatus.Config{Registry: reg})
			svc := &service{handle: func(int64) error { return tc.err }}
			clk := clock.NewManual(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
			c, err := grpcx.NewClient(grpcx.ClientConfig{
				Breaker: &circuitbreaker.Config{ConsecutiveFailures: 5, Clock: clk},
				Retry:   &retry.Config{MaxAttempts: 3, Backoff: retry.BackoffConfig{Kind: retry.BackoffNone}, Clock: clk},
			})
			if err != nil {
				t.Fatal(err)
			}
			client := serve(t, svc,
				[]grpc.ServerOption{grpc.ChainUnaryInterceptor(codec.UnaryServerInterceptor())},
				grpc.WithChainUnaryInterceptor(c.UnaryInterceptor(), codec.UnaryClientInterceptor()))

			_, err = client.EmptyCall(context.Background(), &testpb.Empty{})
			if got := status.Code(err); got != tc.wantCode {
				t.Errorf("status.Code = %v want %v (err %v)", got, tc.wantCode, err)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("client error %q leaks server internals", err)
			}
			if got := errcode.CodeOf(err); got != tc.wantBusiness {
				t.Errorf("errcode.CodeOf = %d want %d", got, tc.wantBusiness)
			}
			if got := svc.calls.Load(); got != tc.wantCalls {
				t.Errorf("server calls = %d want %d", got, tc.wantCalls)
			}
			b, _ := c.Breaker(emptyCall)
			if m := b.Metrics(); m.FailuresTotal != tc.wantFailures {
				t.Errorf("breaker failures = %d want %d", m.FailuresTotal, tc.wantFailures)
			}
		})
	}
}

// TestStreamInterceptors checks that streams carry business errors too.
func TestStreamInterceptors(t *testing.T) {
	reg := newRegistry(t)
	codec := newCodec(t, gstatus.Config{Registry: reg})
	svc := &service{handle: func(int64) error { return reg.New(codeUserNotFound, "9") }}
	client := serve(t, svc,
		[]grpc.ServerOption{grpc.ChainStreamInterceptor(codec.StreamServerInterceptor())},
		grpc.WithChainStreamInterceptor(codec.StreamClientInterceptor()))
	stream, err := client.StreamingOutputCall(context.Background(), &testpb.StreamingOutputCallRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("first Recv = %v", err)
	}
	_, err = stream.Recv()
	var be *gstatus.BusinessError
	if !errors.As(err, &be) || be.Business().Code != codeUserNotFound || be.Business().Message != "user 9 not found" {
		t.Fatalf("second Recv = %v want the business error %d", err, codeUserNotFound)
	}
	if _, err := stream.Recv(); err == nil || err == io.EOF {
		t.Errorf("Recv after the end = %v want the error again", err)
	}
}

// TestDefaultInterceptors checks the package-level interceptors, which use
// the default registry.
func TestDefaultInterceptors(t *testing.T) {
	svc := &service{handle: func(int64) error { return errcode.Newf(4242, "custom %d", 1) }}
	client := serve(t, svc,
		[]grpc.ServerOption{
			grpc.ChainUnaryInterceptor(gstatus.UnaryServerInterceptor()),
			grpc.ChainStreamInterceptor(gstatus.StreamServerInterceptor()),
		},
		grpc.WithChainUnaryInterceptor(gstatus.UnaryClientInterceptor()),
		grpc.WithChainStreamInterceptor(gstatus.StreamClientInterceptor()))
	_, err := client.EmptyCall(context.Background(), &testpb.Empty{})
	e, ok := errcode.From(err)
	if !ok || e.Code != 4242 || e.Message != "custom 1" {
		t.Fatalf("EmptyCall = %v want business error 4242 \"custom 1\"", err)
	}
	// An unregistered code maps to Internal and counts as a dependency failure.
	if status.Code(err) != codes.Internal {
		t.Errorf("status.Code = %v want Internal", status.Code(err))
	}
}
