package redisrate

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

// policyName is the Policy of the events this package reports.
const policyName = "redisrate"

// eps widens the tolerance by a microsecond, the resolution of Redis's
// TIME: the script computes in floating-point microseconds, and an event
// landing within a microsecond of the bucket's edge is admitted rather than
// lost to rounding.
const eps = int64(time.Microsecond)

// Limiter is a GCRA rate limiter per key whose state lives in Redis, so
// that every process sharing the Redis (and the Prefix) enforces one limit
// per key together. See the package documentation for the algorithm and
// the failure handling.
//
// Most callers want Allow or AllowN, which return a ratelimit.Info for the
// Retry-After and RateLimit headers; Acquire and Guard serve pipelines.
// Create one with New or NewFromURL; the zero Limiter is not usable. A
// Limiter is safe for simultaneous use by multiple goroutines.
type Limiter struct {
	client      redis.UniversalClient
	owned       bool // Close closes client
	p           gcra.Params
	sha         string // scriptSHA, addressable for a *string argument
	ivArg       string // the interval in microseconds
	tolArg      string // the tolerance in microseconds
	prefix      string
	timeout     time.Duration
	mode        FailureMode
	clientClock bool
	openWait    time.Duration
	breaker     *circuitbreaker.Breaker
	local       *ratelimit.Keyed // FailLocal's limiter, or nil
	lease       *leases          // nil unless Config.Lease > 1
	keyFn       func(context.Context) string
	clk         clock.Clock
	name        string
	listener    resilience.Listener
	shadow      bool
	degraded    atomic.Bool
}

var _ resilience.Guard = (*Limiter)(nil)

// New returns a Limiter that keeps its buckets in client, or an error
// naming the offending Config field. The client must honour context
// deadlines on its sockets (ContextTimeoutEnabled in go-redis's options),
// or a stalled Redis would hold each decision for the client's
// ReadTimeout instead of Timeout: New returns an error for a *redis.Client
// or *redis.ClusterClient without it. The caller keeps ownership of client:
// Close does not close it. New does not contact Redis; the script is
// loaded by the first decision.
func New(client redis.UniversalClient, cfg Config) (*Limiter, error) {
	if client == nil {
		return nil, errors.New("redisrate: client is nil")
	}
	if err := checkClient(client); err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	iv, _ := interval(cfg.Rate, cfg.Per)
	p := gcra.NewParams(iv, burstOr(cfg.Burst, cfg.Rate), 0)
	p.Tolerance = gcra.Add(p.Tolerance, eps)
	bc := cfg.breakerConfig()
	br, err := circuitbreaker.New(bc)
	if err != nil {
		return nil, fmt.Errorf("redisrate: Breaker: %w", err)
	}
	l := &Limiter{
		client:      client,
		p:           p,
		sha:         scriptSHA,
		ivArg:       formatMicros(p.Interval),
		tolArg:      formatMicros(p.Tolerance),
		prefix:      cmp.Or(cfg.Prefix, DefaultPrefix),
		timeout:     cmp.Or(cfg.Timeout, DefaultTimeout),
		mode:        cfg.OnFailure,
		clientClock: cfg.ClientClock,
		openWait:    bc.OpenDuration,
		breaker:     br,
		keyFn:       cfg.KeyFunc,
		clk:         clock.Or(cfg.Clock),
		name:        cfg.Name,
		listener:    cfg.Listener,
		shadow:      cfg.Shadow,
	}
	if l.keyFn == nil {
		l.keyFn = ratelimit.KeyFromContext
	}
	if cfg.OnFailure == FailLocal {
		lc, _ := cfg.localConfig()
		if l.local, err = ratelimit.NewKeyed(lc); err != nil {
			return nil, fmt.Errorf("redisrate: local fallback: %w", err)
		}
	}
	if cfg.Lease > 1 {
		l.lease = newLeases(cfg, p)
	}
	return l, nil
}

// checkClient rejects a client whose options make go-redis ignore context
// deadlines on its sockets.
func checkClient(client redis.UniversalClient) error {
	var on bool
	switch c := client.(type) {
	case *redis.Client:
		on = c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		on = c.Options().ContextTimeoutEnabled
	default:
		return nil
	}
	if !on {
		return errors.New("redisrate: the client's ContextTimeoutEnabled is false, so Timeout could not bound " +
			"Redis calls (go-redis would wait ReadTimeout instead): set it in the client's options")
	}
	return nil
}

// NewFromURL returns a Limiter with a client of its own for a Redis URL
// (redis://[user:password@]host:port/db, rediss:// for TLS, unix://path;
// go-redis's ParseURL options are accepted as query parameters), with
// ContextTimeoutEnabled set. Close closes that client. A URL that cannot
// be parsed gives an error naming the URL field, without its password.
func NewFromURL(rawURL string, cfg Config) (*Limiter, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return nil, fmt.Errorf("redisrate: URL %s is invalid: %w", redactURL(rawURL), err)
	}
	opts.ContextTimeoutEnabled = true
	client := redis.NewClient(opts)
	l, err := New(client, cfg)
	if err != nil {
		_ = client.Close()
		return nil, err
	}
	l.owned = true
	return l, nil
}

// redactURL quotes u for an error message, with any password replaced.
func redactURL(u string) string {
	if p, err := url.Parse(u); err == nil {
		return fmt.Sprintf("%q", p.Redacted())
	}
	return "(unparsable)"
}

// Close closes the Redis client if the Limiter created it (NewFromURL);
// a client passed to New is the caller's to close. Decisions after Close
// fall back as when Redis is unavailable.
func (l *Limiter) Close() error {
	if l.owned {
		return l.client.Close()
	}
	return nil
}

// Degraded reports whether the last decision was made without Redis,
// because Redis was unreachable, slow or refused by the breaker.
func (l *Limiter) Degraded() bool { return l.degraded.Load() }

// Breaker returns the circuit breaker around Redis, for its Metrics and
// State.
func (l *Limiter) Breaker() *circuitbreaker.Breaker { return l.breaker }
