package dashboard

import (
	"testing"

	"github.com/resilience-go/resilience"
)

// TestListenerAllocs checks that the events the dashboard does not list
// cost nothing: policies report every call through its Listener.
func TestListenerAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	e := newEnv(t, Config{})
	l := e.d.Listener()
	for _, k := range []resilience.EventKind{resilience.EventSuccess, resilience.EventFailure, resilience.EventRejected, resilience.EventFault} {
		ev := resilience.Event{Kind: k, Policy: "circuitbreaker", Name: "db", Err: errBoom}
		if got := testing.AllocsPerRun(1000, func() { l.OnEvent(ev) }); got != 0 {
			t.Errorf("OnEvent(%v) allocates %v times want 0", k, got)
		}
	}
	if n := len(e.d.Events()); n != 0 {
		t.Errorf("Events() after calls = %d want 0", n)
	}
}

func BenchmarkListenerIgnored(b *testing.B) {
	e := newEnv(b, Config{})
	l := e.d.Listener()
	ev := resilience.Event{Kind: resilience.EventSuccess, Policy: "circuitbreaker", Name: "db"}
	b.ReportAllocs()
	for b.Loop() {
		l.OnEvent(ev)
	}
}

func BenchmarkSnapshotMessage(b *testing.B) {
	e := newEnv(b, Config{})
	e.call(nil)
	b.ReportAllocs()
	for b.Loop() {
		e.d.snapshotMessage(false)
	}
}
