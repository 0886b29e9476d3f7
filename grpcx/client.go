package grpcx

import (
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/retry"
)

// Client holds the policies of the client interceptors built from one
// ClientConfig: its breakers, retry policy and deadline propagator. Build
// one per dependency with NewClient and install both of its interceptors on
// the ClientConn:
//
//	c, err := grpcx.NewClient(grpcx.DefaultClientConfig())
//	conn, err := grpc.NewClient(target,
//		grpc.WithChainUnaryInterceptor(c.UnaryInterceptor()),
//		grpc.WithChainStreamInterceptor(c.StreamInterceptor()),
//		grpc.WithDisableRetry()) // our retries replace grpc-go's
//
// Most callers who need neither the breakers nor the statistics want
// UnaryClientInterceptor. A Client is safe for concurrent use; finding a
// call's breaker takes no lock and allocates nothing.
type Client struct {
	rateLimit, concurrency resilience.Guard
	prop                   *deadline.Propagator
	clk                    clock.Clock
	retry                  *retry.Policy
	attemptTimeout         time.Duration
	pushback               bool

	breakerCfg  *circuitbreaker.Config
	scope       BreakerScope
	keyFn       func(*grpc.ClientConn, string) string
	maxBreakers int
	single      *circuitbreaker.Breaker
	breakers    atomic.Pointer[map[string]*circuitbreaker.Breaker]
	mu          sync.Mutex // serialises the making of breakers
}

// NewClient returns a Client for cfg, or cfg.Validate's error.
func NewClient(cfg ClientConfig) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Client{
		rateLimit:      cfg.RateLimit,
		concurrency:    cfg.Concurrency,
		attemptTimeout: cfg.AttemptTimeout,
		pushback:       !cfg.IgnorePushback,
		scope:          cfg.BreakerScope,
		keyFn:          cfg.BreakerKey,
		maxBreakers:    cfg.MaxBreakers,
	}
	if c.scope == "" {
		c.scope = ScopeMethod
	}
	if c.maxBreakers == 0 {
		c.maxBreakers = DefaultMaxBreakers
	}
	if cfg.Deadline != nil {
		p, err := deadline.New(*cfg.Deadline)
		if err != nil {
			return nil, err
		}
		c.prop = p
		c.clk = clock.Or(cfg.Deadline.Clock)
	}
	if cfg.Retry != nil {
		rc := *cfg.Retry
		retryIf := rc.RetryIf
		if retryIf == nil {
			retryIf = retry.DefaultRetryIf
		}
		rc.RetryIf = func(err error) bool {
			return resilience.Classify(err) != resilience.OutcomeSuccess && retryIf(err)
		}
		p, err := retry.New(rc)
		if err != nil {
			return nil, err
		}
		c.retry = p
	}
	if cfg.Breaker != nil {
		bc := *cfg.Breaker
		c.breakerCfg = &bc
		if c.keyFn == nil && c.scope == ScopeClient {
			b, err := circuitbreaker.New(bc)
			if err != nil {
				return nil, err
			}
			c.single = b
		}
	}
	empty := map[string]*circuitbreaker.Breaker{}
	c.breakers.Store(&empty)
	return c, nil
}

// UnaryClientInterceptor returns the unary interceptor of NewClient(cfg),
// or cfg.Validate's error.
func UnaryClientInterceptor(cfg ClientConfig) (grpc.UnaryClientInterceptor, error) {
	c, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return c.UnaryInterceptor(), nil
}

// StreamClientInterceptor returns the stream interceptor of NewClient(cfg),
// or cfg.Validate's error. Unary and stream interceptors made by separate
// calls do not share breakers; use one Client for both to share them.
func StreamClientInterceptor(cfg ClientConfig) (grpc.StreamClientInterceptor, error) {
	c, err := NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return c.StreamInterceptor(), nil
}

// Retry returns the retry policy, for its Stats; nil without one.
func (c *Client) Retry() *retry.Policy { return c.retry }

// Breaker returns the breaker of key (a full method name, a target or
// BreakerKey's result, as BreakerScope says; "" for ScopeClient and the
// overflow breaker), if it was made.
func (c *Client) Breaker(key string) (*circuitbreaker.Breaker, bool) {
	if c.single != nil {
		return c.single, key == ""
	}
	b, ok := (*c.breakers.Load())[key]
	return b, ok
}

// Breakers returns a snapshot of every breaker made so far, by key, for
// metric exporters.
func (c *Client) Breakers() map[string]*circuitbreaker.Breaker {
	if c.single != nil {
		return map[string]*circuitbreaker.Breaker{"": c.single}
	}
	return maps.Clone(*c.breakers.Load())
}

// breakerFor returns the breaker guarding a call of method on cc, making it
// on first use; nil without breakers.
func (c *Client) breakerFor(cc *grpc.ClientConn, method string) *circuitbreaker.Breaker {
	if c.breakerCfg == nil {
		return nil
	}
	if c.single != nil {
		return c.single
	}
	var key string
	switch {
	case c.keyFn != nil:
		key = c.keyFn(cc, method)
	case c.scope == ScopeTarget && cc != nil:
		key = cc.Target()
	case c.scope == ScopeClient:
		key = ""
	default:
		key = method
	}
	if b, ok := (*c.breakers.Load())[key]; ok {
		return b
	}
	return c.makeBreaker(key)
}

// makeBreaker adds key's breaker to a copy of the map (copy on write: keys
// are few and made once) and returns it.
func (c *Client) makeBreaker(key string) *circuitbreaker.Breaker {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := *c.breakers.Load()
	if b, ok := old[key]; ok {
		return b
	}
	if len(old) >= c.maxBreakers {
		if b, ok := old[""]; ok {
			return b
		}
		key = ""
	}
	cfg := *c.breakerCfg
	switch {
	case cfg.Name == "":
		cfg.Name = key
	case key != "":
		cfg.Name += ":" + key
	}
	b, err := circuitbreaker.New(cfg)
	if err != nil {
		return nil // unreachable: the config was validated
	}
	next := make(map[string]*circuitbreaker.Breaker, len(old)+1)
	maps.Copy(next, old)
	next[key] = b
	c.breakers.Store(&next)
	return b
}
