package circuitbreaker

import (
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
)

func TestEventsInOrder(t *testing.T) {
	rec := &recorder{}
	b, clk := newTest(t, Config{Name: "db", ConsecutiveFailures: 2, OpenDuration: time.Second, Listener: rec})
	slowCall(t, b, clk, 30*time.Millisecond, nil)
	slowCall(t, b, clk, 10*time.Millisecond, errBoom)
	call(t, b, errBoom)
	call(t, b, nil) // rejected
	clk.Advance(time.Second)
	call(t, b, nil) // probe closes
	type ev struct {
		kind     resilience.EventKind
		from, to string
		latency  time.Duration
		delay    time.Duration
	}
	want := []ev{
		{kind: resilience.EventSuccess, latency: 30 * time.Millisecond},
		{kind: resilience.EventFailure, latency: 10 * time.Millisecond},
		{kind: resilience.EventFailure},
		{kind: resilience.EventStateChange, from: "closed", to: "open"},
		{kind: resilience.EventRejected, delay: time.Second},
		{kind: resilience.EventStateChange, from: "open", to: "half_open"},
		{kind: resilience.EventSuccess},
		{kind: resilience.EventStateChange, from: "half_open", to: "closed"},
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.events) != len(want) {
		t.Fatalf("got %d events want %d: %+v", len(rec.events), len(want), rec.events)
	}
	for i, w := range want {
		e := rec.events[i]
		got := ev{kind: e.Kind, from: e.From, to: e.To, latency: e.Latency, delay: e.Delay}
		if got != w {
			t.Errorf("event %d = %+v want %+v", i, got, w)
		}
		if e.Policy != "circuitbreaker" || e.Name != "db" {
			t.Errorf("event %d Policy, Name = %q, %q want circuitbreaker, db", i, e.Policy, e.Name)
		}
	}
	if b.Name() != "db" {
		t.Errorf("b.Name() = %q want db", b.Name())
	}
	if e := rec.events[4]; !errors.Is(e.Err, ErrOpen) {
		t.Errorf("rejection event Err = %v want ErrOpen", e.Err)
	}
	if e := rec.events[1]; !errors.Is(e.Err, errBoom) {
		t.Errorf("failure event Err = %v want errBoom", e.Err)
	}
}

// TestListenerNotUnderLock: a listener that calls back into the breaker
// must not deadlock, which it would if events were emitted under b.mu.
func TestListenerNotUnderLock(t *testing.T) {
	var b *Breaker
	var seen atomic.Int64
	l := resilience.ListenerFunc(func(e resilience.Event) {
		_ = b.State()
		_ = b.Metrics()
		_ = b.RemainingOpen()
		seen.Add(1)
	})
	b, clk := newTest(t, Config{ConsecutiveFailures: 1, OpenDuration: time.Second, HalfOpenMaxWait: time.Minute, Listener: l})
	call(t, b, errBoom)
	call(t, b, nil)
	clk.Advance(time.Second)
	call(t, b, nil)
	b.ForceOpen()
	b.Reset()
	if seen.Load() < 6 {
		t.Fatalf("listener saw %d events want >= 6", seen.Load())
	}
}

func TestNoListenerNoEvents(t *testing.T) {
	b, clk := newTest(t, Config{ConsecutiveFailures: 1})
	call(t, b, errBoom)
	call(t, b, nil)
	clk.Advance(time.Minute)
	call(t, b, nil)
	if b.readStart || b.readEnd {
		t.Errorf("breaker without listener, slow condition or time window reads the clock: readStart %v readEnd %v", b.readStart, b.readEnd)
	}
}
