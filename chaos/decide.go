package chaos

import (
	"context"
	"math"
	"net/http"
	"net/textproto"
	"slices"
	"time"

	"github.com/resilience-go/resilience"
)

// faultSet is an immutable, compiled set of faults, swapped atomically by
// SetFaults.
type faultSet struct {
	faults    []compiled
	scheduled bool // some fault has a non-zero schedule
}

type compiled struct {
	Fault
	threshold uint64      // fires when a 53-bit draw is below it
	headerKey string      // canonical form of Header
	err       *FaultError // returned on every injection of an error or abort fault
	detail    string      // event detail "<name>/<kind>"
}

func newFaultSet(faults []Fault, injector string) *faultSet {
	set := &faultSet{faults: make([]compiled, len(faults))}
	for i, f := range faults {
		c := compiled{
			Fault:     f,
			threshold: uint64(f.Probability * (1 << 53)),
			detail:    f.Name + "/" + string(f.Kind),
		}
		if f.Header != "" {
			c.headerKey = textproto.CanonicalMIMEHeaderKey(f.Header)
		}
		if f.Kind != KindLatency {
			c.err = &FaultError{Fault: f.Name, Kind: f.Kind, Status: f.HTTPStatus, Code: f.GRPCCode, Message: f.Message}
		}
		if !f.Schedule.isZero() {
			set.scheduled = true
		}
		set.faults[i] = c
	}
	return set
}

// decision is what the injector does to one call: delay it, then fail it
// with fault's error when fault is non-nil.
type decision struct {
	delay time.Duration
	fault *compiled
}

// decide draws the n-th call's decisions and reports the faults that fire.
// h is the HTTP request's header, nil for Acquire.
func (inj *Injector) decide(ctx context.Context, h http.Header) decision {
	set := inj.faults.Load()
	if len(set.faults) == 0 {
		return decision{}
	}
	n := inj.calls.Add(1)
	base := splitmix64(inj.seed + n*golden)
	forced := FaultsFromContext(ctx)
	var forcedHeader []string
	if h != nil && inj.trigger != "" {
		forcedHeader = h[inj.trigger]
	}
	var elapsed time.Duration
	if set.scheduled {
		elapsed = inj.elapsed()
	}
	var d decision
	for i := range set.faults {
		f := &set.faults[i]
		if f.Kind != KindLatency && d.fault != nil {
			continue // the first error or abort wins
		}
		r := splitmix64(base + uint64(i+1)*golden)
		if !f.fires(r, forced, forcedHeader, h, elapsed) {
			continue
		}
		var delay time.Duration
		if f.Kind == KindLatency {
			delay = f.Latency
			if f.Jitter > 0 {
				delay += time.Duration(splitmix64(r) % (uint64(f.Jitter) + 1))
			}
			if d.delay > math.MaxInt64-delay {
				d.delay = math.MaxInt64
			} else {
				d.delay += delay
			}
		} else {
			d.fault = f
		}
		if inj.listener != nil {
			ev := resilience.Event{Kind: resilience.EventFault, Policy: "chaos", Name: inj.name, Delay: delay, Detail: f.detail}
			if f.err != nil {
				ev.Err = f.err
			}
			inj.listener.OnEvent(ev)
		}
	}
	if d.delay > 0 {
		inj.delayed.Add(1)
	}
	if d.fault != nil {
		if d.fault.Kind == KindAbort {
			inj.aborted.Add(1)
		} else {
			inj.errored.Add(1)
		}
	}
	return d
}

// fires reports whether f fires on a call with random draw r.
func (f *compiled) fires(r uint64, forced, forcedHeader []string, h http.Header, elapsed time.Duration) bool {
	if slices.Contains(forced, f.Name) {
		return true
	}
	for _, v := range forcedHeader {
		if listContains(v, f.Name) {
			return true
		}
	}
	if f.threshold == 0 {
		return false
	}
	if f.headerKey != "" && (len(h[f.headerKey]) == 0 || h[f.headerKey][0] == "") {
		return false
	}
	if !f.Schedule.active(elapsed) {
		return false
	}
	return r>>11 < f.threshold
}

// golden is 2^64 divided by the golden ratio, SplitMix64's increment.
const golden = 0x9e3779b97f4a7c15

// splitmix64 is SplitMix64's output function: a bijective mix whose
// outputs for consecutive inputs spaced by golden are statistically
// independent. It makes each (call, fault) draw a pure function of the
// seed, so decisions need neither a lock nor shared generator state.
func splitmix64(x uint64) uint64 {
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
