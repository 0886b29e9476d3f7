// Package gcra is the arithmetic of the generic cell rate algorithm, as pure
// functions of (state, now, parameters): no clock, no atomics, no locks. The
// local limiters in package ratelimit keep the state in an atomic word; a
// distributed limiter can keep it in a shared store and run the same
// functions (or a port of them) against it.
//
// The state is one int64, the theoretical arrival time (TAT): the instant,
// in nanoseconds on the caller's monotonic timeline, at which the bucket is
// full again. Admitting n events moves it to max(TAT, now) + n·Interval, and
// is allowed while the result is at most Tolerance ahead of now. Any TAT at
// or before now means a full bucket, so zero is a valid initial state for
// every timeline with non-negative readings.
//
// All arithmetic saturates at the int64 limits instead of wrapping, so
// extreme rates, bursts and instants give extreme but ordered answers.
package gcra

import (
	"math"
)

// Never is the Wait of a request that can never be admitted (n greater
// than the burst) and the largest representable instant.
const Never = math.MaxInt64

// Params describe one limit in nanoseconds. Build them with NewParams.
type Params struct {
	// Interval is the emission interval, the cost of one event: Per/Rate.
	// At least 1.
	Interval int64
	// Burst is how many events may be admitted at once. At least 1.
	Burst int64
	// Tolerance is how far the TAT may run ahead of now after an admission:
	// max(Burst·Interval, slack), saturated.
	Tolerance int64
}

// NewParams returns the parameters of a limit of one event per interval
// nanoseconds with the given burst. slack widens the tolerance to at least
// that many nanoseconds, so that a clock whose readings advance in steps of
// slack still lets the full rate through (see package ratelimit). Interval
// and burst below 1 are raised to 1; a negative slack counts as 0.
func NewParams(interval, burst, slack int64) Params {
	interval = max(interval, 1)
	burst = max(burst, 1)
	return Params{
		Interval:  interval,
		Burst:     burst,
		Tolerance: max(Mul(burst, interval), slack, 0),
	}
}

// Decision is the outcome of Allow or Reserve.
type Decision struct {
	// Allowed reports whether the events were admitted.
	Allowed bool
	// TAT is the new state: the old one when the events were refused.
	TAT int64
	// Wait is how long from now the events must wait: for Reserve, the
	// delay of an admitted reservation; for a refusal, how long until the
	// same request would be admitted (Never when n exceeds the burst).
	// Zero for an immediate admission.
	Wait int64
}

// Allow decides whether n events may happen at now, given state tat. n == 0
// is always allowed and changes nothing; n < 0 and n > Burst are refused
// (with Wait Never).
func Allow(p Params, tat, now, n int64) Decision {
	return Reserve(p, tat, now, n, 0)
}

// AllowOne is Allow for one event, small enough to inline on hot paths:
// it returns the new state and whether the event is admitted (the state
// must then be stored; otherwise it is to be ignored). A refused event's
// wait is Sub(Sub(newTAT, now), p.Tolerance).
func AllowOne(p Params, tat, now int64) (newTAT int64, ok bool) {
	newTAT = Add(max(tat, now), p.Interval)
	return newTAT, Sub(newTAT, now) <= p.Tolerance
}

// Reserve admits n events to happen at now + Wait, provided Wait is at most
// maxWait, and returns the state that accounts for them. With maxWait 0 it
// is Allow. A refused request leaves tat unchanged and reports in Wait how
// long the caller would have had to wait.
func Reserve(p Params, tat, now, n, maxWait int64) Decision {
	if n == 0 {
		return Decision{Allowed: true, TAT: tat}
	}
	if n < 0 || n > p.Burst {
		return Decision{TAT: tat, Wait: Never}
	}
	newTAT := Add(max(tat, now), Mul(n, p.Interval))
	wait := max(Sub(Sub(newTAT, now), p.Tolerance), 0)
	if wait > maxWait {
		return Decision{TAT: tat, Wait: wait}
	}
	return Decision{Allowed: true, TAT: newTAT, Wait: wait}
}

// Remaining returns how many events could be admitted at now, between 0
// and Burst.
func Remaining(p Params, tat, now int64) int64 {
	ahead := max(Sub(tat, now), 0)
	free := Sub(p.Tolerance, ahead)
	if free <= 0 {
		return 0
	}
	return min(free/p.Interval, p.Burst)
}

// ResetAfter returns how long from now until the bucket is full again.
func ResetAfter(tat, now int64) int64 {
	return max(Sub(tat, now), 0)
}

// Convert re-expresses state tat, taken under from, under to at now,
// keeping the number of available events (capped by the new capacity) rather
// than the time debt: a reconfiguration neither refills nor empties the
// bucket, and raising the burst adds no events at once; they accrue at the
// new rate. A debt beyond the tolerance (future reservations) keeps its
// count of events too.
func Convert(from, to Params, tat, now int64) int64 {
	ahead := float64(max(Sub(tat, now), 0))
	avail := (float64(from.Tolerance) - ahead) / float64(from.Interval)
	avail = min(avail, float64(to.Tolerance)/float64(to.Interval))
	debt := float64(to.Tolerance) - avail*float64(to.Interval)
	if debt <= 0 {
		return min(tat, now)
	}
	return Add(now, FromFloat(debt))
}

// Refund gives back the events of a reservation that will not be used, as
// far as it is safe: nothing once the reservation's time to act (act) has
// passed, nothing when the state is already below reservedTAT (the state
// right after the reservation: it was given back already), and not the
// part that later reservations have built on (the state having moved past
// reservedTAT). It returns the new state.
func Refund(p Params, tat, now, act, reservedTAT, n int64) int64 {
	if n <= 0 || now > act || tat < reservedTAT {
		return tat
	}
	credit := Sub(Mul(n, p.Interval), max(Sub(tat, reservedTAT), 0))
	if credit <= 0 {
		return tat
	}
	// Below now the bucket is full whatever the value: stop there.
	return max(Sub(tat, credit), min(tat, now))
}

// Add returns a+b, saturated at the int64 limits.
func Add(a, b int64) int64 {
	s := a + b
	if (s > a) == (b > 0) {
		return s
	}
	if b > 0 {
		return math.MaxInt64
	}
	return math.MinInt64
}

// Sub returns a-b, saturated at the int64 limits.
func Sub(a, b int64) int64 {
	s := a - b
	if (s < a) == (b > 0) {
		return s
	}
	if b > 0 {
		return math.MinInt64
	}
	return math.MaxInt64
}

// Mul returns a·b for non-negative a and b, saturated at math.MaxInt64;
// a negative operand gives 0.
func Mul(a, b int64) int64 {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > math.MaxInt64/b {
		return math.MaxInt64
	}
	return a * b
}

// FromFloat converts f to int64, rounding to nearest and saturating; NaN
// gives 0.
func FromFloat(f float64) int64 {
	switch {
	case f != f:
		return 0
	case f >= math.MaxInt64:
		return math.MaxInt64
	case f <= math.MinInt64:
		return math.MinInt64
	}
	return int64(math.Round(f))
}
