package fulldemo

import (
	"slices"
	"sync"
	"time"
)

// outcome is how the proxy answered one request of the load generator.
type outcome uint8

const (
	outcomeOK       outcome = iota // 2xx from an upstream
	outcomeFailed                  // an error answer or a broken call
	outcomeRejected                // refused by a guard (429, or 503 without the fallback body)
	outcomeFallback                // the route's static fallback
)

// tally counts one interval of the timeline, or the whole run.
type tally struct {
	Calls, OK, Failed, Rejected, Fallbacks int
	latencies                              []time.Duration
}

func (t *tally) add(o outcome, latency time.Duration) {
	t.Calls++
	switch o {
	case outcomeOK:
		t.OK++
	case outcomeFailed:
		t.Failed++
	case outcomeRejected:
		t.Rejected++
	case outcomeFallback:
		t.Fallbacks++
	}
	t.latencies = append(t.latencies, latency)
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

// recorder collects outcomes from the load generator's goroutines.
type recorder struct {
	mu       sync.Mutex
	interval tally
	total    tally
	flaky    tally // outcomes while the flaky phase lasted
}

func (r *recorder) record(o outcome, latency time.Duration, p Phase) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.interval.add(o, latency)
	r.total.add(o, latency)
	if p == PhaseFlaky {
		r.flaky.add(o, latency)
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

func (r *recorder) totals() (total, flaky tally) {
	r.mu.Lock()
	defer r.mu.Unlock()
	total, flaky = r.total, r.flaky
	total.latencies = slices.Clone(total.latencies)
	flaky.latencies = nil
	return total, flaky
}
