package stats_test

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/stats"
)

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestInstanceCountsAndRates(t *testing.T) {
	type step struct {
		advance time.Duration
		kind    resilience.EventKind
		n       int
	}
	tests := []struct {
		name      string
		steps     []step
		kind      string
		count     uint64
		rate10s   float64
		rate1m    float64
		finalWait time.Duration
	}{
		{
			name:  "young-instance-rates-over-its-age",
			steps: []step{{0, resilience.EventSuccess, 10}},
			kind:  "success", count: 10, rate10s: 10, rate1m: 10, finalWait: time.Second,
		},
		{
			name: "steady-10-per-second-for-2-minutes",
			steps: func() []step {
				var s []step
				for range 120 {
					s = append(s, step{time.Second, resilience.EventFailure, 10})
				}
				return s
			}(),
			kind: "failure", count: 1200, rate10s: 10, rate1m: 10,
		},
		{
			name: "burst-then-quiet-for-30s",
			steps: []step{
				{time.Minute, resilience.EventRejected, 300},
			},
			kind: "rejected", count: 300, rate10s: 0, rate1m: 300.0 / 60, finalWait: 30 * time.Second,
		},
		{
			name:  "quiet-for-2-minutes-keeps-totals",
			steps: []step{{time.Minute, resilience.EventTimeout, 7}},
			kind:  "timeout", count: 7, rate10s: 0, rate1m: 0, finalWait: 2 * time.Minute,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, clk := newRegistry(t)
			in := reg.Instance("p", "x")
			if tt.steps[0].advance == time.Minute {
				clk.Advance(time.Minute) // age the instance first
				tt.steps[0].advance = 0
			}
			for _, s := range tt.steps {
				for range s.n {
					in.Record(s.kind, time.Millisecond)
				}
				clk.Advance(s.advance)
			}
			clk.Advance(tt.finalWait)
			snap := in.Snapshot()
			if got := snap.Counts[tt.kind]; got != tt.count {
				t.Errorf("Counts[%q] = %d want %d", tt.kind, got, tt.count)
			}
			if got := snap.Rate10s[tt.kind]; !approx(got, tt.rate10s) {
				t.Errorf("Rate10s[%q] = %v want %v", tt.kind, got, tt.rate10s)
			}
			if got := snap.Rate1m[tt.kind]; !approx(got, tt.rate1m) {
				t.Errorf("Rate1m[%q] = %v want %v", tt.kind, got, tt.rate1m)
			}
		})
	}
}

func TestInstanceOnEvent(t *testing.T) {
	reg, clk := newRegistry(t)
	in := reg.Instance("circuitbreaker", "db")
	var l resilience.Listener = reg.Listener("circuitbreaker", "db")
	boom := errors.New("boom")
	for i := range 100 {
		l.OnEvent(resilience.Event{Kind: resilience.EventSuccess, Latency: time.Duration(i+1) * time.Millisecond})
	}
	l.OnEvent(resilience.Event{Kind: resilience.EventFailure, Latency: time.Second, Err: boom})
	l.OnEvent(resilience.Event{Kind: resilience.EventStateChange, From: "closed", To: "open"})
	l.OnEvent(resilience.Event{Kind: resilience.EventRejected, Latency: time.Hour}) // latency ignored
	l.OnEvent(resilience.Event{Kind: 200})
	clk.Advance(time.Second)
	s := in.Snapshot()
	wantCounts := map[string]uint64{"success": 100, "failure": 1, "state_change": 1, "rejected": 1, "unknown": 1}
	for k, v := range wantCounts {
		if s.Counts[k] != v {
			t.Errorf("Counts[%q] = %d want %d", k, s.Counts[k], v)
		}
	}
	if len(s.Counts) != len(wantCounts) {
		t.Errorf("Counts = %v want %v", s.Counts, wantCounts)
	}
	if s.State != "open" {
		t.Errorf("State = %q want open", s.State)
	}
	if s.Latency.Count != 101 || s.Latency.Max != time.Second {
		t.Errorf("Latency = %+v want Count 101, Max 1s", s.Latency)
	}
	for _, c := range []struct {
		name      string
		got, want time.Duration
	}{{"P50", s.Latency.P50, 51 * time.Millisecond}, {"P90", s.Latency.P90, 91 * time.Millisecond}, {"P99", s.Latency.P99, 100 * time.Millisecond}} {
		if relErr(int64(c.got), int64(c.want)) > stats.RelativeError {
			t.Errorf("Latency.%s = %v want %v", c.name, c.got, c.want)
		}
	}
	if s.Policy != "circuitbreaker" || s.Name != "db" {
		t.Errorf("Policy, Name = %q, %q want circuitbreaker, db", s.Policy, s.Name)
	}
}

func TestRecentLatency(t *testing.T) {
	reg, clk := newRegistry(t)
	in := reg.Instance("p", "x")
	for range 100 {
		in.Record(resilience.EventSuccess, time.Second)
	}
	if s := in.Snapshot(); s.RecentLatency.Count != 100 || s.RecentLatency.Window != 0 {
		t.Fatalf("first RecentLatency = %+v want Count 100 over 0s", s.RecentLatency)
	}
	clk.Advance(time.Minute)
	in.Snapshot() // takes the second checkpoint; the first becomes the base
	for range 10 {
		in.Record(resilience.EventSuccess, time.Millisecond)
	}
	clk.Advance(30 * time.Second)
	s := in.Snapshot()
	if s.RecentLatency.Count != 10 || s.RecentLatency.Window != 90*time.Second {
		t.Fatalf("RecentLatency = %+v want Count 10 over 1m30s", s.RecentLatency)
	}
	if relErr(int64(s.RecentLatency.P99), int64(time.Millisecond)) > stats.RelativeError {
		t.Fatalf("RecentLatency.P99 = %v want ~1ms", s.RecentLatency.P99)
	}
	if s.Latency.Count != 110 || s.Latency.Max != time.Second || s.Latency.Window != 90*time.Second {
		t.Fatalf("Latency = %+v want Count 110, Max 1s over 1m30s", s.Latency)
	}
}

func TestSnapshotJSON(t *testing.T) {
	reg, clk := newRegistry(t)
	in := reg.Instance("bulkhead", "pool")
	in.SetSource(func() stats.Gauges { return stats.Gauges{Values: map[string]float64{"in_flight": 3}} })
	in.Record(resilience.EventSuccess, 2*time.Millisecond)
	clk.Advance(time.Second)
	b, err := json.Marshal(reg.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("json = %s want one instance", b)
	}
	g := got[0]
	checks := []struct {
		path string
		got  any
		want any
	}{
		{"policy", g["policy"], "bulkhead"},
		{"name", g["name"], "pool"},
		{"counts.success", g["counts"].(map[string]any)["success"], 1.0},
		{"rate_1m.success", g["rate_1m"].(map[string]any)["success"], 1.0},
		{"latency.max_ns", g["latency"].(map[string]any)["max_ns"], float64(2 * time.Millisecond)},
		{"gauges.values.in_flight", g["gauges"].(map[string]any)["values"].(map[string]any)["in_flight"], 3.0},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("json %s = %v want %v in %s", c.path, c.got, c.want, b)
		}
	}
	in.SetSource(nil)
	if s := in.Snapshot(); s.Gauges.Values != nil {
		t.Errorf("Gauges after SetSource(nil) = %+v want none", s.Gauges)
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	reg, _ := newRegistry(t)
	in := reg.Instance("p", "x")
	var l resilience.Listener = in
	e := resilience.Event{Kind: resilience.EventFailure, Latency: time.Millisecond, Err: errors.New("x")}
	tests := []struct {
		name string
		f    func()
	}{
		{"Record", func() { in.Record(resilience.EventSuccess, time.Millisecond) }},
		{"Instance.OnEvent", func() { l.OnEvent(e) }},
		{"Registry.OnEvent", func() { reg.OnEvent(e) }},
	}
	for _, tt := range tests {
		if n := testing.AllocsPerRun(1000, tt.f); n != 0 {
			t.Errorf("%s allocates %v times want 0", tt.name, n)
		}
	}
}
