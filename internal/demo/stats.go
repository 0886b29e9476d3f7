package demo

import (
	"slices"
	"sync"
	"time"
)

// tally counts one interval of the timeline.
type tally struct {
	Calls, OK, Failed, Rejected int
	latencies                   []time.Duration
}

func (t *tally) p99() time.Duration {
	if len(t.latencies) == 0 {
		return 0
	}
	s := slices.Clone(t.latencies)
	slices.Sort(s)
	return s[(len(s)*99+99)/100-1] // nearest-rank percentile
}

// recorder collects outcomes from the load generator's goroutines.
type recorder struct {
	mu       sync.Mutex
	interval tally
	total    tally
}

type outcome uint8

const (
	outcomeOK outcome = iota
	outcomeFailed
	outcomeRejected
)

func (r *recorder) record(o outcome, latency time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, t := range []*tally{&r.interval, &r.total} {
		t.Calls++
		switch o {
		case outcomeOK:
			t.OK++
		case outcomeFailed:
			t.Failed++
		case outcomeRejected:
			t.Rejected++
		}
		if o != outcomeRejected {
			t.latencies = append(t.latencies, latency)
		}
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

func (r *recorder) totals() tally {
	r.mu.Lock()
	defer r.mu.Unlock()
	t := r.total
	t.latencies = slices.Clone(t.latencies)
	return t
}
