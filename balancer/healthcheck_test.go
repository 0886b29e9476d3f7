package balancer_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience/balancer"
)

func unhealthy(b *balancer.Balancer) []string {
	return ids(b.Stats(), func(s balancer.EndpointStats) bool { return !s.Healthy })
}

// statusServer is an httptest server whose /healthz answers with a status
// the test sets.
type statusServer struct {
	*httptest.Server
	status atomic.Int32
	hits   atomic.Int32
}

func newStatusServer(t *testing.T) *statusServer {
	s := &statusServer{}
	s.status.Store(http.StatusOK)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		s.hits.Add(1)
		w.WriteHeader(int(s.status.Load()))
	}))
	t.Cleanup(s.Close)
	return s
}

func addr(s *httptest.Server) string { return strings.TrimPrefix(s.URL, "http://") }

func TestHTTPHealthCheck(t *testing.T) {
	clk := manual()
	a, bsrv, c := newStatusServer(t), newStatusServer(t), newStatusServer(t)
	cfg := balancer.Config{Clock: clk, HealthCheck: balancer.HealthCheckConfig{
		Protocol: "http", Interval: 5 * time.Second, HealthyThreshold: 2, UnhealthyThreshold: 2,
	}}
	b := mustNew(t, cfg, []balancer.Endpoint{{ID: "a", Addr: addr(a.Server)}, {ID: "b", Addr: addr(bsrv.Server)}, {ID: "c", Addr: addr(c.Server)}})

	steps := []struct {
		name   string
		before func()
		want   []string // unhealthy after one more interval
	}{
		{"all-up", nil, nil},
		{"b-stopped-one-failure", func() { bsrv.Close() }, nil},
		{"b-stopped-threshold", nil, []string{"b"}},
		{"c-503-one-failure", func() { c.status.Store(http.StatusServiceUnavailable) }, []string{"b"}},
		{"c-503-threshold", nil, []string{"b", "c"}},
		{"c-recovers-one-success", func() { c.status.Store(http.StatusNoContent) }, []string{"b", "c"}},
		{"c-recovers-threshold", nil, []string{"b"}},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		clk.Advance(5 * time.Second) // probes run inside Advance
		if got := unhealthy(b); !slices.Equal(got, s.want) {
			t.Fatalf("%s: unhealthy %v want %v", s.name, got, s.want)
		}
		for range 20 {
			if id := pickID(t, b, ""); slices.Contains(s.want, id) {
				t.Fatalf("%s: picked unhealthy %s", s.name, id)
			}
		}
	}
	if got := a.hits.Load(); got != int32(len(steps)) {
		t.Fatalf("a was probed %d times want %d, once per interval", got, len(steps))
	}
}

func TestTCPHealthCheck(t *testing.T) {
	clk := manual()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	up, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer up.Close() // accepts in the kernel backlog: enough for a connect probe
	cfg := balancer.Config{Clock: clk, HealthCheck: balancer.HealthCheckConfig{Protocol: "tcp", Interval: time.Second, UnhealthyThreshold: 3}}
	b := mustNew(t, cfg, []balancer.Endpoint{{ID: "ln", Addr: ln.Addr().String()}, {ID: "up", Addr: up.Addr().String()}})
	clk.Advance(time.Second)
	if got := unhealthy(b); got != nil {
		t.Fatalf("unhealthy %v with both listening", got)
	}
	ln.Close()
	wg.Wait()
	for i, want := range [][]string{nil, nil, {"ln"}} {
		clk.Advance(time.Second)
		if got := unhealthy(b); !slices.Equal(got, want) {
			t.Fatalf("failure %d: unhealthy %v want %v", i+1, got, want)
		}
	}
}

func TestProbeTimeout(t *testing.T) {
	clk := manual()
	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(release)
	cfg := balancer.Config{Clock: clk, HealthCheck: balancer.HealthCheckConfig{
		Protocol: "http", Interval: time.Second, Timeout: 50 * time.Millisecond, UnhealthyThreshold: 1,
	}}
	b := mustNew(t, cfg, []balancer.Endpoint{{ID: "slow", Addr: addr(slow)}})
	clk.Advance(time.Second) // the probe waits 50ms of real time, then fails
	if got := unhealthy(b); !slices.Equal(got, []string{"slow"}) {
		t.Fatalf("unhealthy %v want [slow] after a probe timeout", got)
	}
}

func TestProbersDirectly(t *testing.T) {
	srv := newStatusServer(t)
	ctx := context.Background()
	ep := balancer.Endpoint{Addr: addr(srv.Server)}
	tests := []struct {
		name    string
		prober  balancer.Prober
		status  int
		wantErr error // nil: success; errAny: any error
	}{
		{"http-200", balancer.HTTPProber{Path: "/healthz"}, 200, nil},
		{"http-path-without-slash", balancer.HTTPProber{Path: "healthz"}, 200, nil},
		{"http-404-default-path", balancer.HTTPProber{}, 200, balancer.ErrProbeFailed},
		{"http-500", balancer.HTTPProber{Path: "/healthz"}, 500, balancer.ErrProbeFailed},
		{"http-302-not-followed", balancer.HTTPProber{Path: "/healthz"}, 302, balancer.ErrProbeFailed},
		{"http-client", balancer.HTTPProber{Path: "/healthz", Client: srv.Client(), Host: "example.test"}, 200, nil},
		{"tcp", balancer.TCPProber{}, 200, nil},
		{"func", balancer.ProberFunc(func(context.Context, balancer.Endpoint) error { return errBoom }), 200, errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.status.Store(int32(tt.status))
			err := tt.prober.Probe(ctx, ep)
			if (tt.wantErr == nil) != (err == nil) || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Fatalf("Probe() = %v want %v", err, tt.wantErr)
			}
		})
	}
	if err := (balancer.HTTPProber{Scheme: "bad scheme"}).Probe(ctx, ep); err == nil {
		t.Fatal("Probe() with a bad scheme = nil")
	}
}

func TestProbesStopOnRemoveAndClose(t *testing.T) {
	clk := manual()
	probe := newDownProber()
	b, err := balancer.New(balancer.Config{Clock: clk, HealthCheck: hcConfig(probe)})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Update(endpoints(2)); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if err := b.Update(endpoints(1)); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Second)
	if probe.calls["e0"] != 2 || probe.calls["e1"] != 1 {
		t.Fatalf("probe calls %v want e0:2 e1:1 (e1 removed after one)", probe.calls)
	}
	b.Close()
	b.Close()
	clk.Advance(time.Hour)
	if probe.calls["e0"] != 2 {
		t.Fatalf("probe calls %v after Close want no more", probe.calls)
	}
	if n := clk.Timers(); n != 0 {
		t.Fatalf("%d timers pending after Close want 0", n)
	}
}

func TestPanickingProberCountsAsFailure(t *testing.T) {
	clk := manual()
	p := balancer.ProberFunc(func(context.Context, balancer.Endpoint) error { panic("bad prober") })
	b := mustNew(t, balancer.Config{Clock: clk, HealthCheck: hcConfig(p)}, endpoints(1))
	clk.Advance(time.Second)
	if got := unhealthy(b); !slices.Equal(got, []string{"e0"}) {
		t.Fatalf("unhealthy %v want [e0] after a panicking probe", got)
	}
}

func TestRealClockProbesAndClose(t *testing.T) {
	srv := newStatusServer(t)
	srv.status.Store(http.StatusInternalServerError)
	b, err := balancer.New(balancer.Config{HealthCheck: balancer.HealthCheckConfig{
		Protocol: "http", Interval: time.Millisecond, UnhealthyThreshold: 1,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Update([]balancer.Endpoint{{ID: "s", Addr: addr(srv.Server)}}); err != nil {
		t.Fatal(err)
	}
	// Real network and real timers: wait, bounded, for the first probes.
	deadline := time.Now().Add(10 * time.Second)
	for unhealthy(b) == nil {
		if time.Now().After(deadline) {
			t.Fatal("no probe marked the endpoint unhealthy within 10s")
		}
		time.Sleep(time.Millisecond)
	}
	b.Close() // waits for a probe in progress; goleak checks the rest
	hits := srv.hits.Load()
	time.Sleep(20 * time.Millisecond)
	if got := srv.hits.Load(); got != hits {
		t.Fatalf("%d probes after Close", got-hits)
	}
}
