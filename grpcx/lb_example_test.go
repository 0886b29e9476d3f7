package grpcx_test

import (
	"context"
	"fmt"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	testpb "google.golang.org/grpc/interop/grpc_testing"

	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/grpcx"
	"github.com/resilience-go/resilience/health"
)

// A client finds the instances of "echo" in a discovery registry and
// spreads its calls over them with the resilience balancer, configured in
// the service config.
func ExampleNewResolverBuilder() {
	ctx := context.Background()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := grpc.NewServer()
	testpb.RegisterTestServiceServer(srv, &service{})
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()

	reg := discovery.NewMemory()
	defer reg.Close()
	port := lis.Addr().(*net.TCPAddr).Port
	if err := reg.Register(ctx, discovery.Instance{ID: "echo-1", Service: "echo", Address: "127.0.0.1", Port: port}); err != nil {
		panic(err)
	}

	rb, err := grpcx.NewResolverBuilder("disco", reg)
	if err != nil {
		panic(err)
	}
	conn, err := grpc.NewClient("disco:///echo",
		grpc.WithResolvers(rb),
		grpc.WithDefaultServiceConfig(`{"loadBalancingConfig": [{"resilience_balancer": {
			"policy": "least_request",
			"outlier": {"consecutiveFailures": 5},
			"healthCheck": {"interval": "5s"}}}]}`),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	_, err = testpb.NewTestServiceClient(conn).EmptyCall(ctx, &testpb.Empty{})
	fmt.Println("call:", err)
	// Output:
	// call: <nil>
}

func ExampleParseBalancerConfig() {
	_, cfg, err := grpcx.ParseBalancerConfig([]byte(`{"policy": "peak_ewma", "outlier": {"consecutiveFailures": 3, "baseEjectionTime": "1m"}}`))
	fmt.Println(cfg.Policy, cfg.Outlier.ConsecutiveFailures, cfg.Outlier.BaseEjectionTime, err)
	_, _, err = grpcx.ParseBalancerConfig([]byte(`{"outlier": {"interval": "ten seconds"}}`))
	fmt.Println(err)
	// Output:
	// peak_ewma 3 1m0s <nil>
	// grpcx: balancer config: outlier.interval: duration "ten seconds": time: invalid duration "ten seconds"
}

// A server exposes its health checks over grpc.health.v1; on SIGTERM,
// Shutdown turns it NOT_SERVING for load balancers and Kubernetes.
func ExampleHealthServer() {
	checker, err := health.New(health.Config{Checks: []health.Check{
		{Name: "db", Critical: true, Func: func(context.Context) error { return nil }},
	}})
	if err != nil {
		panic(err)
	}
	hs := grpcx.HealthServer(checker)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		panic(err)
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	ask := func(service string) {
		resp, err := client.Check(context.Background(), &healthpb.HealthCheckRequest{Service: service})
		fmt.Printf("%q: %v %v\n", service, resp.GetStatus(), err)
	}
	ask("")
	ask("db")
	hs.Shutdown() // SIGTERM
	ask("")
	hs.Close() // before srv.GracefulStop
	// Output:
	// "": SERVING <nil>
	// "db": SERVING <nil>
	// "": NOT_SERVING <nil>
}
