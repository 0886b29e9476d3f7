package grpcx_test

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	gbalancer "google.golang.org/grpc/balancer"
	"google.golang.org/grpc/credentials/insecure"
	grpchealth "google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	testpb "google.golang.org/grpc/interop/grpc_testing"

	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/grpcx"
)

// bound is how long the tests that involve a real network wait for a
// state before failing.
const bound = 10 * time.Second

// backend is a real gRPC server on a loopback port: the TestService and
// grpc-go's own Health service, whose statuses tests set.
type backend struct {
	name   string
	addr   string
	port   int
	svc    *service
	health *grpchealth.Server
	srv    *grpc.Server
	done   chan struct{}
}

// startBackend starts a backend; it is stopped when the test ends.
func startBackend(t *testing.T, name string, handle func(ctx context.Context, n int64) error) *backend {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("net.Listen: %v", err)
	}
	b := &backend{
		name:   name,
		addr:   lis.Addr().String(),
		port:   lis.Addr().(*net.TCPAddr).Port,
		svc:    &service{handle: handle},
		health: grpchealth.NewServer(),
		srv:    grpc.NewServer(),
		done:   make(chan struct{}),
	}
	testpb.RegisterTestServiceServer(b.srv, b.svc)
	healthpb.RegisterHealthServer(b.srv, b.health)
	go func() {
		defer close(b.done)
		_ = b.srv.Serve(lis)
	}()
	t.Cleanup(b.stop)
	return b
}

// stop stops the server and waits for it; it may be called twice.
func (b *backend) stop() {
	b.srv.Stop()
	<-b.done
}

// instance describes the backend for a registry.
func (b *backend) instance(service string, weight int) discovery.Instance {
	return discovery.Instance{
		ID: b.name, Service: service, Address: "127.0.0.1", Port: b.port, Weight: weight,
		Zone: "zone-" + b.name, Metadata: map[string]string{"name": b.name},
	}
}

var lbCount atomic.Int64

// registerLB registers a balancer builder under a name of the test's own,
// so that tests can give it their clock and listener, and returns the
// name.
func registerLB(t *testing.T, cfg grpcx.BalancerBuilderConfig) string {
	t.Helper()
	cfg.Name = fmt.Sprintf("test_lb_%d", lbCount.Add(1))
	b, err := grpcx.NewBalancerBuilder(cfg)
	if err != nil {
		t.Fatalf("NewBalancerBuilder: %v", err)
	}
	gbalancer.Register(b)
	return cfg.Name
}

var schemeCount atomic.Int64

// dialLB dials service through a resolver over src and the balancer
// registered as lbName, configured by lbJSON; the connection is closed
// when the test ends.
func dialLB(t *testing.T, src discovery.Source, service, lbName, lbJSON string) (testpb.TestServiceClient, *grpc.ClientConn) {
	t.Helper()
	scheme := "test-" + strconv.FormatInt(schemeCount.Add(1), 10)
	rb, err := grpcx.NewResolverBuilder(scheme, src)
	if err != nil {
		t.Fatalf("NewResolverBuilder: %v", err)
	}
	sc := fmt.Sprintf(`{"loadBalancingConfig": [{%q: %s}]}`, lbName, lbJSON)
	conn, err := grpc.NewClient(scheme+":///"+service,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithResolvers(rb),
		grpc.WithDefaultServiceConfig(sc))
	if err != nil {
		t.Fatalf("grpc.NewClient: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return testpb.NewTestServiceClient(conn), conn
}

// newRegistry returns a Memory registry holding the backends, closed when
// the test ends.
func newRegistry(t *testing.T, service string, weights []int, backends ...*backend) *discovery.Memory {
	t.Helper()
	reg := discovery.NewMemory()
	t.Cleanup(func() { _ = reg.Close() })
	for i, b := range backends {
		w := 1
		if weights != nil {
			w = weights[i]
		}
		if err := reg.Register(context.Background(), b.instance(service, w)); err != nil {
			t.Fatalf("Register(%s): %v", b.name, err)
		}
	}
	return reg
}

// call makes one EmptyCall bounded by bound.
func call(client testpb.TestServiceClient) error {
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	_, err := client.EmptyCall(ctx, &testpb.Empty{})
	return err
}

// counts returns each backend's calls so far.
func counts(backends ...*backend) []int64 {
	out := make([]int64, len(backends))
	for i, b := range backends {
		out[i] = b.svc.calls.Load()
	}
	return out
}

// diff returns after - before, element by element.
func diff(after, before []int64) []int64 {
	out := make([]int64, len(after))
	for i := range after {
		out[i] = after[i] - before[i]
	}
	return out
}

// warmUp makes calls until every backend has had one (so that all are
// connected), failing the test after bound. Errors are ignored: some
// backends fail on purpose.
func warmUp(t *testing.T, client testpb.TestServiceClient, backends ...*backend) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for {
		all := true
		for _, b := range backends {
			if b.svc.calls.Load() == 0 {
				all = false
			}
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not every backend got a call within %v: %v", bound, counts(backends...))
		}
		_ = call(client)
	}
}

// until makes calls until cond holds after one, failing the test after
// bound; it returns the errors of the calls made.
func until(t *testing.T, what string, client testpb.TestServiceClient, cond func() bool) []error {
	t.Helper()
	var errs []error
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v (errors: %v)", what, bound, errs)
		}
		if err := call(client); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// successes makes calls until n in a row succeed, failing the test after
// bound.
func successes(t *testing.T, client testpb.TestServiceClient, n int) {
	t.Helper()
	streak := 0
	var errs []error
	deadline := time.Now().Add(bound)
	for streak < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d calls in a row did not succeed within %v: %v", n, bound, errs)
		}
		if err := call(client); err != nil {
			errs = append(errs, err)
			streak = 0
			continue
		}
		streak++
	}
}

func names(backends ...*backend) string {
	var s []string
	for _, b := range backends {
		s = append(s, b.name)
	}
	return strings.Join(s, ",")
}
