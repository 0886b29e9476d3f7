package grpcx_test

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/grpcx"
	"github.com/resilience-go/resilience/health"
)

// healthFixture is a grpc-go server exposing a Checker through a
// HealthService, and a client of it.
type healthFixture struct {
	hs     *grpcx.HealthService
	client healthpb.HealthClient
	srv    *grpc.Server
	clk    *clock.Manual
	dbErr  atomic.Pointer[error]
	done   chan struct{}
}

func newHealthFixture(t *testing.T) *healthFixture {
	t.Helper()
	f := &healthFixture{clk: clock.NewManual(t0), done: make(chan struct{})}
	checker, err := health.New(health.Config{Checks: []health.Check{
		{Name: "db", Critical: true, Func: func(context.Context) error {
			if p := f.dbErr.Load(); p != nil {
				return *p
			}
			return nil
		}},
		{Name: "cache", Func: func(context.Context) error { return errors.New("cold") }},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// The Watch streams' polling runs on the manual clock; the checks on
	// the real one, so that the manual clock's timers are the streams'.
	f.hs, err = grpcx.NewHealthServer(grpcx.HealthServerConfig{Checker: checker, WatchInterval: time.Second, Clock: f.clk})
	if err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.srv = grpc.NewServer()
	healthpb.RegisterHealthServer(f.srv, f.hs)
	go func() {
		defer close(f.done)
		_ = f.srv.Serve(lis)
	}()
	t.Cleanup(func() {
		f.hs.Close()
		f.srv.Stop()
		<-f.done
	})
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	f.client = healthpb.NewHealthClient(conn)
	return f
}

func (f *healthFixture) setDB(err error) { f.dbErr.Store(&err) }

func (f *healthFixture) check(service string) (healthpb.HealthCheckResponse_ServingStatus, error) {
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	resp, err := f.client.Check(ctx, &healthpb.HealthCheckRequest{Service: service})
	return resp.GetStatus(), err
}

const (
	serving    = healthpb.HealthCheckResponse_SERVING
	notServing = healthpb.HealthCheckResponse_NOT_SERVING
	unknownSvc = healthpb.HealthCheckResponse_SERVICE_UNKNOWN
)

func TestHealthServerCheck(t *testing.T) {
	f := newHealthFixture(t)
	for _, tc := range []struct {
		service string
		dbErr   error
		want    healthpb.HealthCheckResponse_ServingStatus
		code    codes.Code
	}{
		{"", nil, serving, codes.OK},
		{"db", nil, serving, codes.OK},
		{"cache", nil, notServing, codes.OK}, // failing, though not critical
		{"shutdown", nil, serving, codes.OK},
		{"", errors.New("down"), notServing, codes.OK},
		{"db", errors.New("down"), notServing, codes.OK},
		{"nope", nil, 0, codes.NotFound},
	} {
		f.setDB(tc.dbErr)
		got, err := f.check(tc.service)
		if got != tc.want || status.Code(err) != tc.code {
			t.Errorf("Check(%q) with db error %v = %v, %v want %v, %v", tc.service, tc.dbErr, got, err, tc.want, tc.code)
		}
	}
}

func TestHealthServerList(t *testing.T) {
	f := newHealthFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), bound)
	defer cancel()
	resp, err := f.client.List(ctx, &healthpb.HealthListRequest{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]healthpb.HealthCheckResponse_ServingStatus{
		"": serving, "db": serving, "cache": notServing, "shutdown": serving, "startup": serving,
	}
	got := map[string]healthpb.HealthCheckResponse_ServingStatus{}
	for k, v := range resp.GetStatuses() {
		got[k] = v.GetStatus()
	}
	if len(got) != len(want) {
		t.Errorf("List() = %v want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("List()[%q] = %v want %v", k, got[k], v)
		}
	}
}

// watch opens a Watch stream; it ends with the test.
func (f *healthFixture) watch(t *testing.T, service string) (healthpb.Health_WatchClient, context.CancelFunc) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	w, err := f.client.Watch(ctx, &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		t.Fatal(err)
	}
	return w, cancel
}

// recv returns the next status of w, failing after bound.
func recv(t *testing.T, w healthpb.Health_WatchClient) (healthpb.HealthCheckResponse_ServingStatus, error) {
	t.Helper()
	type res struct {
		s   healthpb.HealthCheckResponse_ServingStatus
		err error
	}
	ch := make(chan res, 1)
	go func() {
		r, err := w.Recv()
		ch <- res{r.GetStatus(), err}
	}()
	select {
	case r := <-ch:
		return r.s, r.err
	case <-time.After(bound):
		t.Fatalf("no Watch message within %v", bound)
		return 0, nil
	}
}

// TestHealthServerWatch: a Watch stream gets the status at once, then each
// change, found by polling every WatchInterval, and no repeats.
func TestHealthServerWatch(t *testing.T) {
	f := newHealthFixture(t)
	w, _ := f.watch(t, "")
	if s, err := recv(t, w); s != serving || err != nil {
		t.Fatalf("first Watch message = %v, %v want SERVING", s, err)
	}
	f.clk.WaitForTimers(1)
	f.clk.Advance(time.Second) // unchanged: nothing sent
	f.clk.WaitForTimers(1)
	f.setDB(errors.New("down"))
	f.clk.Advance(time.Second)
	if s, err := recv(t, w); s != notServing || err != nil {
		t.Fatalf("Watch message after the db failed = %v, %v want NOT_SERVING", s, err)
	}
	f.clk.WaitForTimers(1)
	f.setDB(nil)
	f.clk.Advance(time.Second)
	if s, err := recv(t, w); s != serving || err != nil {
		t.Fatalf("Watch message after the db recovered = %v, %v want SERVING", s, err)
	}

	u, _ := f.watch(t, "nope")
	if s, err := recv(t, u); s != unknownSvc || err != nil {
		t.Fatalf("Watch(nope) first message = %v, %v want SERVICE_UNKNOWN and the stream open", s, err)
	}
}

// TestHealthServerShutdown: Shutdown makes the server NOT_SERVING and
// tells every Watch stream at once, without waiting for the interval;
// Close then ends the streams, so that GracefulStop returns.
func TestHealthServerShutdown(t *testing.T) {
	f := newHealthFixture(t)
	w, _ := f.watch(t, "")
	if s, _ := recv(t, w); s != serving {
		t.Fatalf("first message = %v want SERVING", s)
	}
	f.hs.Shutdown()
	if s, err := recv(t, w); s != notServing || err != nil {
		t.Fatalf("Watch message after Shutdown = %v, %v want NOT_SERVING at once", s, err)
	}
	for _, service := range []string{"", "shutdown"} {
		if s, err := f.check(service); s != notServing || err != nil {
			t.Errorf("Check(%q) after Shutdown = %v, %v want NOT_SERVING", service, s, err)
		}
	}
	if s, err := f.check("db"); s != serving || err != nil {
		t.Errorf("Check(db) after Shutdown = %v, %v want SERVING: the check itself passes", s, err)
	}

	f.hs.Close()
	if _, err := recv(t, w); status.Code(err) != codes.Unavailable {
		t.Fatalf("Watch after Close = %v want Unavailable", err)
	}
	stopped := make(chan struct{})
	go func() {
		f.srv.GracefulStop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(bound):
		t.Fatal("GracefulStop did not return after Close")
	}
}

func TestHealthServerSetReady(t *testing.T) {
	f := newHealthFixture(t)
	w, _ := f.watch(t, "")
	if s, _ := recv(t, w); s != serving {
		t.Fatalf("first message = %v want SERVING", s)
	}
	f.hs.SetReady(false)
	if s, _ := recv(t, w); s != notServing {
		t.Fatalf("after SetReady(false) = %v want NOT_SERVING", s)
	}
	f.hs.SetReady(true)
	if s, _ := recv(t, w); s != serving {
		t.Fatalf("after SetReady(true) = %v want SERVING", s)
	}
}

func TestHealthServerConfigValidate(t *testing.T) {
	checker, err := health.New(health.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cfg  grpcx.HealthServerConfig
		ok   bool
	}{
		{"minimal", grpcx.HealthServerConfig{Checker: checker}, true},
		{"nil-checker", grpcx.HealthServerConfig{}, false},
		{"negative-interval", grpcx.HealthServerConfig{Checker: checker, WatchInterval: -time.Second}, false},
	} {
		_, err := grpcx.NewHealthServer(tc.cfg)
		if (err == nil) != tc.ok || (tc.cfg.Validate() == nil) != tc.ok {
			t.Errorf("%s: NewHealthServer() = %v want ok %v", tc.name, err, tc.ok)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("HealthServer(nil) did not panic")
		}
	}()
	grpcx.HealthServer(nil)
}
