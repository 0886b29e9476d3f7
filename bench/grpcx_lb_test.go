package bench

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	testpb "google.golang.org/grpc/interop/grpc_testing"

	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/grpcx"
)

// balancedLoopback starts n grpcEcho servers and dials them through
// grpcx's resolver with the load-balancing config lb; everything closes
// when b ends.
func balancedLoopback(b *testing.B, n int, lb string) testpb.TestServiceClient {
	b.Helper()
	var specs []string
	for range n {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		srv := grpc.NewServer()
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
		specs = append(specs, lis.Addr().String())
	}
	src, err := discovery.Static("echo", specs...)
	if err != nil {
		b.Fatal(err)
	}
	rb, err := grpcx.NewResolverBuilder("bench", src)
	if err != nil {
		b.Fatal(err)
	}
	conn, err := grpc.NewClient("bench:///echo",
		grpc.WithResolvers(rb),
		grpc.WithDefaultServiceConfig(`{"loadBalancingConfig": [`+lb+`]}`),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = conn.Close() })
	client := testpb.NewTestServiceClient(conn)
	// Connect to every server before measuring.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 4 * n {
		if _, err := client.UnaryCall(ctx, &testpb.SimpleRequest{}, grpc.WaitForReady(true)); err != nil {
			b.Fatal(err)
		}
	}
	return client
}

// The balancers compared: grpc-go's round_robin and grpcx's balancer
// (round robin, with outlier detection as most users would run it).
var balancedImpls = []struct{ name, lb string }{
	{"grpc", `{"round_robin": {}}`},
	{"resilience", `{"resilience_balancer": {"policy": "round_robin", "outlier": {"consecutiveFailures": 5}}}`},
}

// BenchmarkGRPCBalancedUnary measures a unary call over loopback TCP to
// one of three servers, picked by each balancer; the difference between
// implementations is the balancer's cost per call (resolver and
// SubConns are the same). It reports cpu-ns/op, the process's CPU time per
// call, less disturbed by other processes than ns/op.
func BenchmarkGRPCBalancedUnary(b *testing.B) {
	req := &testpb.SimpleRequest{Payload: &testpb.Payload{Body: make([]byte, 64)}}
	for _, impl := range balancedImpls {
		b.Run(impl.name, func(b *testing.B) {
			client := balancedLoopback(b, 3, impl.lb)
			ctx := context.Background()
			b.ReportAllocs()
			cpu0 := processCPU()
			for b.Loop() {
				if _, err := client.UnaryCall(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// BenchmarkGRPCBalancedUnaryParallel is BenchmarkGRPCBalancedUnary with
// concurrent callers.
func BenchmarkGRPCBalancedUnaryParallel(b *testing.B) {
	req := &testpb.SimpleRequest{Payload: &testpb.Payload{Body: make([]byte, 64)}}
	for _, impl := range balancedImpls {
		b.Run(impl.name, func(b *testing.B) {
			client := balancedLoopback(b, 3, impl.lb)
			b.ReportAllocs()
			cpu0 := processCPU()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					if _, err := client.UnaryCall(ctx, req); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}
