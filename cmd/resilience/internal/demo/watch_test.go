package demo

import (
	"reflect"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/stats"
)

const ms = time.Millisecond

// TestBreakerWatch drives a stats instance through state changes and
// checks what the watch records, including a half-open spell that fell
// between two samples.
func TestBreakerWatch(t *testing.T) {
	reg, err := stats.NewRegistry(stats.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	in := reg.Instance("circuitbreaker", "x")
	set := func(to string) { in.OnEvent(resilience.Event{Kind: resilience.EventStateChange, To: to}) }
	w := newBreakerWatch(in)
	w.sample(0) // nothing known yet
	set("closed")
	w.sample(10 * ms) // the first reading
	set("open")
	w.sample(20 * ms)
	w.sample(30 * ms) // unchanged
	set("half_open")
	w.sample(40 * ms)
	set("open")
	w.sample(50 * ms)
	set("half_open")
	set("closed")
	w.sample(60 * ms) // open -> closed: half-open in between
	want := []StateChange{
		{20 * ms, "closed", "open"},
		{40 * ms, "open", "half_open"},
		{50 * ms, "half_open", "open"},
		{60 * ms, "open", "half_open"},
		{60 * ms, "half_open", "closed"},
	}
	if !reflect.DeepEqual(w.changes, want) {
		t.Fatalf("changes = %v\nwant %v", w.changes, want)
	}
	tr, rec := trips(w.changes)
	if !reflect.DeepEqual(tr, []time.Duration{20 * ms}) || !reflect.DeepEqual(rec, []time.Duration{60 * ms}) {
		t.Errorf("trips(changes) = %v, %v want [20ms], [60ms]", tr, rec)
	}
}

func TestTripsForcedStates(t *testing.T) {
	cs := []StateChange{{1, "closed", "forced_open"}, {2, "forced_open", "closed"}, {3, "half_open", "open"}}
	tr, rec := trips(cs)
	if !reflect.DeepEqual(tr, []time.Duration{1}) || !reflect.DeepEqual(rec, []time.Duration{2}) {
		t.Errorf("trips(%v) = %v, %v want [1], [2]", cs, tr, rec)
	}
}

func TestEjectWatch(t *testing.T) {
	var e ejectWatch
	steps := []struct {
		at        time.Duration
		n         [numUpstreams]int64
		wantNotes []string
	}{
		{1 * time.Second, [3]int64{100, 100, 100}, nil},
		{2 * time.Second, [3]int64{5, 150, 150}, []string{"upstream-1 ejected"}},
		{3 * time.Second, [3]int64{0, 2, 3}, nil}, // nobody busy: no change
		{4 * time.Second, [3]int64{0, 150, 150}, nil},
		{5 * time.Second, [3]int64{60, 120, 0}, []string{"upstream-1 back", "upstream-3 ejected"}},
		{6 * time.Second, [3]int64{100, 100, 100}, []string{"upstream-3 back"}},
		{7 * time.Second, [3]int64{0, 100, 100}, []string{"upstream-1 ejected"}},
	}
	for _, s := range steps {
		if got := e.update(s.at, time.Second, s.n); !reflect.DeepEqual(got, s.wantNotes) {
			t.Errorf("update(%v, %v) = %q want %q", s.at, s.n, got, s.wantNotes)
		}
	}
	want := []Ejection{{1, 1 * time.Second, 5 * time.Second}, {3, 4 * time.Second, 6 * time.Second}, {1, 6 * time.Second, 0}}
	if !reflect.DeepEqual(e.ejections, want) {
		t.Errorf("ejections = %v want %v", e.ejections, want)
	}
}
