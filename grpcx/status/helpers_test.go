package status_test

import (
	"context"
	"net"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"

	"github.com/resilience-go/resilience/errcode"
)

// The business codes of the tests, in their own registry.
const (
	codeUserNotFound = 10001
	codeUnnamed      = 10002
	codeDBDown       = 20001
)

func newRegistry(t testing.TB) *errcode.Registry {
	t.Helper()
	r := &errcode.Registry{}
	for _, d := range []errcode.Definition{
		{Code: codeUserNotFound, Name: "USER_NOT_FOUND", Message: "user %s not found", GRPC: errcode.GRPCNotFound},
		{Code: codeUnnamed, Message: "conflict", GRPC: errcode.GRPCAborted},
		{Code: codeDBDown, Name: "DB_DOWN", Message: "database unavailable", GRPC: errcode.GRPCUnavailable,
			Retryable: true, DependencyFailure: true},
	} {
		if err := r.Register(d); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// service answers EmptyCall with handle's error for the n-th call.
type service struct {
	testpb.UnimplementedTestServiceServer
	handle func(n int64) error
	calls  atomic.Int64
}

func (s *service) EmptyCall(context.Context, *testpb.Empty) (*testpb.Empty, error) {
	if err := s.handle(s.calls.Add(1)); err != nil {
		return nil, err
	}
	return &testpb.Empty{}, nil
}

func (s *service) StreamingOutputCall(_ *testpb.StreamingOutputCallRequest, stream testpb.TestService_StreamingOutputCallServer) error {
	if err := stream.Send(&testpb.StreamingOutputCallResponse{}); err != nil {
		return err
	}
	return s.handle(s.calls.Add(1))
}

// serve starts a gRPC server on a loopback TCP port and returns a client
// connected to it; both are closed when the test ends.
func serve(t testing.TB, svc testpb.TestServiceServer, srvOpts []grpc.ServerOption, dialOpts ...grpc.DialOption) testpb.TestServiceClient {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("net.Listen: %v", err)
	}
	srv := grpc.NewServer(srvOpts...)
	testpb.RegisterTestServiceServer(srv, svc)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	t.Cleanup(func() {
		srv.Stop()
		<-done
	})
	opts := append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithDisableRetry()}, dialOpts...)
	conn, err := grpc.NewClient(lis.Addr().String(), opts...)
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return testpb.NewTestServiceClient(conn)
}
