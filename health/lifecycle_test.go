package health_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience/health"
)

func TestShutdownReadiness(t *testing.T) {
	c := mustNew(t, health.Config{Checks: []health.Check{{Name: "ping", Func: ok, Critical: true, Probes: health.ProbeLive | health.ProbeReady}}})
	h := c.Handler()
	type want struct{ livez, readyz int }
	steps := []struct {
		name string
		do   func()
		want want
	}{
		{"initial", func() {}, want{200, 200}},
		{"set-not-ready", func() { c.SetReady(false) }, want{200, 503}},
		{"set-ready", func() { c.SetReady(true) }, want{200, 200}},
		{"shutdown", c.Shutdown, want{200, 503}},
		{"set-ready-after-shutdown", func() { c.SetReady(true) }, want{200, 503}},
	}
	for _, s := range steps {
		s.do()
		live, _, _ := get(t, h, "GET", "/livez")
		ready, body, _ := get(t, h, "GET", "/readyz")
		if live != s.want.livez || ready != s.want.readyz {
			t.Fatalf("%s: livez %d readyz %d want %d %d", s.name, live, ready, s.want.livez, s.want.readyz)
		}
		if ready == 503 && body != "[+]startup ok\n[-]shutdown failed: reason withheld\n[+]ping ok\nreadyz check failed\n" {
			t.Fatalf("%s: readyz body %q", s.name, body)
		}
	}
	if !c.ShuttingDown() {
		t.Fatal("ShuttingDown() = false after Shutdown")
	}
	rep := c.Run(context.Background(), health.ProbeReady)
	if rep.OK || !errors.Is(rep.Checks[1].Err(), health.ErrShuttingDown) {
		t.Fatalf("Run(readyz) = %+v want the shutdown check failing with ErrShuttingDown", rep)
	}
}

func TestStartup(t *testing.T) {
	c := mustNew(t, health.Config{StartupPending: true, Checks: []health.Check{{Name: "migrations", Func: ok, Critical: true, Probes: health.ProbeStartup}}})
	h := c.Handler()
	if c.Started() {
		t.Fatal("Started() = true with StartupPending")
	}
	code, body, _ := get(t, h, "GET", "/startupz")
	if code != 503 || body != "[-]startup failed: reason withheld\n[+]migrations ok\nstartupz check failed\n" {
		t.Fatalf("startupz while starting = %d %q", code, body)
	}
	if code, _, _ := get(t, h, "GET", "/readyz"); code != 503 {
		t.Fatalf("readyz while starting = %d want 503", code)
	}
	if code, _, _ := get(t, h, "GET", "/livez"); code != 200 {
		t.Fatalf("livez while starting = %d want 200", code)
	}
	c.MarkStarted()
	for _, path := range []string{"/startupz", "/readyz", "/livez"} {
		if code, body, _ := get(t, h, "GET", path); code != 200 || body != "ok" {
			t.Fatalf("%s after MarkStarted = %d %q want 200 ok", path, code, body)
		}
	}
}

func TestSlowCheckTimesOut(t *testing.T) {
	clk := manual()
	sawCancel, release := make(chan struct{}), make(chan struct{})
	var runs atomic.Int32
	c := mustNew(t, health.Config{Clock: clk, Checks: []health.Check{
		{Name: "slow", Critical: true, Timeout: 2 * time.Second, Func: func(ctx context.Context) error {
			if runs.Add(1) > 1 {
				return nil
			}
			<-ctx.Done()
			close(sawCancel)
			<-release // hung: ignores its cancelled context for a while
			return nil
		}},
	}})
	type resp struct {
		code int
		body string
	}
	done := make(chan resp)
	go func() {
		code, body, _ := get(t, c.Handler(), "GET", "/readyz?verbose")
		done <- resp{code, body}
	}()
	clk.WaitForTimers(1) // the check's timeout is armed
	clk.Advance(1999 * time.Millisecond)
	select {
	case r := <-done:
		t.Fatalf("answered %v before the timeout", r)
	default:
	}
	clk.Advance(time.Millisecond)
	r := <-done
	want := `{"probe":"readyz","status":"fail","checks":[{"name":"startup","status":"ok","critical":true,"duration":"0s"},{"name":"shutdown","status":"ok","critical":true,"duration":"0s"},{"name":"slow","status":"fail","error":"health: check timed out","critical":true,"duration":"2s"}]}` + "\n"
	if r.code != 503 || r.body != want {
		t.Fatalf("readyz = %d %s\nwant 503 %s", r.code, r.body, want)
	}
	// The check's context was cancelled at the timeout.
	select {
	case <-sawCancel:
	case <-time.After(10 * time.Second):
		t.Fatal("the timed-out check's context was not cancelled")
	}
	// While the timed-out run still executes, probes reuse its result
	// instead of piling up goroutines.
	if rep := c.Run(context.Background(), health.ProbeReady); rep.OK || !rep.Checks[2].Cached || runs.Load() != 1 {
		t.Fatalf("Run during the hung run = %+v (runs %d) want the cached timeout", rep, runs.Load())
	}
	close(release) // the goroutine ends; goleak checks it
	// Once the hung goroutine has returned, the next probe runs afresh.
	for i := 0; ; i++ {
		rep := c.Run(context.Background(), health.ProbeReady)
		if rep.OK {
			break
		}
		if runs.Load() > 1 || i > 1e6 {
			t.Fatalf("the next Run = %+v (runs %d) want a fresh, passing run", rep, runs.Load())
		}
		runtime.Gosched()
	}
}

func TestIntervalCachesAndRunsAreShared(t *testing.T) {
	clk := manual()
	var runs atomic.Int32
	gate := make(chan struct{})
	c := mustNew(t, health.Config{Clock: clk, Checks: []health.Check{
		{Name: "db", Critical: true, Interval: 10 * time.Second, Timeout: time.Hour, Func: func(ctx context.Context) error {
			runs.Add(1)
			<-gate
			return nil
		}},
	}})
	// Three concurrent probes share one run.
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if rep := c.Run(context.Background(), health.ProbeReady); !rep.OK {
				t.Errorf("Run = %+v", rep)
			}
		}()
	}
	clk.WaitForTimers(1)
	close(gate)
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Fatalf("three concurrent probes ran the check %d times want 1", n)
	}
	steps := []struct {
		advance    time.Duration
		wantRuns   int32
		wantCached bool
	}{
		{5 * time.Second, 1, true},
		{4999 * time.Millisecond, 1, true},
		{time.Millisecond, 2, false}, // 10s after the run finished
		{time.Second, 2, true},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		rep := c.Run(context.Background(), health.ProbeReady)
		res := rep.Checks[2]
		if runs.Load() != s.wantRuns || res.Cached != s.wantCached {
			t.Fatalf("step %d: runs %d cached %v want %d %v", i, runs.Load(), res.Cached, s.wantRuns, s.wantCached)
		}
	}
}

func TestPanickingCheckFails(t *testing.T) {
	c := mustNew(t, health.Config{Checks: []health.Check{{Name: "bad", Critical: true, Func: func(context.Context) error { panic("oops") }}}})
	rep := c.Run(context.Background(), health.ProbeReady)
	if rep.OK || !errors.Is(rep.Checks[2].Err(), health.ErrPanicked) || rep.Checks[2].Error != "health: check panicked: oops" {
		t.Fatalf("Run = %+v want the panic as a failure", rep)
	}
}

func TestRequestContextEnds(t *testing.T) {
	clk := manual()
	release := make(chan struct{})
	c := mustNew(t, health.Config{Clock: clk, Checks: []health.Check{{Name: "slow", Critical: true, Func: func(context.Context) error {
		<-release
		return nil
	}}}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep := c.Run(ctx, health.ProbeReady)
	if rep.OK || !errors.Is(rep.Checks[2].Err(), context.Canceled) {
		t.Fatalf("Run(cancelled) = %+v want a failure with context.Canceled", rep)
	}
	close(release)
	// The shared run still finishes for the next caller.
	if rep := c.Run(context.Background(), health.ProbeReady); !rep.OK {
		t.Fatalf("Run after release = %+v", rep)
	}
}

func TestStatus(t *testing.T) {
	c, dbDown := fixture(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		service string
		dbDown  bool
		want    health.Status
	}{
		{"server-serving", "", false, health.StatusServing},
		{"server-not-serving", "", true, health.StatusNotServing},
		{"check-serving", "ping", true, health.StatusServing},
		{"check-not-serving", "db", true, health.StatusNotServing},
		{"noncritical-check", "cache", false, health.StatusNotServing},
		{"startup-check", "warm", false, health.StatusServing},
		{"builtin", "shutdown", false, health.StatusServing},
		{"unknown", "nope", false, health.StatusServiceUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbDown.Store(tt.dbDown)
			if got := c.Status(ctx, tt.service); got != tt.want {
				t.Fatalf("Status(%q) = %v want %v", tt.service, got, tt.want)
			}
		})
	}
	c.Shutdown()
	if got := c.Status(ctx, ""); got != health.StatusNotServing {
		t.Fatalf("Status after Shutdown = %v want NOT_SERVING", got)
	}
	for s, want := range map[health.Status]string{0: "UNKNOWN", 1: "SERVING", 2: "NOT_SERVING", 3: "SERVICE_UNKNOWN"} {
		if s.String() != want {
			t.Errorf("Status(%d).String() = %q want %q", s, s.String(), want)
		}
	}
}

func TestHammer(t *testing.T) {
	c := mustNew(t, health.Config{Checks: []health.Check{
		{Name: "a", Func: ok, Critical: true, Interval: time.Millisecond},
		{Name: "b", Func: down},
	}})
	h := c.Handler()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				switch (g + i) % 5 {
				case 0:
					_ = c.Add(health.Check{Name: "x" + string(rune('a'+g)) + string(rune('a'+i%26)), Func: ok})
				case 1:
					c.SetReady(i%2 == 0)
				case 2:
					_ = c.Status(context.Background(), "a")
				default:
					if code, _, _ := get(t, h, "GET", "/readyz?verbose"); code != 200 && code != 503 {
						t.Errorf("readyz = %d", code)
					}
				}
			}
		}()
	}
	wg.Wait()
}
