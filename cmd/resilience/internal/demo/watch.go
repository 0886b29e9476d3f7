package demo

import (
	"fmt"
	"time"

	"github.com/resilience-go/resilience/stats"
)

// StateChange is a change of the route's breaker state, as sampled.
type StateChange struct {
	At       time.Duration
	From, To string
}

// breakerWatch samples the route's breaker state from the stats registry
// and keeps its changes.
type breakerWatch struct {
	in      *stats.Instance
	state   string
	changes []StateChange
}

func newBreakerWatch(in *stats.Instance) *breakerWatch {
	return &breakerWatch{in: in, state: in.Snapshot().State}
}

// sample reads the state at at and records a change.
func (b *breakerWatch) sample(at time.Duration) {
	cur := b.in.Snapshot().State
	if cur == "" || cur == b.state {
		return
	}
	if b.state == "" { // the first reading: not a change
		b.state = cur
		return
	}
	if b.state == "open" && cur == "closed" {
		// The probes succeeded between two samples: the breaker was
		// half-open meanwhile.
		b.changes = append(b.changes, StateChange{At: at, From: b.state, To: "half_open"})
		b.state = "half_open"
	}
	b.changes = append(b.changes, StateChange{At: at, From: b.state, To: cur})
	b.state = cur
}

// isOpen reports whether state refuses calls.
func isOpen(state string) bool { return state == "open" || state == "forced_open" }

// trips returns the moments the breaker opened from a closed state, and
// recoveries those it closed again.
func trips(changes []StateChange) (trips, recoveries []time.Duration) {
	for _, c := range changes {
		switch {
		case isOpen(c.To) && !isOpen(c.From) && c.From != "half_open":
			trips = append(trips, c.At)
		case c.To == "closed":
			recoveries = append(recoveries, c.At)
		}
	}
	return trips, recoveries
}

// Ejection is a spell during which an upstream received next to no
// requests while the others were busy: outlier detection had taken it out
// of rotation. Times are those of the timeline's rows.
type Ejection struct {
	// Upstream is 1, 2 or 3.
	Upstream int
	// From is when it was first seen out; Until when it was seen back, or
	// zero if it was still out at the end.
	From, Until time.Duration
}

// ejectWatch infers ejections from the requests each upstream received.
type ejectWatch struct {
	out       [numUpstreams]int // index+1 into ejections while out, else 0
	ejections []Ejection
}

// minBusy is how many requests the busiest upstream must have received in
// an interval for the others' shares to say anything.
const minBusy = 20

// update takes the requests each upstream received in the interval that
// ended at at, and returns notes on the upstreams that left or rejoined
// the rotation. An upstream is out when it received less than an eighth
// of what the busiest one did: the balancer spreads requests evenly, and an
// ejected endpoint only sees the few requests that test it on its return.
// Intervals in which no upstream was busy (the breaker open, say) change
// nothing.
func (e *ejectWatch) update(at, interval time.Duration, n [numUpstreams]int64) []string {
	busiest := max(n[0], n[1], n[2])
	if busiest < minBusy {
		return nil
	}
	var notes []string
	for i, c := range n {
		out := c*8 < busiest
		switch {
		case out && e.out[i] == 0:
			e.ejections = append(e.ejections, Ejection{Upstream: i + 1, From: max(at-interval, 0)})
			e.out[i] = len(e.ejections)
			notes = append(notes, fmt.Sprintf("upstream-%d ejected", i+1))
		case !out && e.out[i] != 0:
			e.ejections[e.out[i]-1].Until = at
			e.out[i] = 0
			notes = append(notes, fmt.Sprintf("upstream-%d back", i+1))
		}
	}
	return notes
}
