package demo

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestP99NearestRank(t *testing.T) {
	tests := []struct {
		n    int
		want time.Duration
	}{{1, 1}, {2, 2}, {100, 99}, {101, 100}, {1000, 990}}
	for _, tt := range tests {
		var tl tally
		for i := tt.n; i >= 1; i-- {
			tl.latencies = append(tl.latencies, time.Duration(i))
		}
		if got := tl.p99(); got != tt.want {
			t.Errorf("p99 of 1..%d = %v want %v", tt.n, got, tt.want)
		}
	}
	if (&tally{}).p99() != 0 {
		t.Error("p99 of nothing must be 0")
	}
}

func TestRecorder(t *testing.T) {
	var r recorder
	r.record(answer{outcome: outcomeOK, status: 200}, 1*ms, PhaseHealthy)
	r.record(answer{outcome: outcomeFallback, status: 200, fallback: "stale"}, 2*ms, PhaseOutage)
	r.record(answer{outcome: outcomeFallback, status: 503, fallback: "static"}, 3*ms, PhaseOutage)
	r.record(answer{outcome: outcomeRejected, status: 429}, 4*ms, PhaseOutage)
	r.record(answer{outcome: outcomeFailed, status: 502}, 5*ms, PhaseFlaky)
	if iv := r.take(); iv.Calls != 5 || len(iv.latencies) != 5 || iv.FallbackKinds != nil {
		t.Errorf("interval = %+v want 5 calls, 5 latencies, no breakdown", iv)
	}
	if iv := r.take(); iv.Calls != 0 {
		t.Errorf("second take = %+v want empty", iv)
	}
	total, byPhase := r.totals()
	if got := countsOf(total); got != (Counts{Requests: 5, OK: 1, Failed: 1, Rejected: 1, Fallbacks: 2}) {
		t.Errorf("total = %+v", got)
	}
	if total.RejectedBy[429] != 1 || total.FallbackKinds["stale"] != 1 || total.FallbackKinds["static"] != 1 {
		t.Errorf("breakdowns = %v, %v", total.RejectedBy, total.FallbackKinds)
	}
	if o := countsOf(byPhase[PhaseOutage]); o != (Counts{Requests: 3, Rejected: 1, Fallbacks: 2}) {
		t.Errorf("outage = %+v", o)
	}
	if total.p99() != 5*ms {
		t.Errorf("p99 = %v want 5ms", total.p99())
	}
}

func TestPrintSummary(t *testing.T) {
	s := Summary{
		DashboardURL: "http://127.0.0.1:1/dashboard", Route: "demo", Elapsed: 12 * time.Second,
		Script:         scriptFor(12 * time.Second),
		Counts:         Counts{Requests: 200, OK: 150, Fallbacks: 40, Rejected: 6, Failed: 4},
		ByPhase:        [4]Counts{PhaseFlaky: {Requests: 50, OK: 49, Failed: 1}, PhaseOutage: {Requests: 60, Fallbacks: 40}},
		BreakerRefused: 33,
		RejectedBy:     map[int]int{429: 5, 503: 1},
		FallbackKinds:  map[string]int{"stale": 30, "static": 10},
		Ejections:      []Ejection{{1, 2 * time.Second, 5 * time.Second}},
		Changes:        []StateChange{{5 * time.Second, "closed", "open"}, {8 * time.Second, "open", "half_open"}, {8 * time.Second, "half_open", "closed"}},
		Trips:          []time.Duration{5 * time.Second}, Recoveries: []time.Duration{8 * time.Second},
		P99: 123 * ms,
	}
	var b bytes.Buffer
	printSummary(&b, s)
	text := b.String()
	for _, want := range []string{
		"requests     200: ok 150 (75.0%), fallbacks served 40 (stale 30, static 10), rejected 6 (429 5, 503 1), failed 4",
		"answered     95.0%", "p99 latency  123ms", "ejected      upstream-1 at 2.0s, back at 5.0s",
		"tripped      at 5.00s (+0.80s from the outage's start)", "recovered    at 8.00s (+0.20s from the upstreams' recovery)",
		"breaker closed -> open", s.DashboardURL, "flaky        50 requests: 1 failed",
		"outage       60 requests: 40 fallbacks, 0 failed; the open breaker refused 33 calls",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks %q:\n%s", want, text)
		}
	}
	b.Reset()
	printSummary(&b, Summary{})
	if !strings.Contains(b.String(), "never tripped") || !strings.Contains(b.String(), "requests     0: ok 0 (0.0%)") ||
		strings.Contains(b.String(), "flaky   ") {
		t.Errorf("empty summary:\n%s", b.String())
	}
}
