package circuitbreaker

import (
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// Config configures a Breaker. The zero value is valid: a standard breaker
// with no trip condition enabled, which counts but never opens. Start from
// DefaultConfig for a breaker that trips at a 50% failure rate.
type Config struct {
	// Name identifies the breaker in events and metrics.
	Name string `yaml:"name" json:"name"`

	// Mode selects the algorithm: ModeStandard (zero), the closed / open /
	// half-open state machine, or ModeAdaptive, Google SRE client-side
	// throttling (see AdaptiveK).
	Mode Mode `yaml:"mode" json:"mode"`

	// ConsecutiveFailures trips the breaker after this many failures in a
	// row, whatever the window holds. Zero turns the condition off.
	ConsecutiveFailures int `yaml:"consecutive_failures" json:"consecutive_failures"`

	// FailureRateThreshold trips the breaker when at least this percentage,
	// in (0, 100], of the calls in the window failed. Zero turns the
	// condition off.
	FailureRateThreshold float64 `yaml:"failure_rate_threshold" json:"failure_rate_threshold"`

	// SlowCallRateThreshold trips the breaker when at least this
	// percentage, in (0, 100], of the calls in the window took longer than
	// SlowCallDuration. Zero turns the condition off.
	SlowCallRateThreshold float64 `yaml:"slow_call_rate_threshold" json:"slow_call_rate_threshold"`

	// SlowCallDuration is the latency above which a call is slow. It is
	// required when SlowCallRateThreshold is set; zero otherwise means calls
	// are never slow.
	SlowCallDuration time.Duration `yaml:"slow_call_duration" json:"slow_call_duration"`

	// RequireAll trips only when every enabled rate condition holds, e.g. a
	// failure rate of at least 50% AND a slow-call rate of at least 10%
	// ("error rate and p90 latency"). False (zero) trips when any holds.
	// ConsecutiveFailures and ReadyToTrip always trip on their own.
	RequireAll bool `yaml:"require_all" json:"require_all"`

	// MinimumCalls is how many calls the window must hold before the rate
	// conditions are evaluated (and, in adaptive mode, before throttling
	// starts). Zero means 10.
	MinimumCalls int `yaml:"minimum_calls" json:"minimum_calls"`

	// WindowType selects a count window (zero: the last WindowSize calls)
	// or a time window (the last WindowDuration).
	WindowType WindowType `yaml:"window_type" json:"window_type"`

	// WindowSize is how many calls a count window holds, at most 1048576.
	// Zero means 100.
	WindowSize int `yaml:"window_size" json:"window_size"`

	// WindowDuration is how much time a time window spans. Zero means 10s.
	WindowDuration time.Duration `yaml:"window_duration" json:"window_duration"`

	// WindowBuckets is how many buckets the window rolls in, at most 1000.
	// A time bucket must span at least 1ms. A count window uses at most 64
	// buckets (more when a bucket would exceed 65536 calls), of C =
	// ceil(N/buckets) calls each: it holds the last N calls (N rounded up
	// to a multiple of C) right after a bucket fills, and up to C-1 more
	// until the next one does (goroutines running in parallel may fill up
	// to 8 buckets side by side, each holding fewer than C). Zero means 10.
	WindowBuckets int `yaml:"window_buckets" json:"window_buckets"`

	// ResetInterval clears the counts every interval while the breaker is
	// closed, like gobreaker's Interval; outcomes of calls admitted before a
	// clear are ignored. Zero means never.
	ResetInterval time.Duration `yaml:"reset_interval" json:"reset_interval"`

	// ReadyToTrip is an optional custom trip condition, ORed with the
	// others. It is called, never under a lock, with a snapshot of the
	// metrics after each failure or slow call in the closed state and after
	// each bucket rotation. Nil means none.
	ReadyToTrip func(Metrics) bool `yaml:"-" json:"-"`

	// OpenDuration is how long the breaker stays open after its first trip
	// before it lets probes through. Zero means 5s.
	OpenDuration time.Duration `yaml:"open_duration" json:"open_duration"`

	// MaxOpenDuration caps the open wait, which grows by
	// OpenBackoffMultiplier each time a half-open breaker trips again. It
	// must be at least OpenDuration. Zero means 10 × OpenDuration.
	MaxOpenDuration time.Duration `yaml:"max_open_duration" json:"max_open_duration"`

	// OpenBackoffMultiplier is the growth of the open wait per consecutive
	// re-trip from half-open: the wait is OpenDuration ×
	// OpenBackoffMultiplier^retrips, capped at MaxOpenDuration. It must be
	// at least 1 (1 keeps the wait constant). Zero means 2.
	OpenBackoffMultiplier float64 `yaml:"open_backoff_multiplier" json:"open_backoff_multiplier"`

	// OpenJitter, in [0, 1], lengthens each open wait by a random fraction
	// of up to OpenJitter of itself (after the cap), so breakers that
	// tripped together do not probe together. Zero means no jitter.
	OpenJitter float64 `yaml:"open_jitter" json:"open_jitter"`

	// HalfOpenProbes is how many probe calls a half-open breaker admits;
	// further calls get ErrHalfOpenFull. The breaker closes when that many
	// probes succeeded and re-opens at the first probe that fails (or is
	// slow, when SlowCallRateThreshold is set). A probe whose outcome is
	// ignored frees its slot. Zero means 1.
	HalfOpenProbes int `yaml:"half_open_probes" json:"half_open_probes"`

	// HalfOpenMaxWait is the longest the breaker stays half-open: if the
	// probes have not closed it by then, it re-opens. Zero means no limit.
	HalfOpenMaxWait time.Duration `yaml:"half_open_max_wait" json:"half_open_max_wait"`

	// AdaptiveK is the SRE throttling multiplier K, at least 1: adaptive
	// mode rejects with probability max(0, (requests − K·accepts) /
	// (requests + 1)). Lower is more aggressive. Zero means 2.
	AdaptiveK float64 `yaml:"adaptive_k" json:"adaptive_k"`

	// AdaptiveWindow is the span over which adaptive mode counts requests
	// and accepts, in WindowBuckets buckets. Zero means 10s (the SRE book
	// uses two minutes; a shorter window recovers faster).
	AdaptiveWindow time.Duration `yaml:"adaptive_window" json:"adaptive_window"`

	// Classify decides how a call's error counts. Nil means
	// resilience.Classify.
	Classify resilience.Classifier `yaml:"-" json:"-"`

	// Listener receives the breaker's events: EventStateChange,
	// EventRejected, EventSuccess and EventFailure. Nil means none, at no
	// cost.
	Listener resilience.Listener `yaml:"-" json:"-"`

	// Clock reads time. Nil means the real clock; tests pass
	// clock.NewManual(t0).
	Clock clock.Clock `yaml:"-" json:"-"`

	// Random returns numbers in [0, 1) for the open-wait jitter and adaptive
	// throttling. Nil means math/rand/v2.Float64; tests pass a
	// deterministic source.
	Random func() float64 `yaml:"-" json:"-"`
}

// Defaults applied to zero fields.
const (
	defaultMinimumCalls   = 10
	defaultWindowSize     = 100
	defaultWindowDuration = 10 * time.Second
	defaultWindowBuckets  = 10
	defaultOpenDuration   = 5 * time.Second
	defaultMultiplier     = 2
	defaultHalfOpenProbes = 1
	defaultAdaptiveK      = 2
	defaultAdaptiveWindow = 10 * time.Second
	maxWindowSize         = 1 << 20
	maxWindowBuckets      = 1000
	maxHalfOpenProbes     = 1 << 30
	maxOpenFactor         = 10
	minBucketSpan         = time.Millisecond
)

// DefaultConfig returns the configuration most breakers want: trip when at
// least 50% of the last 100 calls failed (once 10 were seen), stay open 5s,
// doubling up to 50s on repeated trips, probe with one call. Its fields
// hold the values that zero would mean, so a decoder that starts from it
// shows them.
func DefaultConfig() Config {
	return Config{
		FailureRateThreshold:  50,
		MinimumCalls:          defaultMinimumCalls,
		WindowType:            WindowCount,
		WindowSize:            defaultWindowSize,
		WindowDuration:        defaultWindowDuration,
		WindowBuckets:         defaultWindowBuckets,
		OpenDuration:          defaultOpenDuration,
		OpenBackoffMultiplier: defaultMultiplier,
		HalfOpenProbes:        defaultHalfOpenProbes,
		AdaptiveK:             defaultAdaptiveK,
		AdaptiveWindow:        defaultAdaptiveWindow,
	}
}

// withDefaults returns c with every zero field that has a default filled
// in. It assumes c is valid.
func (c Config) withDefaults() Config {
	if c.MinimumCalls == 0 {
		c.MinimumCalls = defaultMinimumCalls
	}
	if c.WindowSize == 0 {
		c.WindowSize = defaultWindowSize
	}
	if c.WindowDuration == 0 {
		c.WindowDuration = defaultWindowDuration
	}
	if c.WindowBuckets == 0 {
		c.WindowBuckets = defaultWindowBuckets
	}
	if c.OpenDuration == 0 {
		c.OpenDuration = defaultOpenDuration
	}
	if c.MaxOpenDuration == 0 {
		c.MaxOpenDuration = c.OpenDuration * maxOpenFactor
		if c.MaxOpenDuration/maxOpenFactor != c.OpenDuration {
			c.MaxOpenDuration = time.Duration(1<<63 - 1)
		}
	}
	if c.OpenBackoffMultiplier == 0 {
		c.OpenBackoffMultiplier = defaultMultiplier
	}
	if c.HalfOpenProbes == 0 {
		c.HalfOpenProbes = defaultHalfOpenProbes
	}
	if c.AdaptiveK == 0 {
		c.AdaptiveK = defaultAdaptiveK
	}
	if c.AdaptiveWindow == 0 {
		c.AdaptiveWindow = defaultAdaptiveWindow
	}
	return c
}
