package grpcx

import (
	"fmt"
	"strings"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/ratelimit"
)

// DefaultPriorityKey is the metadata key a zero ServerConfig.PriorityKey
// stands for.
const DefaultPriorityKey = "x-priority"

// ServerConfig configures the server interceptors. Every policy is
// optional: the zero ServerConfig is valid and only recovers panics.
//
// The policies run in this order, each refusing the call before the next
// is consulted:
//
//	panic recovery → RateLimit → KeyedRateLimit → Deadline → priority → Concurrency → Chaos → handler
//
// Cheap refusals come first; the chaos injector runs last, so its faults
// look to everything else like the handler's own (an injected delay holds a
// concurrency slot, as a slow handler would).
type ServerConfig struct {
	// Name identifies the interceptors in events. Empty means "grpcx".
	Name string `yaml:"name" json:"name"`
	// RateLimit, when set, limits every call together. A refused call ends
	// with ResourceExhausted, a google.rpc.RetryInfo detail and a
	// grpc-retry-pushback-ms trailer, both carrying the limiter's retry
	// delay. Nil means no global limit.
	RateLimit *ratelimit.Limiter `yaml:"-" json:"-"`
	// KeyedRateLimit, when set, limits calls per key (RateLimitKey), after
	// RateLimit; refusals are answered the same way. Nil means no keyed
	// limit.
	KeyedRateLimit *ratelimit.Keyed `yaml:"-" json:"-"`
	// RateLimitKey is the incoming metadata key whose first value is a
	// call's KeyedRateLimit key, e.g. "x-api-key" (lower case, as gRPC
	// metadata keys are). Calls that lack it, and every call when it is
	// empty, are keyed by the peer's IP address.
	RateLimitKey string `yaml:"rate_limit_key" json:"rate_limit_key"`
	// Deadline bounds the time a call's handler may spend, whatever the
	// client's grpc-timeout asked for: deadlines beyond Max are clamped by
	// deriving a shorter context, calls without one get Default, calls
	// arriving with less than Min are refused with DeadlineExceeded, and
	// calls that travelled more than MaxHops hops (deadline.GRPCHopsKey),
	// probably in a routing loop, with FailedPrecondition. The handler's
	// context carries the hop count (deadline.HopsFromContext), so a
	// deadline.Propagator on its outgoing calls sends it on. Nil leaves the
	// incoming deadline as grpc-go set it.
	Deadline *deadline.ServerConfig `yaml:"deadline" json:"deadline"`
	// PriorityKey is the incoming metadata key whose value (parsed by
	// adaptive.ParsePriority; garbled values mean normal) is put in the
	// handler's context with adaptive.WithPriority, for an adaptive
	// Concurrency guard to shed the least important calls first. Empty
	// means DefaultPriorityKey; "-" turns it off, which you want where
	// untrusted clients could claim a high priority.
	PriorityKey string `yaml:"priority_key" json:"priority_key"`
	// Concurrency, when set, is a guard bounding the calls in flight: a
	// *bulkhead.Semaphore, an *adaptive.Limiter or an *adaptive.Shedder.
	// It sees each call's outcome (status errors classified by OutcomeFor,
	// so DeadlineExceeded counts as a drop). A refused call ends with
	// Unavailable: this instance is full, and a retry after a backoff,
	// perhaps on another instance, may succeed; ResourceExhausted is kept
	// for the caller's own quota (RateLimit). Nil means no bound.
	Concurrency resilience.Guard `yaml:"-" json:"-"`
	// Chaos, when set, injects its faults just before the handler: latency
	// faults delay it, error and abort faults fail the call with their
	// FaultError's gRPC code instead of running it. Nil means none.
	Chaos *chaos.Injector `yaml:"-" json:"-"`
	// PropagatePanics lets a handler's panic crash the server, as grpc-go
	// does by default. False (zero) recovers it: the call ends with
	// Internal and the message "internal error" (the panic value and stack
	// go to the Listener, never to the client), and it is counted in
	// ServerStats.Panics.
	PropagatePanics bool `yaml:"propagate_panics" json:"propagate_panics"`
	// Listener receives an EventPanic for every recovered panic, its Err a
	// *PanicError. Nil means none, at no cost.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// Validate reports the first invalid field, naming it.
func (c ServerConfig) Validate() error {
	if c.Deadline != nil {
		if err := c.Deadline.Validate(); err != nil {
			return fmt.Errorf("grpcx: Deadline: %w", err)
		}
	}
	if err := validKey("RateLimitKey", c.RateLimitKey, false); err != nil {
		return err
	}
	return validKey("PriorityKey", c.PriorityKey, true)
}

// validKey checks a metadata key: lower-case ASCII letters, digits, '-',
// '_' and '.', not ending in "-bin" (binary values are not text).
func validKey(field, k string, dashOff bool) error {
	if k == "" || (dashOff && k == "-") {
		return nil
	}
	for i := 0; i < len(k); i++ {
		b := k[i]
		if !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_' || b == '.') {
			return fmt.Errorf("grpcx: %s %q must be a lower-case gRPC metadata key", field, k)
		}
	}
	if strings.HasSuffix(k, "-bin") || strings.HasPrefix(k, "grpc-") {
		return fmt.Errorf("grpcx: %s %q must not be a binary or reserved (grpc-) key", field, k)
	}
	return nil
}
