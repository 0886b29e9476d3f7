package chaos

import (
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// DefaultTriggerHeader is the request header whose comma-separated values
// name faults to force, unless Config.TriggerHeader says otherwise.
const DefaultTriggerHeader = "X-Chaos-Fault"

// Config configures an Injector. The zero value is valid and injects
// nothing: it has no faults and is disabled.
type Config struct {
	// Name identifies the injector in events. Empty means "chaos".
	Name string `yaml:"name" json:"name"`
	// Faults are the faults to inject, evaluated in order on every call.
	// Empty means none; SetFaults replaces them at run time.
	Faults []Fault `yaml:"faults" json:"faults"`
	// Enabled switches injection on. False, the default, lets every call
	// through untouched until Enable is called: chaos is opt-in.
	Enabled bool `yaml:"enabled" json:"enabled"`
	// Seed makes the injector's random decisions a fixed sequence: the n-th
	// call makes the same decisions in every run with the same seed and
	// faults. Zero means a random seed (see Injector.Seed to log it).
	Seed uint64 `yaml:"seed" json:"seed"`
	// TriggerHeader is the HTTP request header whose comma-separated values
	// name faults to force in Middleware and RoundTripper. Empty means
	// DefaultTriggerHeader; "-" disables header triggers, which you want
	// wherever untrusted clients could send the header.
	TriggerHeader string `yaml:"trigger_header" json:"trigger_header"`
	// Clock times latency faults and schedules. Nil means the real clock;
	// tests pass clock.NewManual(t0).
	Clock clock.Clock `yaml:"-" json:"-"`
	// Listener receives an EventFault for every fault injected. Nil means
	// none, at no cost.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// DefaultConfig returns the zero Config with its defaults spelled out:
// named "chaos", disabled, no faults, header triggers on
// DefaultTriggerHeader.
func DefaultConfig() Config {
	return Config{Name: "chaos", TriggerHeader: DefaultTriggerHeader}
}

// Kind is what a fault does to a call.
type Kind string

// The kinds of fault.
const (
	// KindLatency delays the call by Latency plus up to Jitter, then lets it
	// run.
	KindLatency Kind = "latency"
	// KindError fails the call with a *FaultError without running it,
	// simulating a dependency that cannot be reached: RoundTripper returns
	// the error as a transport error and Middleware drops the connection.
	// Its status defaults to 503 and gRPC Unavailable.
	KindError Kind = "error"
	// KindAbort fails the call with a *FaultError carrying HTTPStatus and
	// GRPCCode, simulating a dependency that answers with an error status:
	// RoundTripper returns a synthetic response and Middleware writes one.
	KindAbort Kind = "abort"
)

// A Fault is one kind of trouble to inject. It fires on a call
// probabilistically, with Probability, while its Schedule is active and,
// when Header is set, only on HTTP requests carrying that header. A call
// whose context (WithFault) or trigger header names the fault forces it,
// regardless of Probability, Schedule and Header, as long as the injector
// is enabled.
type Fault struct {
	// Name identifies the fault in triggers, events and errors. Empty means
	// "<kind>-<index>", e.g. "latency-0". Names are unique per injector.
	Name string `yaml:"name" json:"name"`
	// Kind is latency, error or abort. It is required.
	Kind Kind `yaml:"kind" json:"kind"`
	// Probability is the chance, in [0,1], that the fault fires on an
	// eligible call. Zero means it fires only when triggered by name.
	Probability float64 `yaml:"probability" json:"probability"`
	// Latency is the delay a latency fault adds; it must be > 0 for latency
	// faults and zero for the others.
	Latency time.Duration `yaml:"latency" json:"latency"`
	// Jitter adds a uniformly random extra delay in [0, Jitter] to a
	// latency fault. Zero means none.
	Jitter time.Duration `yaml:"jitter" json:"jitter"`
	// HTTPStatus is the status of an error or abort fault, 100..599. Zero
	// means derived from GRPCCode, or 503 for error faults.
	HTTPStatus int `yaml:"http_status" json:"http_status"`
	// GRPCCode is the numeric gRPC code of an error or abort fault, 0..16.
	// Zero means derived from HTTPStatus, or Unavailable (14) for error
	// faults. An abort fault needs HTTPStatus or GRPCCode.
	GRPCCode uint32 `yaml:"grpc_code" json:"grpc_code"`
	// Message is included in the error and the abort response body. Empty
	// means none.
	Message string `yaml:"message" json:"message"`
	// Header, when set, restricts probabilistic firing to HTTP requests that
	// carry this header with a non-empty value (Middleware and
	// RoundTripper), e.g. "X-Canary". Acquire sees no headers, so there the
	// fault fires only when triggered by name. Empty means every call is
	// eligible.
	Header string `yaml:"header" json:"header"`
	// Schedule limits when the fault may fire probabilistically. The zero
	// Schedule is always active.
	Schedule Schedule `yaml:"schedule" json:"schedule"`
}

// Schedule is the set of windows, measured from the moment the injector was
// last enabled, in which a fault is active. The zero Schedule is always
// active.
type Schedule struct {
	// From is when the fault becomes active. Zero means at once.
	From time.Duration `yaml:"from" json:"from"`
	// Until is when the fault stops for good; it must be after From. Zero
	// means never.
	Until time.Duration `yaml:"until" json:"until"`
	// Every repeats an active window of length For every Every, starting at
	// From: with Every 1m and For 10s the fault is active for the first ten
	// seconds of each minute. Zero means no repetition: active all the time
	// between From and Until.
	Every time.Duration `yaml:"every" json:"every"`
	// For is the length of each window; it must be in (0, Every] when Every
	// is set and zero otherwise.
	For time.Duration `yaml:"for" json:"for"`
}

// active reports whether the schedule is active elapsed after the start.
func (s Schedule) active(elapsed time.Duration) bool {
	if elapsed < s.From || (s.Until > 0 && elapsed >= s.Until) {
		return false
	}
	return s.Every <= 0 || (elapsed-s.From)%s.Every < s.For
}

func (s Schedule) isZero() bool { return s == Schedule{} }
