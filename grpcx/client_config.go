package grpcx

import (
	"fmt"
	"time"

	"google.golang.org/grpc"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/retry"
)

// DefaultMaxBreakers is the MaxBreakers a zero ClientConfig.MaxBreakers
// stands for.
const DefaultMaxBreakers = 1024

// BreakerScope says which calls share a circuit breaker.
type BreakerScope string

// The breaker scopes.
const (
	// ScopeMethod gives each full method name ("/pkg.Service/Method") its
	// own breaker: a failing method does not stop the healthy ones. It is
	// the default.
	ScopeMethod BreakerScope = "method"
	// ScopeTarget gives each ClientConn target its own breaker: the whole
	// server counts as one dependency.
	ScopeTarget BreakerScope = "target"
	// ScopeClient makes every call through the interceptor share one
	// breaker.
	ScopeClient BreakerScope = "client"
)

// ClientConfig configures the client interceptors. Every policy is
// optional: the zero ClientConfig is valid and passes calls through,
// classifying their errors (see StatusError).
//
// The policies nest, outermost first, as
//
//	RateLimit → Concurrency → deadline decay → retry → breaker → AttemptTimeout → call
//
// The guards count a call once, however many attempts it takes; the breaker
// sees every attempt, so an open breaker also stops the retries (a rejection
// is never retried).
type ClientConfig struct {
	// Breaker configures the circuit breakers, one per BreakerScope key,
	// made on first use. Its Name, when set, prefixes each breaker's key
	// ("name:key"). Nil means no breaker. Start from
	// circuitbreaker.DefaultConfig().
	Breaker *circuitbreaker.Config `yaml:"breaker" json:"breaker"`
	// BreakerScope chooses which calls share a breaker. Empty means
	// ScopeMethod.
	BreakerScope BreakerScope `yaml:"breaker_scope" json:"breaker_scope"`
	// BreakerKey, when set, overrides BreakerScope: calls with the same key
	// share a breaker. It must be fast and safe for concurrent use. Nil
	// means BreakerScope decides.
	BreakerKey func(cc *grpc.ClientConn, method string) string `yaml:"-" json:"-"`
	// MaxBreakers bounds how many breakers are made; calls whose key would
	// need one more share a single overflow breaker, keyed "". Zero means
	// DefaultMaxBreakers.
	MaxBreakers int `yaml:"max_breakers" json:"max_breakers"`
	// Retry configures retries of failed attempts. Its RetryIf (nil:
	// retry.DefaultRetryIf) is consulted only for errors that do not count
	// as a success: business errors and codes such as InvalidArgument or
	// NotFound are never retried. Streams retry only their creation. Nil
	// means a single attempt.
	Retry *retry.Config `yaml:"retry" json:"retry"`
	// AttemptTimeout bounds each unary attempt; an attempt that runs out
	// ends with DeadlineExceeded, which is retried while the caller's own
	// deadline lasts. Streams are not bounded. Zero means no bound.
	AttemptTimeout time.Duration `yaml:"attempt_timeout" json:"attempt_timeout"`
	// Deadline configures the per-hop decay of the caller's deadline: each
	// call runs under the decayed budget that deadline.Propagator computes
	// (grpc-go sends it as grpc-timeout) and sends its hop count in the
	// deadline.GRPCHopsKey metadata. Calls whose budget is too small, or
	// that would travel too many hops, are refused (DeadlineExceeded,
	// FailedPrecondition) without being sent. Nil means the deadline is
	// sent unchanged and no hop count.
	Deadline *deadline.Config `yaml:"deadline" json:"deadline"`
	// RateLimit, when set, is a guard (a *ratelimit.Limiter, say) asked
	// once per call before anything else; its refusal fails the call with
	// ResourceExhausted. Nil means none.
	RateLimit resilience.Guard `yaml:"-" json:"-"`
	// Concurrency, when set, is a guard (a *bulkhead.Semaphore, an
	// *adaptive.Limiter) holding a slot for the whole call, streams until
	// they end; its refusal fails the call with Unavailable. Nil means none.
	Concurrency resilience.Guard `yaml:"-" json:"-"`
	// IgnorePushback turns off reading the grpc-retry-pushback-ms trailer
	// that servers send to slow retries down (gRPC A6): a non-negative
	// value sets the wait before the next attempt, a negative or garbled one
	// stops the retries. It saves a trailer per attempt. Zero (false) reads
	// it. google.rpc.RetryInfo details are honoured either way.
	IgnorePushback bool `yaml:"ignore_pushback" json:"ignore_pushback"`
}

// DefaultClientConfig returns the configuration most clients want: a
// breaker per method with circuitbreaker.DefaultConfig, three attempts with
// retry.DefaultConfig, and per-hop deadline decay with
// deadline.DefaultConfig.
func DefaultClientConfig() ClientConfig {
	b := circuitbreaker.DefaultConfig()
	r := retry.DefaultConfig()
	d := deadline.DefaultConfig()
	return ClientConfig{
		Breaker:      &b,
		BreakerScope: ScopeMethod,
		MaxBreakers:  DefaultMaxBreakers,
		Retry:        &r,
		Deadline:     &d,
	}
}

// Validate reports the first invalid field, naming it.
func (c ClientConfig) Validate() error {
	if c.Breaker != nil {
		if err := c.Breaker.Validate(); err != nil {
			return fmt.Errorf("grpcx: Breaker: %w", err)
		}
	}
	switch c.BreakerScope {
	case "", ScopeMethod, ScopeTarget, ScopeClient:
	default:
		return fmt.Errorf("grpcx: BreakerScope %q must be method, target or client", string(c.BreakerScope))
	}
	if c.MaxBreakers < 0 {
		return fmt.Errorf("grpcx: MaxBreakers %d must be >= 0", c.MaxBreakers)
	}
	if c.Retry != nil {
		if err := c.Retry.Validate(); err != nil {
			return fmt.Errorf("grpcx: Retry: %w", err)
		}
	}
	if c.AttemptTimeout < 0 {
		return fmt.Errorf("grpcx: AttemptTimeout %v must be >= 0", c.AttemptTimeout)
	}
	if c.Deadline != nil {
		if err := c.Deadline.Validate(); err != nil {
			return fmt.Errorf("grpcx: Deadline: %w", err)
		}
	}
	return nil
}
