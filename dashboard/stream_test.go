package dashboard

import (
	"bufio"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/internal/leaktest"
)

func TestStreamSnapshots(t *testing.T) {
	e := newEnv(t, Config{Interval: time.Second})
	e.call(nil)
	e.d.Listener().OnEvent(resilience.Event{Kind: resilience.EventStateChange, Policy: "ratelimit", Name: "api", From: "a", To: "b"})
	s := openStream(t, e.d.Handler())
	var first Snapshot
	s.expect("snapshot", &first)
	if got := s.w.header.Get("Content-Type"); got != "text/event-stream; charset=utf-8" {
		t.Errorf("Content-Type = %q want text/event-stream; charset=utf-8", got)
	}
	in, ok := instance(first, "circuitbreaker", "db")
	if !ok || in.Counts["success"] != 1 || in.State != "closed" {
		t.Fatalf("first snapshot's db = %+v, %v want 1 success, closed", in, ok)
	}
	if len(first.Events) != 1 || first.Events[0].To != "b" {
		t.Errorf("first snapshot's events = %+v want the one recorded before", first.Events)
	}
	if len(first.Targets) != 2 || first.Interval != 1000 || !first.Time.Equal(t0.Add(time.Millisecond)) {
		t.Errorf("first snapshot targets, interval, time = %+v, %d, %v", first.Targets, first.Interval, first.Time)
	}

	for i := 2; i <= 4; i++ {
		e.clk.WaitForTimers(2) // the stream's interval and heartbeat timers
		e.call(nil)
		e.clk.Advance(time.Second)
		var snap Snapshot
		s.expect("snapshot", &snap)
		in, _ := instance(snap, "circuitbreaker", "db")
		if in.Counts["success"] != uint64(i) {
			t.Errorf("snapshot %d: successes = %d want %d", i, in.Counts["success"], i)
		}
		if snap.Events != nil {
			t.Errorf("snapshot %d carries events %+v; only the first should", i, snap.Events)
		}
	}
}

func TestStreamHeartbeat(t *testing.T) {
	e := newEnv(t, Config{Interval: time.Minute, Heartbeat: 10 * time.Second})
	s := openStream(t, e.d.Handler())
	s.expect("snapshot", nil)
	for range 3 {
		e.clk.WaitForTimers(2)
		e.clk.Advance(10 * time.Second)
		if ev := s.next(); ev.Event != "comment" || ev.Data != "ping" {
			t.Fatalf("after 10s: %+v want the ping comment", ev)
		}
	}
	e.clk.WaitForTimers(2)
	e.clk.Advance(30 * time.Second) // one minute in all: both timers fire
	got := []string{s.next().Event, s.next().Event}
	slices.Sort(got)
	if got[0] != "comment" || got[1] != "snapshot" {
		t.Errorf("at 1m: %v want a snapshot and a ping, in either order", got)
	}
}

// TestStreamStateChangeAtOnce checks that a state change reaches the page
// without waiting for the next snapshot, and that other events do not.
func TestStreamStateChangeAtOnce(t *testing.T) {
	e := newEnv(t, Config{})
	s := openStream(t, e.d.Handler())
	s.expect("snapshot", nil)
	e.call(errBoom) // a failure: not listed
	e.call(errBoom) // the second trips the breaker
	var rec EventRecord
	s.expect("event", &rec)
	want := EventRecord{Seq: 1, Time: e.clk.Now(), Kind: "state_change", Policy: "circuitbreaker", Name: "db", From: "closed", To: "open"}
	if rec != want {
		t.Errorf("event = %+v want %+v", rec, want)
	}
	if got := e.d.Events(); len(got) != 1 || got[0] != want {
		t.Errorf("Events() = %+v want [%+v]", got, want)
	}
}

func TestStreamEndsWhenClientGoes(t *testing.T) {
	e := newEnv(t, Config{})
	s := openStream(t, e.d.Handler())
	s.expect("snapshot", nil)
	if got := e.d.Clients(); got != 1 {
		t.Errorf("Clients() = %d want 1", got)
	}
	s.cancel()
	<-s.done // ServeHTTP returned: the stream's goroutine is gone
	if got := e.d.Clients(); got != 0 {
		t.Errorf("Clients() after disconnect = %d want 0", got)
	}
	if got := e.clk.Timers(); got != 0 {
		t.Errorf("clock timers after disconnect = %d want 0 (stopped)", got)
	}
}

func TestStreamEndsOnClose(t *testing.T) {
	e := newEnv(t, Config{})
	s := openStream(t, e.d.Handler())
	s.expect("snapshot", nil)
	if err := e.d.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	<-s.done
	if err := e.d.Close(); err != nil {
		t.Errorf("second Close() = %v want nil", err)
	}
	w := e.serve(httptest.NewRequest(http.MethodGet, "/dashboard/events", nil))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("GET /dashboard/events after Close = %d want 503", w.Code)
	}
}

func TestStreamMaxClients(t *testing.T) {
	e := newEnv(t, Config{MaxClients: 2})
	a, b := openStream(t, e.d.Handler()), openStream(t, e.d.Handler())
	a.expect("snapshot", nil)
	b.expect("snapshot", nil)
	w := e.serve(httptest.NewRequest(http.MethodGet, "/dashboard/events", nil))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("third stream = %d, Retry-After %q want 503 with Retry-After", w.Code, w.Header().Get("Retry-After"))
	}
	a.cancel()
	<-a.done
	c := openStream(t, e.d.Handler())
	c.expect("snapshot", nil) // a slot was freed
}

// TestStreamSlowClient checks that a page that stops reading never blocks
// the listener, and gets a full snapshot once it reads again.
func TestStreamSlowClient(t *testing.T) {
	e := newEnv(t, Config{MaxEvents: 10})
	s := openStream(t, e.d.Handler())
	s.expect("snapshot", nil)
	const n = 3 * clientBuffer
	for i := range n {
		e.d.Listener().OnEvent(resilience.Event{Kind: resilience.EventStateChange, Policy: "p", Name: "x", To: string(rune('a' + i%26))})
	}
	for i := 0; ; i++ {
		if i > n {
			t.Fatalf("no full snapshot among %d messages", i)
		}
		ev := s.next()
		if ev.Event != "snapshot" {
			continue
		}
		if !strings.Contains(ev.Data, `"events":[`) {
			t.Fatalf("snapshot after overflow lacks the events: %s", ev.Data)
		}
		break
	}
	if got := e.d.Events(); len(got) != 10 || got[9].Seq != n {
		t.Errorf("Events() = %d events, last %+v want 10, the last Seq %d", len(got), got[len(got)-1], n)
	}
}

// TestStreamOverNetwork serves the stream over real loopback TCP and
// checks that a client that hangs up leaves no goroutine behind.
func TestStreamOverNetwork(t *testing.T) {
	e := newEnv(t, Config{})
	srv := httptest.NewServer(e.d.Handler())
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/dashboard/events", nil)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the stream: %v", err)
		}
		if strings.HasPrefix(line, "event: snapshot") {
			break
		}
	}
	cancel()
	resp.Body.Close()
	// Real network: the server notices the hang-up asynchronously, so poll,
	// bounded.
	deadline := time.Now().Add(5 * time.Second)
	for e.d.Clients() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("Clients() = %d 5s after the client hung up want 0", e.d.Clients())
		}
		time.Sleep(5 * time.Millisecond)
	}
	srv.Close()
	srv.Client().CloseIdleConnections()
	leaktest.VerifyNone(t)
}
