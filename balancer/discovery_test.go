package balancer_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience/balancer"
	"github.com/resilience-go/resilience/discovery"
)

func TestFromInstances(t *testing.T) {
	meta := map[string]string{"pool": "blue"}
	tests := []struct {
		name string
		in   []discovery.Instance
		want []balancer.Endpoint
	}{
		{"none", nil, []balancer.Endpoint{}},
		{"fields", []discovery.Instance{
			{ID: "a", Service: "api", Address: "10.0.0.1", Port: 8080, Weight: 3, Zone: "eu-1a", Health: discovery.Healthy},
		}, []balancer.Endpoint{{ID: "a", Addr: "10.0.0.1:8080", Weight: 3, Zone: "eu-1a"}}},
		{"ipv6-and-zero-weight", []discovery.Instance{
			{ID: "b", Service: "api", Address: "::1", Port: 9090},
		}, []balancer.Endpoint{{ID: "b", Addr: "[::1]:9090"}}},
		{"version-into-metadata", []discovery.Instance{
			{ID: "c", Service: "api", Address: "h", Port: 1, Version: "v2", Metadata: meta},
		}, []balancer.Endpoint{{ID: "c", Addr: "h:1", Metadata: map[string]string{"pool": "blue", "version": "v2"}}}},
		{"metadata-version-wins", []discovery.Instance{
			{ID: "d", Service: "api", Address: "h", Port: 1, Version: "v2", Metadata: map[string]string{"version": "canary"}},
		}, []balancer.Endpoint{{ID: "d", Addr: "h:1", Metadata: map[string]string{"version": "canary"}}}},
		{"unhealthy-left-out", []discovery.Instance{
			{ID: "up", Service: "api", Address: "h", Port: 1, Health: discovery.Unknown},
			{ID: "down", Service: "api", Address: "h", Port: 2, Health: discovery.Unhealthy},
			{ID: "ok", Service: "api", Address: "h", Port: 3, Health: discovery.Healthy},
		}, []balancer.Endpoint{{ID: "up", Addr: "h:1"}, {ID: "ok", Addr: "h:3"}}},
		{"unusable-left-out", []discovery.Instance{
			{ID: "no-address", Service: "api", Port: 1},
			{ID: "port-0", Service: "api", Address: "h", Port: 0},
			{ID: "port-high", Service: "api", Address: "h", Port: 65536},
			{ID: "weight-negative", Service: "api", Address: "h", Port: 1, Weight: -1},
			{ID: "weight-huge", Service: "api", Address: "h", Port: 1, Weight: balancer.MaxWeight + 1},
			{ID: "fine", Service: "api", Address: "h", Port: 1, Weight: balancer.MaxWeight},
		}, []balancer.Endpoint{{ID: "fine", Addr: "h:1", Weight: balancer.MaxWeight}}},
		{"repeats-keep-the-first", []discovery.Instance{
			{ID: "x", Service: "api", Address: "h", Port: 1},
			{ID: "x", Service: "api", Address: "h", Port: 2},
			{Service: "api", Address: "h", Port: 3},
			{Service: "api", Address: "h", Port: 3, Zone: "z"},
		}, []balancer.Endpoint{{ID: "x", Addr: "h:1"}, {Addr: "h:3"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := balancer.FromInstances(tt.in)
			if !slices.EqualFunc(got, tt.want, equalEndpoints) {
				t.Fatalf("FromInstances(%+v) = %+v want %+v", tt.in, got, tt.want)
			}
			b := mustNew(t, balancer.Config{}, nil)
			if err := b.Update(got); err != nil {
				t.Fatalf("Update(FromInstances(...)) = %v: the result must always be accepted", err)
			}
		})
	}
	got := balancer.FromInstances([]discovery.Instance{{ID: "m", Service: "api", Address: "h", Port: 1, Metadata: meta}})
	got[0].Metadata["pool"] = "green"
	if meta["pool"] != "blue" {
		t.Fatal("FromInstances shares Metadata with the instance")
	}
}

func equalEndpoints(a, b balancer.Endpoint) bool {
	return a.ID == b.ID && a.Addr == b.Addr && a.Weight == b.Weight && a.Zone == b.Zone && maps.Equal(a.Metadata, b.Metadata)
}

// spyWatcher signals on nexts every time Follow asks for the next set, so a
// test knows, without sleeping, that the previous set has been applied.
type spyWatcher struct {
	discovery.Watcher
	nexts chan struct{}
}

func (s *spyWatcher) Next(ctx context.Context) (discovery.Update, error) {
	select {
	case s.nexts <- struct{}{}:
	case <-ctx.Done():
		return discovery.Update{}, context.Cause(ctx)
	}
	return s.Watcher.Next(ctx)
}

// await waits until Follow asks for the next set.
func (s *spyWatcher) await(t *testing.T) {
	t.Helper()
	select {
	case <-s.nexts:
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not ask for the next set")
	}
}

// follow starts Follow over a watch of reg's service "api" and returns the
// spy, a function that stops Follow and returns its error, and waits for
// the current set to be applied.
func follow(t *testing.T, b *balancer.Balancer, reg *discovery.Memory) (*spyWatcher, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := reg.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	spy := &spyWatcher{Watcher: w, nexts: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- balancer.Follow(ctx, b, spy) }()
	stop := sync.OnceValue(func() error {
		cancel()
		err := <-done
		w.Close()
		return err
	})
	t.Cleanup(func() { stop() })
	spy.await(t) // first Next
	spy.await(t) // the current set is applied
	return spy, stop
}

func instance(id string, port int) discovery.Instance {
	return discovery.Instance{ID: id, Service: "api", Address: "10.0.0.1", Port: port}
}

func endpointIDs(b *balancer.Balancer) []string {
	return ids(b.Stats(), func(balancer.EndpointStats) bool { return true })
}

func TestFollowAppliesEverySet(t *testing.T) {
	ctx := context.Background()
	reg := discovery.NewMemory()
	defer reg.Close()
	for i, id := range []string{"a", "b"} {
		if err := reg.Register(ctx, instance(id, 8000+i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.Register(ctx, discovery.Instance{ID: "other", Service: "billing", Address: "10.0.0.9", Port: 1}); err != nil {
		t.Fatal(err)
	}
	clk := manual()
	b := mustNew(t, balancer.Config{
		Clock: clk, Outlier: balancer.OutlierConfig{ConsecutiveFailures: 1, MaxEjectionPercent: 100},
		Rules: []balancer.Rule{{Name: "canary", Subset: map[string]string{balancer.VersionKey: "v2"}}},
	}, nil)
	spy, stop := follow(t, b, reg)
	if got := endpointIDs(b); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("endpoints after the first set = %v want [a b]", got)
	}
	failOn(t, b, "a", 1) // ejected: the state must survive later sets

	steps := []struct {
		name   string
		change func() error
		want   []string
	}{
		{"register-canary", func() error {
			c := instance("c", 8002)
			c.Version = "v2"
			return reg.Register(ctx, c)
		}, []string{"a", "b", "c"}},
		{"unhealthy-leaves", func() error { return reg.SetHealth("b", discovery.Unhealthy) }, []string{"a", "c"}},
		{"healthy-returns", func() error { return reg.SetHealth("b", discovery.Healthy) }, []string{"a", "b", "c"}},
		{"deregister", func() error { return reg.Deregister(ctx, "c") }, []string{"a", "b"}},
	}
	for _, s := range steps {
		if err := s.change(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		spy.await(t)
		if got := endpointIDs(b); !slices.Equal(got, s.want) {
			t.Fatalf("%s: endpoints = %v want %v", s.name, got, s.want)
		}
		if got := ejected(b); !slices.Equal(got, []string{"a"}) {
			t.Fatalf("%s: ejected = %v want [a]: Update must keep the state of endpoints that stay", s.name, got)
		}
		if s.name == "register-canary" {
			// The canary rule routes by the Version discovery reported.
			if got := pickID(t, b, ""); got != "c" {
				t.Fatalf("canary rule picked %s want c", got)
			}
		}
	}
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("Follow after cancel = %v want context.Canceled", err)
	}
}

func TestFollowEnds(t *testing.T) {
	cause := errors.New("shutting down")
	tests := []struct {
		name string
		end  func(ctx context.CancelCauseFunc, w discovery.Watcher, reg *discovery.Memory, b *balancer.Balancer)
		want error
	}{
		{"ctx-cause", func(cancel context.CancelCauseFunc, _ discovery.Watcher, _ *discovery.Memory, _ *balancer.Balancer) {
			cancel(cause)
		}, cause},
		{"watcher-closed", func(_ context.CancelCauseFunc, w discovery.Watcher, _ *discovery.Memory, _ *balancer.Balancer) {
			w.Close()
		}, discovery.ErrClosed},
		{"registry-closed", func(_ context.CancelCauseFunc, _ discovery.Watcher, reg *discovery.Memory, _ *balancer.Balancer) {
			reg.Close()
		}, discovery.ErrClosed},
		{"balancer-closed", func(_ context.CancelCauseFunc, _ discovery.Watcher, _ *discovery.Memory, b *balancer.Balancer) {
			b.Close()
		}, balancer.ErrClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := discovery.NewMemory()
			defer reg.Close()
			if err := reg.Register(context.Background(), instance("a", 1)); err != nil {
				t.Fatal(err)
			}
			b := mustNew(t, balancer.Config{}, nil)
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			w, err := reg.Watch(context.Background(), "api")
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			spy := &spyWatcher{Watcher: w, nexts: make(chan struct{})}
			done := make(chan error, 1)
			go func() { done <- balancer.Follow(ctx, b, spy) }()
			spy.await(t)
			spy.await(t) // blocked in Next with the first set applied
			if got := endpointIDs(b); !slices.Equal(got, []string{"a"}) {
				t.Fatalf("endpoints = %v want [a]", got)
			}
			tt.end(cancel, w, reg, b)
			select {
			case err := <-done:
				if !errors.Is(err, tt.want) {
					t.Fatalf("Follow() = %v want %v", err, tt.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Follow did not return")
			}
		})
	}
}

// endsWithCtx is a watcher made with Follow's own ctx that notices the
// ctx's end before Follow does: its Next reports ErrClosed, as a discovery
// watcher whose Watch ctx ended does.
type endsWithCtx struct{}

func (endsWithCtx) Next(ctx context.Context) (discovery.Update, error) {
	<-ctx.Done()
	return discovery.Update{}, discovery.ErrClosed
}

func (endsWithCtx) Close() error { return nil }

// When Follow's ctx ends, its cause is what Follow returns, even if the
// watcher (sharing the ctx, the documented usage) reports ErrClosed first.
func TestFollowCtxEndWinsOverWatcherClosed(t *testing.T) {
	b := mustNew(t, balancer.Config{}, nil)
	cause := errors.New("shutting down")
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan error, 1)
	go func() { done <- balancer.Follow(ctx, b, endsWithCtx{}) }()
	cancel(cause)
	select {
	case err := <-done:
		if !errors.Is(err, cause) {
			t.Fatalf("Follow() = %v want the ctx's cause %v", err, cause)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Follow did not return")
	}
}
