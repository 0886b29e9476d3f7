package httpx

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/retry"
	"github.com/resilience-go/resilience/timeout"
)

// DefaultMaxKeys is the MaxKeys a zero ClientConfig.MaxKeys stands for.
const DefaultMaxKeys = 1024

// DefaultMaxDrain is the MaxDrain a zero ClientConfig.MaxDrain stands for:
// 64 KiB.
const DefaultMaxDrain = 64 << 10

// ClientConfig configures a RoundTripper. Each destination (Key) gets its
// own policies, built on its first request, either by Policies or from the
// policy configs, which are instantiated once per destination and composed
// outermost first as
//
//	RateLimit → Bulkhead → Breaker → Retry → AttemptTimeout → Transport
//
// so that the breaker sees one outcome per request, after its retries, and
// the timeout bounds each attempt. A nil policy config leaves that policy
// out; the zero ClientConfig sends every request once through
// http.DefaultTransport, with no policy at all.
type ClientConfig struct {
	// Transport sends each attempt. Nil means http.DefaultTransport. To
	// rehearse failures, put chaos.RoundTripper here: its faults then reach
	// the policies as real failures would.
	Transport http.RoundTripper `yaml:"-" json:"-"`
	// Key names the destination a request goes to: requests with the same
	// key share their policies (one breaker per host, for instance). Nil
	// means req.URL.Host, port included.
	Key func(*http.Request) string `yaml:"-" json:"-"`
	// Policies builds the policies of a destination, outermost first, on
	// its first request; each must be a resilience.Guard, Scope, Repeater
	// or Recoverer[*http.Response]. An error fails that request (and the
	// next request tries again). Nil means the policies are built from the
	// config fields below; setting both is an error.
	Policies func(key string) ([]resilience.Policy, error) `yaml:"-" json:"-"`
	// RateLimit, when set, limits the requests to each destination; refused
	// requests fail with ratelimit.ErrLimited without being sent.
	RateLimit *ratelimit.Config `yaml:"rate_limit,omitempty" json:"rate_limit,omitempty"`
	// Bulkhead, when set, bounds the concurrent requests to each
	// destination, until their response headers arrive.
	Bulkhead *bulkhead.Config `yaml:"bulkhead,omitempty" json:"bulkhead,omitempty"`
	// Breaker, when set, gives each destination a circuit breaker. An open
	// breaker fails requests with circuitbreaker.ErrOpen without sending
	// them.
	Breaker *circuitbreaker.Config `yaml:"breaker,omitempty" json:"breaker,omitempty"`
	// Retry, when set, retries failed attempts of idempotent requests (see
	// RoundTripper). Nil means no retry.
	Retry *retry.Config `yaml:"retry,omitempty" json:"retry,omitempty"`
	// AttemptTimeout, when set, bounds each attempt, from sending the
	// request until the response body is closed; an attempt that runs out
	// fails with timeout.ErrTimeout, which Retry retries.
	AttemptTimeout *timeout.Config `yaml:"attempt_timeout,omitempty" json:"attempt_timeout,omitempty"`
	// Deadline, when set, stamps each attempt with the remaining budget of
	// its context and the hop count (deadline.Propagator.StampHeader), and
	// refuses attempts whose budget is spent with
	// deadline.ErrBudgetExhausted. Nil means no deadline headers are sent,
	// which is right for calls leaving your system.
	Deadline *deadline.Config `yaml:"deadline,omitempty" json:"deadline,omitempty"`
	// MaxKeys bounds how many destinations keep policies at once; a new
	// destination beyond it evicts the least recently used one (its breaker
	// state is forgotten). Zero means DefaultMaxKeys (1024).
	MaxKeys int `yaml:"max_keys" json:"max_keys"`
	// MaxDrain is how many bytes of a discarded response's body (a failed
	// attempt that is retried) are read before closing it, so that its
	// connection can be reused; a longer body closes the connection
	// instead. Zero means DefaultMaxDrain (64 KiB); negative means close
	// without reading.
	MaxDrain int64 `yaml:"max_drain" json:"max_drain"`
	// IsFailure reports whether an attempt's outcome is a failure, for the
	// breaker and other guards: exactly one of resp and err is non-nil. Nil
	// means transport errors and 5xx responses fail, and nothing else does.
	// An error it rejects counts as ignored (neither success nor failure);
	// a response it rejects counts as a success.
	IsFailure func(resp *http.Response, err error) bool `yaml:"-" json:"-"`
	// Clock reads time for Retry-After dates, and is given to every policy
	// config above whose Clock is nil.
	// Nil means the real clock; tests pass clock.NewManual(t0).
	Clock clock.Clock `yaml:"-" json:"-"`
}

// Validate reports the first invalid field, or nil.
func (c ClientConfig) Validate() error {
	if c.MaxKeys < 0 {
		return fmt.Errorf("httpx: MaxKeys %d must be >= 0", c.MaxKeys)
	}
	if c.Policies != nil && c.hasConfigs() {
		return errors.New("httpx: Policies and the policy configs (RateLimit, Bulkhead, Breaker, Retry, AttemptTimeout) are exclusive")
	}
	type validator interface{ Validate() error }
	checks := []struct {
		field string
		set   bool
		v     validator
	}{
		{"RateLimit", c.RateLimit != nil, derefOr(c.RateLimit)},
		{"Bulkhead", c.Bulkhead != nil, derefOr(c.Bulkhead)},
		{"Breaker", c.Breaker != nil, derefOr(c.Breaker)},
		{"Retry", c.Retry != nil, derefOr(c.Retry)},
		{"AttemptTimeout", c.AttemptTimeout != nil, derefOr(c.AttemptTimeout)},
		{"Deadline", c.Deadline != nil, derefOr(c.Deadline)},
	}
	for _, ch := range checks {
		if !ch.set {
			continue
		}
		if err := ch.v.Validate(); err != nil {
			return fmt.Errorf("httpx: %s: %w", ch.field, err)
		}
	}
	return nil
}

// derefOr returns *p, or the zero value for a nil p.
func derefOr[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

func (c ClientConfig) hasConfigs() bool {
	return c.RateLimit != nil || c.Bulkhead != nil || c.Breaker != nil || c.Retry != nil || c.AttemptTimeout != nil
}

// fixedPolicies instantiates the policy configs for one destination. Each
// policy is named after the key unless its config names it.
func (c ClientConfig) fixedPolicies(key string) ([]resilience.Policy, error) {
	var ps []resilience.Policy
	if c.RateLimit != nil {
		cfg := *c.RateLimit
		cfg.Name, cfg.Clock = nameOr(cfg.Name, key), clockOr(cfg.Clock, c.Clock)
		l, err := ratelimit.New(cfg)
		if err != nil {
			return nil, err
		}
		ps = append(ps, l)
	}
	if c.Bulkhead != nil {
		cfg := *c.Bulkhead
		cfg.Name, cfg.Clock = nameOr(cfg.Name, key), clockOr(cfg.Clock, c.Clock)
		s, err := bulkhead.New(cfg)
		if err != nil {
			return nil, err
		}
		ps = append(ps, s)
	}
	if c.Breaker != nil {
		cfg := *c.Breaker
		cfg.Name, cfg.Clock = nameOr(cfg.Name, key), clockOr(cfg.Clock, c.Clock)
		b, err := circuitbreaker.New(cfg)
		if err != nil {
			return nil, err
		}
		ps = append(ps, b)
	}
	if c.Retry != nil {
		cfg := *c.Retry
		cfg.Name, cfg.Clock = nameOr(cfg.Name, key), clockOr(cfg.Clock, c.Clock)
		r, err := retry.New(cfg)
		if err != nil {
			return nil, err
		}
		ps = append(ps, r)
	}
	if c.AttemptTimeout != nil {
		cfg := *c.AttemptTimeout
		cfg.Name, cfg.Clock = nameOr(cfg.Name, key), clockOr(cfg.Clock, c.Clock)
		t, err := timeout.New(cfg)
		if err != nil {
			return nil, err
		}
		ps = append(ps, t)
	}
	return ps, nil
}

func nameOr(name, key string) string {
	if name == "" {
		return key
	}
	return name
}

func clockOr(c, def clock.Clock) clock.Clock {
	if c == nil {
		return def
	}
	return c
}
