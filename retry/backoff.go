package retry

import (
	"fmt"
	"math"
	"time"
)

// BackoffKind names a backoff strategy. It is a string so that YAML and JSON
// configs spell it out: "constant", "exponential", "full_jitter",
// "decorrelated_jitter" or "none".
type BackoffKind string

// The backoff strategies. The delays are described for the n-th retry
// (n = 1 before the second attempt), with base = Initial and cap = Max.
const (
	// BackoffFullJitter waits a uniformly random time in
	// [0, min(cap, base × Multiplier^(n-1))): AWS's "Full Jitter", the best
	// at spreading out callers that failed together. It is the default.
	BackoffFullJitter BackoffKind = "full_jitter"
	// BackoffExponential waits exactly min(cap, base × Multiplier^(n-1)).
	BackoffExponential BackoffKind = "exponential"
	// BackoffDecorrelatedJitter waits a uniformly random time in
	// [base, min(cap, 3 × previous delay)]: AWS's "Decorrelated Jitter".
	// Multiplier is not used.
	BackoffDecorrelatedJitter BackoffKind = "decorrelated_jitter"
	// BackoffConstant always waits min(cap, base).
	BackoffConstant BackoffKind = "constant"
	// BackoffNone retries at once, without waiting.
	BackoffNone BackoffKind = "none"
)

// Backoff defaults, used where a BackoffConfig field is zero.
const (
	DefaultBackoffInitial    = 100 * time.Millisecond
	DefaultBackoffMax        = 10 * time.Second
	DefaultBackoffMultiplier = 2.0
)

// decorrelatedFactor is AWS's growth factor for decorrelated jitter.
const decorrelatedFactor = 3.0

// BackoffConfig describes how long to wait before each retry. Its Delay
// method is a pure function, so other policies (hedging, reconnect loops)
// can reuse it. The zero value is full jitter from 100ms, doubling, capped
// at 10s.
type BackoffConfig struct {
	// Kind is the strategy. Empty means BackoffFullJitter.
	Kind BackoffKind `yaml:"kind" json:"kind"`
	// Initial is the base delay: the first exponential step, the constant
	// delay, the floor of decorrelated jitter. Zero means 100ms.
	Initial time.Duration `yaml:"initial" json:"initial"`
	// Max caps every delay, Retry-After hints included: a hint longer than
	// Max ends the retries. Zero means 10s, or Initial when that is larger.
	Max time.Duration `yaml:"max" json:"max"`
	// Multiplier is the growth factor of the exponential strategies; it
	// must be at least 1. Zero means 2.
	Multiplier float64 `yaml:"multiplier" json:"multiplier"`
}

// DefaultBackoffConfig returns the defaults spelled out: full jitter from
// 100ms, doubling, capped at 10s.
func DefaultBackoffConfig() BackoffConfig {
	return BackoffConfig{
		Kind:       BackoffFullJitter,
		Initial:    DefaultBackoffInitial,
		Max:        DefaultBackoffMax,
		Multiplier: DefaultBackoffMultiplier,
	}
}

// Validate reports the first invalid field, or nil.
func (b BackoffConfig) Validate() error {
	switch b.Kind {
	case "", BackoffFullJitter, BackoffExponential, BackoffDecorrelatedJitter, BackoffConstant, BackoffNone:
	default:
		return fmt.Errorf("retry: Backoff.Kind %q must be one of full_jitter, exponential, decorrelated_jitter, constant, none", string(b.Kind))
	}
	if b.Initial < 0 {
		return fmt.Errorf("retry: Backoff.Initial %v must be >= 0", b.Initial)
	}
	if b.Max < 0 {
		return fmt.Errorf("retry: Backoff.Max %v must be >= 0", b.Max)
	}
	if b.Max > 0 && b.Max < b.Initial {
		return fmt.Errorf("retry: Backoff.Max %v must be >= Backoff.Initial %v", b.Max, b.Initial)
	}
	if b.Multiplier != 0 && !(b.Multiplier >= 1 && b.Multiplier <= math.MaxFloat64) {
		return fmt.Errorf("retry: Backoff.Multiplier %v must be a finite number >= 1", b.Multiplier)
	}
	return nil
}

// initial returns Initial with its default applied; never negative.
func (b BackoffConfig) initial() time.Duration {
	switch {
	case b.Initial == 0:
		return DefaultBackoffInitial
	case b.Initial < 0:
		return 0
	}
	return b.Initial
}

// Cap returns the largest delay Delay can return: Max with its default
// applied. Retry-After hints above it end the retries.
func (b BackoffConfig) Cap() time.Duration {
	if b.Max > 0 {
		return b.Max
	}
	return max(DefaultBackoffMax, b.initial())
}

// Delay returns the wait before the n-th retry (n >= 1; smaller n count as
// 1), given the previous delay prev (used by decorrelated jitter) and a
// uniform random number u in [0, 1) (used by the jittered strategies; values
// outside are clamped). The result is always in [0, Cap()]: the arithmetic
// saturates instead of overflowing, for any n and any field values, even
// ones Validate rejects.
func (b BackoffConfig) Delay(n int, prev time.Duration, u float64) time.Duration {
	capD := b.Cap()
	base := min(b.initial(), capD)
	switch b.Kind {
	case BackoffNone:
		return 0
	case BackoffConstant:
		return base
	case BackoffExponential:
		return scaleCapped(base, b.growth(n), capD)
	case BackoffDecorrelatedJitter:
		prev = max(prev, base)
		hi := scaleCapped(prev, decorrelatedFactor, capD)
		return base + scaleCapped(hi-base, clampUnit(u), hi-base)
	default: // BackoffFullJitter
		ceil := scaleCapped(base, b.growth(n), capD)
		return scaleCapped(ceil, clampUnit(u), ceil)
	}
}

// growth returns Multiplier^(n-1), which may be +Inf.
func (b BackoffConfig) growth(n int) float64 {
	m := b.Multiplier
	switch {
	case m == 0:
		m = DefaultBackoffMultiplier
	case !(m >= 1): // NaN or below 1
		m = 1
	}
	if n <= 1 || m == 1 {
		return 1
	}
	return math.Pow(m, float64(n-1))
}

// scaleCapped returns d × f, clamped to [0, limit], without overflowing.
// d and limit must be >= 0; f may be anything.
func scaleCapped(d time.Duration, f float64, limit time.Duration) time.Duration {
	x := float64(d) * f
	if !(x > 0) { // zero, negative or NaN
		return 0
	}
	if x >= float64(limit) {
		return limit
	}
	// x < float64(limit) <= 2^63, so x is at most 2^63-1024: it converts.
	return time.Duration(x)
}

// clampUnit maps u into [0, 1).
func clampUnit(u float64) float64 {
	switch {
	case !(u >= 0): // negative or NaN
		return 0
	case u >= 1:
		return math.Nextafter(1, 0)
	}
	return u
}
