package grpcx_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/grpcx"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/retry"
)

// flaky fails its first two calls with Unavailable.
type flaky struct {
	testpb.UnimplementedTestServiceServer
	calls int
}

func (f *flaky) EmptyCall(context.Context, *testpb.Empty) (*testpb.Empty, error) {
	f.calls++
	if f.calls <= 2 {
		return nil, status.Error(codes.Unavailable, "warming up")
	}
	return &testpb.Empty{}, nil
}

// start serves svc on a loopback port and returns a connection to it,
// dialled with opts, and a function that closes both.
func start(svc testpb.TestServiceServer, srvOpts []grpc.ServerOption, opts ...grpc.DialOption) (*grpc.ClientConn, func()) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := grpc.NewServer(srvOpts...)
	testpb.RegisterTestServiceServer(srv, svc)
	go func() { _ = srv.Serve(lis) }()
	opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithDisableRetry())
	conn, err := grpc.NewClient(lis.Addr().String(), opts...)
	if err != nil {
		panic(err)
	}
	return conn, func() { _ = conn.Close(); srv.Stop() }
}

// A client with a breaker per method, retries and deadline decay rides out
// a server's transient failures.
func ExampleNewClient() {
	cfg := grpcx.DefaultClientConfig()
	cfg.Retry.Backoff = retry.BackoffConfig{Kind: retry.BackoffNone} // no wait, for the example
	c, err := grpcx.NewClient(cfg)
	if err != nil {
		panic(err)
	}
	svc := &flaky{}
	conn, stop := start(svc, nil,
		grpc.WithChainUnaryInterceptor(c.UnaryInterceptor()),
		grpc.WithChainStreamInterceptor(c.StreamInterceptor()))
	defer stop()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = testpb.NewTestServiceClient(conn).EmptyCall(ctx, &testpb.Empty{})
	fmt.Println("err:", err)
	fmt.Println("server calls:", svc.calls)
	fmt.Println("retries:", c.Retry().Stats().Retries)
	b, _ := c.Breaker(testpb.TestService_EmptyCall_FullMethodName)
	fmt.Println("breaker:", b.State())
	// Output:
	// err: <nil>
	// server calls: 3
	// retries: 2
	// breaker: closed
}

// A server rate limit answers with ResourceExhausted and tells the client
// when to come back.
func ExampleNewServer() {
	lim, err := ratelimit.New(ratelimit.Config{Rate: 10, Per: time.Minute, Burst: 1, Clock: clock.NewManual(time.Time{})})
	if err != nil {
		panic(err)
	}
	s, err := grpcx.NewServer(grpcx.ServerConfig{RateLimit: lim})
	if err != nil {
		panic(err)
	}
	conn, stop := start(&flaky{calls: 2}, []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(s.UnaryInterceptor()),
		grpc.ChainStreamInterceptor(s.StreamInterceptor()),
	})
	defer stop()

	client := testpb.NewTestServiceClient(conn)
	for range 2 {
		_, err := client.EmptyCall(context.Background(), &testpb.Empty{})
		st := status.Convert(err)
		fmt.Println(st.Code())
		for _, d := range st.Details() {
			if ri, ok := d.(*errdetails.RetryInfo); ok {
				fmt.Println("retry after", ri.GetRetryDelay().AsDuration())
			}
		}
	}
	fmt.Println("rate limited:", s.Stats().RateLimited)
	// Output:
	// OK
	// ResourceExhausted
	// retry after 6s
	// rate limited: 1
}

// An open breaker fails calls locally with an error that is both
// circuitbreaker.ErrOpen and an Unavailable status.
func ExampleStatusError() {
	c, err := grpcx.NewClient(grpcx.ClientConfig{
		Breaker: &circuitbreaker.Config{ConsecutiveFailures: 1, Clock: clock.NewManual(time.Time{})},
	})
	if err != nil {
		panic(err)
	}
	invoke := c.UnaryInterceptor()
	down := func(context.Context, string, any, any, *grpc.ClientConn, ...grpc.CallOption) error {
		return status.Error(codes.Unavailable, "connection refused")
	}
	for range 2 {
		err := invoke(context.Background(), "/pkg.Service/Method", nil, nil, nil, down)
		fmt.Println(status.Code(err), errors.Is(err, circuitbreaker.ErrOpen))
	}
	// Output:
	// Unavailable false
	// Unavailable true
}

// OutcomeFor tells breakers which codes reveal a failing dependency.
func ExampleOutcomeFor() {
	for _, c := range []codes.Code{codes.Unavailable, codes.NotFound, codes.Aborted, codes.Canceled} {
		fmt.Println(c, grpcx.OutcomeFor(c))
	}
	// Output:
	// Unavailable failure
	// NotFound success
	// Aborted ignored
	// Canceled ignored
}
