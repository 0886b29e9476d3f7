package demo

import (
	"maps"
	"slices"
	"sync"
	"time"
)

// outcome is how the proxy answered one request of the load generator.
type outcome uint8

const (
	outcomeOK       outcome = iota // an upstream's answer
	outcomeFailed                  // an error answer or a broken call
	outcomeRejected                // refused by a policy: 429, or a 503 naming a rejection
	outcomeFallback                // a fallback's answer (stale cache or static)
)

// answer is one classified answer: its outcome, the status, and for a
// fallback its kind ("stale", "static", ...).
type answer struct {
	outcome  outcome
	status   int
	fallback string
}

// tally counts one interval of the timeline, or the whole run.
type tally struct {
	Calls, OK, Failed, Rejected, Fallbacks int
	// RejectedBy counts rejections by status; FallbackKinds fallbacks by
	// kind. Only the whole run's tally keeps them.
	RejectedBy    map[int]int
	FallbackKinds map[string]int
	latencies     []time.Duration
}

// count counts a; detail also counts it by status or kind.
func (t *tally) count(a answer, detail bool) {
	t.Calls++
	switch a.outcome {
	case outcomeOK:
		t.OK++
	case outcomeFailed:
		t.Failed++
	case outcomeRejected:
		t.Rejected++
		if detail {
			if t.RejectedBy == nil {
				t.RejectedBy = map[int]int{}
			}
			t.RejectedBy[a.status]++
		}
	case outcomeFallback:
		t.Fallbacks++
		if detail {
			if t.FallbackKinds == nil {
				t.FallbackKinds = map[string]int{}
			}
			t.FallbackKinds[a.fallback]++
		}
	}
}

// p99 is the nearest-rank 99th percentile latency.
func (t *tally) p99() time.Duration {
	if len(t.latencies) == 0 {
		return 0
	}
	s := slices.Clone(t.latencies)
	slices.Sort(s)
	return s[(len(s)*99+99)/100-1]
}

// recorder collects answers from the load generator's goroutines.
type recorder struct {
	mu       sync.Mutex
	interval tally
	total    tally
	byPhase  [PhaseRecovered + 1]tally
}

func (r *recorder) record(a answer, latency time.Duration, p Phase) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.interval.count(a, false)
	r.interval.latencies = append(r.interval.latencies, latency)
	r.total.count(a, true)
	r.total.latencies = append(r.total.latencies, latency)
	if int(p) < len(r.byPhase) {
		r.byPhase[p].count(a, false)
	}
}

// take returns the interval's tally and starts a new one.
func (r *recorder) take() tally {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.interval
	r.interval = tally{}
	return t
}

// totals returns the whole run's tally and each phase's counts (without
// latencies).
func (r *recorder) totals() (total tally, byPhase [PhaseRecovered + 1]tally) {
	r.mu.Lock()
	defer r.mu.Unlock()
	total = r.total
	total.latencies = slices.Clone(total.latencies)
	total.RejectedBy = maps.Clone(total.RejectedBy)
	total.FallbackKinds = maps.Clone(total.FallbackKinds)
	return total, r.byPhase
}
