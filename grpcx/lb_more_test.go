package grpcx_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience/balancer"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/grpcx"
)

// TestBalancerEveryEndpointUnhealthy: when the health checks take out
// every connected endpoint, calls fail at once with Unavailable (or pick
// among all in panic mode), and a wait-for-ready call waits for an
// endpoint to come back.
func TestBalancerEveryEndpointUnhealthy(t *testing.T) {
	for _, panicMode := range []bool{false, true} {
		name := "fail"
		if panicMode {
			name = "panic-mode"
		}
		t.Run(name, func(t *testing.T) {
			clk := clock.NewManual(t0)
			a, b := startBackend(t, "a", nil), startBackend(t, "b", nil)
			reg := newRegistry(t, svcName, nil, a, b)
			ev := &lbEvents{}
			lbName := registerLB(t, grpcx.BalancerBuilderConfig{Clock: clk, Listener: ev})
			js := `{"healthCheck": {"interval": "1s", "unhealthyThreshold": 1, "healthyThreshold": 1}}`
			if panicMode {
				js = `{"panicMode": true, "healthCheck": {"interval": "1s", "unhealthyThreshold": 1, "healthyThreshold": 1}}`
			}
			client, conn := dialLB(t, reg, svcName, lbName, js)
			warmUp(t, client, a, b)
			clk.WaitForTimers(2)
			a.health.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
			b.health.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
			clk.Advance(time.Second)
			if n := ev.transitions("unhealthy"); n != 2 {
				t.Fatalf("transitions to unhealthy = %d want 2", n)
			}
			err := call(client)
			if panicMode {
				if err != nil {
					t.Fatalf("call in panic mode = %v want nil", err)
				}
				return
			}
			if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "ejected or unhealthy") {
				t.Fatalf("call with every endpoint unhealthy = %v want Unavailable", err)
			}
			waitState(t, conn, connectivity.TransientFailure)

			done := make(chan error, 1)
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), bound)
				defer cancel()
				_, err := client.EmptyCall(ctx, &testpb.Empty{}, grpc.WaitForReady(true))
				done <- err
			}()
			a.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
			clk.Advance(time.Second)
			if err := <-done; err != nil {
				t.Fatalf("wait-for-ready call = %v want nil once a recovered", err)
			}
			waitState(t, conn, connectivity.Ready)
		})
	}
}

// waitState waits, bounded, for conn to reach want.
func waitState(t *testing.T, conn *grpc.ClientConn, want connectivity.State) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	for s := conn.GetState(); s != want; s = conn.GetState() {
		if !conn.WaitForStateChange(ctx, s) {
			t.Fatalf("conn state %v, not %v within %v", s, want, bound)
		}
	}
}

// TestBalancerNoReachableEndpoint: with no address, or none that accepts
// connections, calls fail with Unavailable instead of hanging.
func TestBalancerNoReachableEndpoint(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := lis.Addr().(*net.TCPAddr).Port
	lis.Close() // nothing listens there now
	for _, tc := range []struct {
		name string
		set  []discovery.Instance
	}{
		{"no-address", nil},
		{"refused", []discovery.Instance{{ID: "gone", Service: svcName, Address: "127.0.0.1", Port: port}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := discovery.NewMemory()
			defer reg.Close()
			for _, i := range tc.set {
				if err := reg.Register(context.Background(), i); err != nil {
					t.Fatal(err)
				}
			}
			client, _ := dialLB(t, reg, svcName, registerLB(t, grpcx.BalancerBuilderConfig{}), `{}`)
			if err := call(client); status.Code(err) != codes.Unavailable {
				t.Errorf("call = %v want Unavailable", err)
			}
		})
	}
}

func TestHealthProber(t *testing.T) {
	up, down := startBackend(t, "up", nil), startBackend(t, "down", nil)
	down.health.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	up.health.SetServingStatus("svc", healthpb.HealthCheckResponse_SERVING)
	plain := startPlain(t) // no Health service at all
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := lis.Addr().String()
	lis.Close()
	for _, tc := range []struct {
		name    string
		prober  grpcx.HealthProber
		addr    string
		ok      bool
		failed  bool // wraps balancer.ErrProbeFailed
		timeout time.Duration
	}{
		{"serving", grpcx.HealthProber{}, up.addr, true, false, bound},
		{"serving-service", grpcx.HealthProber{Service: "svc"}, up.addr, true, false, bound},
		{"not-serving", grpcx.HealthProber{}, down.addr, false, true, bound},
		{"unknown-service", grpcx.HealthProber{Service: "nope"}, up.addr, false, false, bound},
		{"no-health-service", grpcx.HealthProber{}, plain, true, false, bound},
		{"refused", grpcx.HealthProber{}, closed, false, false, 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			err := tc.prober.Probe(ctx, balancer.Endpoint{Addr: tc.addr})
			if (err == nil) != tc.ok || errors.Is(err, balancer.ErrProbeFailed) != tc.failed {
				t.Errorf("Probe(%s) = %v want ok %v, ErrProbeFailed %v", tc.addr, err, tc.ok, tc.failed)
			}
		})
	}
}

// startPlain starts a gRPC server with the TestService only.
func startPlain(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	testpb.RegisterTestServiceServer(srv, &service{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	t.Cleanup(func() {
		srv.Stop()
		<-done
	})
	return lis.Addr().String()
}

// TestBalancerProbesOverFreshConnections: with HealthProber as the
// builder's Prober, the checks dial the endpoint instead of using its
// SubConn, and still take a NOT_SERVING server out.
func TestBalancerProbesOverFreshConnections(t *testing.T) {
	clk := clock.NewManual(t0)
	a, sick := startBackend(t, "a", nil), startBackend(t, "sick", nil)
	reg := newRegistry(t, svcName, nil, a, sick)
	ev := &lbEvents{}
	lbName := registerLB(t, grpcx.BalancerBuilderConfig{Clock: clk, Listener: ev, Prober: grpcx.HealthProber{}})
	client, _ := dialLB(t, reg, svcName, lbName, `{"healthCheck": {"interval": "1s", "unhealthyThreshold": 1}}`)
	warmUp(t, client, a, sick)
	clk.WaitForTimers(2)
	sick.health.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	clk.Advance(time.Second)
	if n := ev.transitions("unhealthy"); n != 1 {
		t.Fatalf("transitions to unhealthy = %d want 1", n)
	}
	before := sick.svc.calls.Load()
	for range 10 {
		if err := call(client); err != nil {
			t.Fatal(err)
		}
	}
	if sick.svc.calls.Load() != before {
		t.Error("the unhealthy server got calls")
	}
}
