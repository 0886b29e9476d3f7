package grpcx_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/grpcx"
)

const svcName = "echo"

// TestBalancerSpreadsByPolicy: through the resolver and the balancer, a
// client reaches three servers and spreads sequential calls exactly as the
// policy says once all are connected.
func TestBalancerSpreadsByPolicy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		json    string
		weights []int
		calls   int
		want    []int64
	}{
		{"round_robin", `{"policy": "round_robin"}`, nil, 30, []int64{10, 10, 10}},
		{"default", `{}`, nil, 30, []int64{10, 10, 10}},
		{"weighted_round_robin", `{"policy": "weighted_round_robin"}`, []int{1, 2, 3}, 60, []int64{10, 20, 30}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b, c := startBackend(t, "a", nil), startBackend(t, "b", nil), startBackend(t, "c", nil)
			reg := newRegistry(t, svcName, tc.weights, a, b, c)
			client, _ := dialLB(t, reg, svcName, registerLB(t, grpcx.BalancerBuilderConfig{}), tc.json)
			warmUp(t, client, a, b, c)
			before := counts(a, b, c)
			for i := range tc.calls {
				if err := call(client); err != nil {
					t.Fatalf("call %d = %v want nil", i, err)
				}
			}
			if got := diff(counts(a, b, c), before); !slices.Equal(got, tc.want) {
				t.Errorf("calls per backend (%s) = %v want %v", names(a, b, c), got, tc.want)
			}
		})
	}
}

// TestBalancerPeakEWMAAvoidsSlowServer: a server 50 ms slower than its
// peers gets fewer calls than either of them under peak_ewma.
func TestBalancerPeakEWMAAvoidsSlowServer(t *testing.T) {
	slow := func(ctx context.Context, _ int64) error {
		select {
		case <-time.After(50 * time.Millisecond):
		case <-ctx.Done():
		}
		return nil
	}
	a, b, c := startBackend(t, "a", nil), startBackend(t, "b", nil), startBackend(t, "slow", slow)
	reg := newRegistry(t, svcName, nil, a, b, c)
	client, _ := dialLB(t, reg, svcName, registerLB(t, grpcx.BalancerBuilderConfig{}), `{"policy": "peak_ewma"}`)
	warmUp(t, client, a, b, c)
	before := counts(a, b, c)
	for i := range 60 {
		if err := call(client); err != nil {
			t.Fatalf("call %d = %v want nil", i, err)
		}
	}
	got := diff(counts(a, b, c), before)
	if got[2] >= got[0] || got[2] >= got[1] {
		t.Errorf("calls per backend (%s) = %v: the slow one should get the fewest", names(a, b, c), got)
	}
}

// TestBalancerServerStops: when a server stops, its SubConn goes down and
// calls keep succeeding on the others.
func TestBalancerServerStops(t *testing.T) {
	a, b, c := startBackend(t, "a", nil), startBackend(t, "b", nil), startBackend(t, "c", nil)
	reg := newRegistry(t, svcName, nil, a, b, c)
	client, conn := dialLB(t, reg, svcName, registerLB(t, grpcx.BalancerBuilderConfig{}), `{"policy": "round_robin"}`)
	warmUp(t, client, a, b, c)

	b.stop()
	// Calls may fail while the client learns that b is gone (the ones
	// already on its connection); then they all succeed.
	successes(t, client, 20)
	stoppedAt := b.svc.calls.Load()
	before := counts(a, c)
	for range 30 {
		if err := call(client); err != nil {
			t.Fatalf("call = %v want nil", err)
		}
	}
	if got := diff(counts(a, c), before); got[0]+got[1] != 30 || got[0] == 0 || got[1] == 0 {
		t.Errorf("calls to a, c = %v want 30 spread over both", got)
	}
	if b.svc.calls.Load() != stoppedAt {
		t.Error("the stopped server got calls")
	}
	if s := conn.GetState(); s != connectivity.Ready {
		t.Errorf("conn.GetState() = %v want READY", s)
	}
}

// events collected from a balancer, safe for concurrent use.
type lbEvents struct {
	mu  sync.Mutex
	all []resilience.Event
}

func (e *lbEvents) OnEvent(ev resilience.Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
}

func (e *lbEvents) transitions(to string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.all {
		if ev.Kind == resilience.EventStateChange && ev.To == to {
			n++
		}
	}
	return n
}

// TestBalancerEjectsFailingServer: a server that answers Unavailable is
// ejected after three failures in a row, and gets no calls while ejected;
// the ejection ends with its time.
func TestBalancerEjectsFailingServer(t *testing.T) {
	clk := clock.NewManual(t0)
	var failing atomic.Bool
	failing.Store(true)
	bad := startBackend(t, "bad", func(context.Context, int64) error {
		if failing.Load() {
			return status.Error(codes.Unavailable, "overloaded")
		}
		return nil
	})
	a, c := startBackend(t, "a", nil), startBackend(t, "c", nil)
	reg := newRegistry(t, svcName, nil, a, bad, c)
	ev := &lbEvents{}
	name := registerLB(t, grpcx.BalancerBuilderConfig{Clock: clk, Listener: ev})
	client, _ := dialLB(t, reg, svcName, name,
		`{"policy": "round_robin", "outlier": {"consecutiveFailures": 3, "interval": "1s", "baseEjectionTime": "30s"}}`)
	warmUp(t, client, a, bad, c)
	until(t, "the failing server ejected", client, func() bool { return ev.transitions("ejected") > 0 })

	before := counts(a, bad, c)
	for i := range 30 {
		if err := call(client); err != nil {
			t.Fatalf("call %d while the bad server is ejected = %v want nil", i, err)
		}
	}
	if got := diff(counts(a, bad, c), before); got[1] != 0 || got[0]+got[2] != 30 {
		t.Errorf("calls per backend (%s) while ejected = %v want none to bad", names(a, bad, c), got)
	}

	// The ejection ends with its time; the server, healthy now, gets its
	// share again.
	failing.Store(false)
	clk.Advance(31 * time.Second)
	until(t, "the ejected server back", client, func() bool { return bad.svc.calls.Load() > before[1] })
}

// TestBalancerAvoidsNotServingServer: the active health checks take out a
// server whose Health service says NOT_SERVING, and bring it back once it
// serves again.
func TestBalancerAvoidsNotServingServer(t *testing.T) {
	clk := clock.NewManual(t0)
	a, sick, c := startBackend(t, "a", nil), startBackend(t, "sick", nil), startBackend(t, "c", nil)
	reg := newRegistry(t, svcName, nil, a, sick, c)
	ev := &lbEvents{}
	name := registerLB(t, grpcx.BalancerBuilderConfig{Clock: clk, Listener: ev})
	client, _ := dialLB(t, reg, svcName, name,
		`{"policy": "round_robin", "healthCheck": {"interval": "1s", "unhealthyThreshold": 2, "healthyThreshold": 1}}`)
	warmUp(t, client, a, sick, c)
	clk.WaitForTimers(3) // one probe per connected endpoint

	sick.health.SetServingStatus("", healthpb.HealthCheckResponse_NOT_SERVING)
	for range 2 {
		clk.Advance(time.Second) // runs the probes
	}
	if n := ev.transitions("unhealthy"); n != 1 {
		t.Fatalf("transitions to unhealthy = %d want 1", n)
	}
	before := counts(a, sick, c)
	for i := range 30 {
		if err := call(client); err != nil {
			t.Fatalf("call %d = %v want nil", i, err)
		}
	}
	if got := diff(counts(a, sick, c), before); got[1] != 0 || got[0] != 15 || got[2] != 15 {
		t.Errorf("calls per backend (%s) = %v want 15, 0, 15", names(a, sick, c), got)
	}

	sick.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	clk.Advance(time.Second)
	if n := ev.transitions("available"); n != 1 {
		t.Fatalf("transitions back to available = %d want 1", n)
	}
	before = counts(a, sick, c)
	for range 30 {
		if err := call(client); err != nil {
			t.Fatal(err)
		}
	}
	if got := diff(counts(a, sick, c), before); !slices.Equal(got, []int64{10, 10, 10}) {
		t.Errorf("calls per backend (%s) after recovery = %v want 10 each", names(a, sick, c), got)
	}
}

// TestBalancerFollowsRegistry: servers registered and deregistered while
// calls flow get and lose their share, and no call fails.
func TestBalancerFollowsRegistry(t *testing.T) {
	a, b, c := startBackend(t, "a", nil), startBackend(t, "b", nil), startBackend(t, "c", nil)
	reg := newRegistry(t, svcName, nil, a, b)
	client, _ := dialLB(t, reg, svcName, registerLB(t, grpcx.BalancerBuilderConfig{}), `{"policy": "round_robin"}`)
	warmUp(t, client, a, b)

	// Four goroutines call without pause meanwhile.
	stop := make(chan struct{})
	var failed, made atomic.Int64
	var firstErr atomic.Pointer[error]
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := call(client); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, &err)
				}
				made.Add(1)
			}
		}()
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(bound)
		for !cond() {
			if time.Now().After(deadline) {
				close(stop)
				<-done
				t.Fatalf("%s: not within %v", what, bound)
			}
			time.Sleep(time.Millisecond)
		}
	}

	if err := reg.Register(context.Background(), c.instance(svcName, 1)); err != nil {
		t.Fatal(err)
	}
	waitFor("the registered server getting calls", func() bool { return c.svc.calls.Load() > 0 })
	if err := reg.Deregister(context.Background(), a.name); err != nil {
		t.Fatal(err)
	}
	// Once a has had no call during 200 calls, it is out of the picker.
	var last, since int64
	waitFor("the deregistered server out", func() bool {
		n := a.svc.calls.Load()
		if n != last {
			last, since = n, made.Load()
		}
		return made.Load()-since > 200
	})
	close(stop)
	<-done
	if n := failed.Load(); n != 0 {
		t.Errorf("%d of %d calls failed while the registry changed: %v", n, made.Load(), *firstErr.Load())
	}
	before := counts(a, b, c)
	for range 20 {
		if err := call(client); err != nil {
			t.Fatal(err)
		}
	}
	if got := diff(counts(a, b, c), before); !slices.Equal(got, []int64{0, 10, 10}) {
		t.Errorf("calls per backend (%s) = %v want 0, 10, 10", names(a, b, c), got)
	}
}
