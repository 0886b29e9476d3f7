package bench

import (
	"context"
	"net"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"

	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/grpcx"
	"github.com/resilience-go/resilience/retry"
)

// grpcEcho answers UnaryCall with the request's payload.
type grpcEcho struct {
	testpb.UnimplementedTestServiceServer
}

func (grpcEcho) UnaryCall(_ context.Context, req *testpb.SimpleRequest) (*testpb.SimpleResponse, error) {
	return &testpb.SimpleResponse{Payload: req.GetPayload()}, nil
}

// grpcLoopback serves grpcEcho on a loopback TCP port with srvOpts and
// returns a client dialled with dialOpts; both close when b ends.
func grpcLoopback(b *testing.B, srvOpts []grpc.ServerOption, dialOpts ...grpc.DialOption) testpb.TestServiceClient {
	b.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := grpc.NewServer(srvOpts...)
	testpb.RegisterTestServiceServer(srv, grpcEcho{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	b.Cleanup(func() {
		srv.Stop()
		<-done
	})
	opts := append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithDisableRetry()}, dialOpts...)
	conn, err := grpc.NewClient(lis.Addr().String(), opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = conn.Close() })
	return testpb.NewTestServiceClient(conn)
}

// processCPU returns the CPU time (user and system) the process has used.
// Client and server share the process, so its growth per call is the CPU
// cost of a call on both ends, which other processes on a shared machine
// disturb far less than the wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkGRPCUnaryOverhead measures a unary call over a real loopback TCP
// connection: none is grpc-go without interceptors; resilience adds grpcx's
// client interceptor (a breaker per method, three-attempt retry, per-hop
// deadline decay, pushback trailer) and its server interceptor (deadline
// admission with clamping, panic recovery); resilience-nodecay leaves out
// the decay. Both callers carry a one-hour
// deadline, so grpc-go sends grpc-timeout in both; it is within the server's
// Max, the common case. Besides ns/op it reports cpu-ns/op, the CPU time
// client and server spent per call. The target is at most 5% added time
// per call.
func BenchmarkGRPCUnaryOverhead(b *testing.B) {
	req := &testpb.SimpleRequest{Payload: &testpb.Payload{Body: make([]byte, 64)}}
	run := func(b *testing.B, client testpb.TestServiceClient) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		if _, err := client.UnaryCall(ctx, req); err != nil { // connect first
			b.Fatal(err)
		}
		b.ReportAllocs()
		cpu0 := processCPU()
		for b.Loop() {
			if _, err := client.UnaryCall(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	}
	b.Run("none", func(b *testing.B) {
		run(b, grpcLoopback(b, nil))
	})
	resilient := func(b *testing.B, decay bool) {
		br := circuitbreaker.DefaultConfig()
		rt := retry.DefaultConfig()
		cfg := grpcx.ClientConfig{Breaker: &br, Retry: &rt}
		if decay {
			dl := deadline.DefaultConfig()
			cfg.Deadline = &dl
		}
		c, err := grpcx.NewClient(cfg)
		if err != nil {
			b.Fatal(err)
		}
		s, err := grpcx.NewServer(grpcx.ServerConfig{Deadline: &deadline.ServerConfig{Max: 2 * time.Hour}})
		if err != nil {
			b.Fatal(err)
		}
		run(b, grpcLoopback(b,
			[]grpc.ServerOption{grpc.ChainUnaryInterceptor(s.UnaryInterceptor())},
			grpc.WithChainUnaryInterceptor(c.UnaryInterceptor())))
	}
	b.Run("resilience", func(b *testing.B) { resilient(b, true) })
	// Without the client's per-hop decay, whose derived deadline context
	// (a runtime timer per call) and hop-count header are most of the cost.
	b.Run("resilience-nodecay", func(b *testing.B) { resilient(b, false) })
}
