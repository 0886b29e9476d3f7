package chaos

import (
	"context"
	"math/rand/v2"
	"net/textproto"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// Injector is a Guard that injects faults into the calls it admits: it
// delays them (latency faults) or fails them before they run (error and
// abort faults), at random with each fault's probability, within its
// schedule, or on demand when a call is triggered by name (WithFault, or
// the trigger header in Middleware and RoundTripper).
//
// Injected errors are *FaultError values matching ErrInjected but not
// resilience.ErrRejected: they stand for dependency failures. Put the
// injector inside (after) the circuit breaker and retry in a pipeline so
// those policies see its faults.
//
// An Injector made from the zero Config is disabled and injects nothing;
// Enable, Disable and SetFaults change it at run time. It is safe for
// concurrent use; decisions are lock-free and allocate nothing. Most callers
// want Acquire through a pipeline, Middleware on a server or RoundTripper on
// a client.
type Injector struct {
	name     string
	clock    clock.Clock
	listener resilience.Listener
	seed     uint64
	trigger  string // canonical trigger header; "" when disabled

	mu      sync.Mutex // serialises Enable, Disable and SetFaults
	enabled atomic.Bool
	start   atomic.Int64 // clock reading at the last Enable
	faults  atomic.Pointer[faultSet]

	// calls is written on every decision; the padding keeps it off the
	// cache line of the fields every call reads.
	_       [64]byte
	calls   atomic.Uint64
	_       [56]byte
	delayed atomic.Uint64
	errored atomic.Uint64
	aborted atomic.Uint64
}

var _ resilience.Guard = (*Injector)(nil)

// New returns an Injector for cfg, or cfg.Validate's error.
func New(cfg Config) (*Injector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	inj := &Injector{
		name:     cfg.Name,
		clock:    clock.Or(cfg.Clock),
		listener: cfg.Listener,
		seed:     cfg.Seed,
	}
	if inj.name == "" {
		inj.name = "chaos"
	}
	if inj.seed == 0 {
		inj.seed = rand.Uint64() | 1
	}
	switch cfg.TriggerHeader {
	case "":
		inj.trigger = DefaultTriggerHeader
	case "-":
	default:
		inj.trigger = textproto.CanonicalMIMEHeaderKey(cfg.TriggerHeader)
	}
	if err := inj.SetFaults(cfg.Faults); err != nil {
		return nil, err
	}
	if cfg.Enabled {
		inj.Enable()
	}
	return inj, nil
}

// Acquire waits out the latency faults that fire, then fails with the
// *FaultError of the first error or abort fault that fires, if any. It
// returns the context's error if ctx ends during the delay. The Permit it
// returns needs no Done, but calling Done is harmless.
func (inj *Injector) Acquire(ctx context.Context) (resilience.Permit, error) {
	if !inj.enabled.Load() {
		return resilience.Permit{}, nil
	}
	d := inj.decide(ctx, nil)
	if d.delay > 0 {
		if err := clock.Sleep(ctx, inj.clock, d.delay); err != nil {
			return resilience.Permit{}, err
		}
	}
	if d.fault != nil {
		return resilience.Permit{}, d.fault.err
	}
	return resilience.Permit{}, nil
}

// Release does nothing: an injector does not observe outcomes.
func (inj *Injector) Release(resilience.Permit, error) {}

// Name returns the injector's configured name.
func (inj *Injector) Name() string { return inj.name }

// Seed returns the seed of the injector's decisions, the configured one or
// the random one chosen by New; configure it to replay a run.
func (inj *Injector) Seed() uint64 { return inj.seed }

// Enabled reports whether the injector injects faults.
func (inj *Injector) Enabled() bool { return inj.enabled.Load() }

// Enable switches injection on. When it was off, schedules restart: their
// offsets are measured from now.
func (inj *Injector) Enable() {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	if !inj.enabled.Load() {
		inj.start.Store(inj.clock.Nanotime())
		inj.enabled.Store(true)
	}
}

// Disable switches injection off: every call goes through untouched, even
// those triggered by name. Calls already delayed finish their delay.
func (inj *Injector) Disable() {
	inj.mu.Lock()
	defer inj.mu.Unlock()
	inj.enabled.Store(false)
}

// SetFaults validates faults and replaces the injector's faults with them;
// calls in progress finish with the old ones. On error nothing changes.
// Errors name the field as in Config.Validate, e.g. "Faults[0].Kind".
func (inj *Injector) SetFaults(faults []Fault) error {
	compiled, err := compileFaults(faults)
	if err != nil {
		return err
	}
	set := newFaultSet(compiled, inj.name)
	inj.mu.Lock()
	defer inj.mu.Unlock()
	inj.faults.Store(set)
	return nil
}

// Faults returns the injector's faults with their defaults filled in.
func (inj *Injector) Faults() []Fault {
	set := inj.faults.Load()
	out := make([]Fault, len(set.faults))
	for i := range set.faults {
		out[i] = set.faults[i].Fault
	}
	return out
}

// Stats counts what an injector did since it was made.
type Stats struct {
	// Calls is the number of calls decided while enabled with faults.
	Calls uint64
	// Delayed is the number of calls a latency fault delayed.
	Delayed uint64
	// Errors is the number of calls an error fault failed.
	Errors uint64
	// Aborts is the number of calls an abort fault failed.
	Aborts uint64
}

// Stats returns the injector's counters.
func (inj *Injector) Stats() Stats {
	return Stats{
		Calls:   inj.calls.Load(),
		Delayed: inj.delayed.Load(),
		Errors:  inj.errored.Load(),
		Aborts:  inj.aborted.Load(),
	}
}

// elapsed returns the time since the last Enable.
func (inj *Injector) elapsed() time.Duration {
	return time.Duration(inj.clock.Nanotime() - inj.start.Load())
}
