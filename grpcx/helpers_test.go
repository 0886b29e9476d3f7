package grpcx_test

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"

	"github.com/resilience-go/resilience"
)

// t0 is the manual clocks' start.
var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// service is a TestService whose behaviour each test sets before the
// server starts: handle decides the error of the n-th call (1-based).
type service struct {
	testpb.UnimplementedTestServiceServer
	handle func(ctx context.Context, n int64) error
	calls  atomic.Int64

	mu sync.Mutex
	md []metadata.MD
}

func (s *service) call(ctx context.Context) error {
	n := s.calls.Add(1)
	md, _ := metadata.FromIncomingContext(ctx)
	s.mu.Lock()
	s.md = append(s.md, md)
	s.mu.Unlock()
	if s.handle != nil {
		return s.handle(ctx, n)
	}
	return nil
}

// metadata returns the incoming metadata of every call, in order.
func (s *service) metadata() []metadata.MD {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]metadata.MD(nil), s.md...)
}

func (s *service) EmptyCall(ctx context.Context, _ *testpb.Empty) (*testpb.Empty, error) {
	if err := s.call(ctx); err != nil {
		return nil, err
	}
	return &testpb.Empty{}, nil
}

func (s *service) UnaryCall(ctx context.Context, req *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	if err := s.call(ctx); err != nil {
		return nil, err
	}
	return &testpb.SimpleResponse{Payload: req.GetPayload()}, nil
}

// StreamingOutputCall sends one response per response parameter, then ends
// with handle's error.
func (s *service) StreamingOutputCall(req *testpb.StreamingOutputCallRequest, stream testpb.TestService_StreamingOutputCallServer) error {
	for range req.GetResponseParameters() {
		if err := stream.Send(&testpb.StreamingOutputCallResponse{}); err != nil {
			return err
		}
	}
	return s.call(stream.Context())
}

// StreamingInputCall counts the payload bytes the client sends, then
// answers with handle's error or the count.
func (s *service) StreamingInputCall(stream testpb.TestService_StreamingInputCallServer) error {
	var n int32
	for {
		req, err := stream.Recv()
		if err == io.EOF {
			if err := s.call(stream.Context()); err != nil {
				return err
			}
			return stream.SendAndClose(&testpb.StreamingInputCallResponse{AggregatedPayloadSize: n})
		}
		if err != nil {
			return err
		}
		n += int32(len(req.GetPayload().GetBody()))
	}
}

// FullDuplexCall echoes until the client closes its side, then ends with
// handle's error.
func (s *service) FullDuplexCall(stream testpb.TestService_FullDuplexCallServer) error {
	for {
		req, err := stream.Recv()
		if err != nil {
			return s.call(stream.Context())
		}
		if err := stream.Send(&testpb.StreamingOutputCallResponse{Payload: req.GetPayload()}); err != nil {
			return err
		}
	}
}

// serve starts a real gRPC server for svc on a loopback TCP port and
// returns a client connected to it; both are closed when the test ends.
func serve(t testing.TB, svc testpb.TestServiceServer, srvOpts []grpc.ServerOption, dialOpts ...grpc.DialOption) (testpb.TestServiceClient, *grpc.ClientConn) {
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
	opts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDisableRetry(),
	}, dialOpts...)
	conn, err := grpc.NewClient(lis.Addr().String(), opts...)
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return testpb.NewTestServiceClient(conn), conn
}

// events records a policy's events.
type events struct {
	mu  sync.Mutex
	all []resilience.Event
}

func (e *events) OnEvent(ev resilience.Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
}

func (e *events) of(kind resilience.EventKind) []resilience.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []resilience.Event
	for _, ev := range e.all {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

// recordingGuard admits every call and sends each outcome it is told.
type recordingGuard struct {
	acquired atomic.Int64
	done     chan error
}

func newRecordingGuard() *recordingGuard { return &recordingGuard{done: make(chan error, 16)} }

func (g *recordingGuard) Acquire(context.Context) (resilience.Permit, error) {
	g.acquired.Add(1)
	return resilience.NewPermit(g, 0, 0), nil
}

func (g *recordingGuard) Release(_ resilience.Permit, err error) { g.done <- err }

// next returns the next outcome reported, failing the test after a long
// bound (a real network is involved).
func (g *recordingGuard) next(t *testing.T) error {
	t.Helper()
	select {
	case err := <-g.done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("no outcome reported to the guard within 10s")
		return nil
	}
}
