package proxy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/fallback"
	"github.com/resilience-go/resilience/hedge"
	"github.com/resilience-go/resilience/httpx"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/ratelimit/redisrate"
	"github.com/resilience-go/resilience/retry"
	"github.com/resilience-go/resilience/stats"
)

// policies are the running instances of a route's stateful policies. A
// reload carries each over when config.Changes.Keep says its settings are
// unchanged.
type policies struct {
	breaker  *circuitbreaker.Breaker
	injector *chaos.Injector
	rate     httpx.Middleware // built around limiter/keyed
	limiter  httpx.InfoLimiter
	keyed    httpx.KeyedInfoLimiter
	guard    resilience.Guard // bulkhead, adaptive or shedder
	dlServer *deadline.Server
	dlProp   *deadline.Propagator
	redis    *redisrate.Limiter // closed when a reload drops it
	budget   *retry.Budget
	hedger   *hedge.Hedger
	cache    *responseCache // fallback.stale_cache
	cacheCfg fallback.CacheConfig
	// serveFresh answers from a fresh cache entry without calling upstream.
	serveFresh bool
}

// redisKeyed adapts a redisrate.Limiter to httpx.KeyedInfoLimiter. While
// Redis cannot decide, the limiter's OnFailure mode does.
type redisKeyed struct{ l *redisrate.Limiter }

func (k redisKeyed) AllowInfo(key string) ratelimit.Info {
	info, _ := k.l.Allow(context.Background(), key)
	return info
}

// release closes what p holds that next does not reuse.
func (p *policies) release(next *policies) {
	if p.redis != nil && (next == nil || next.redis != p.redis) {
		_ = p.redis.Close()
	}
}

// buildPolicies makes the instances of r's policies, reusing those of old
// whose kind keep reports unchanged.
func buildPolicies(r config.Route, redisURL string, old *policies, keep func(config.PolicyKind) bool, reg *stats.Registry, events resilience.Listener) (*policies, error) {
	p := &policies{}
	pc := r.Policies
	reuse := func(k config.PolicyKind) bool { return old != nil && keep(k) }
	var err error
	if c := pc.CircuitBreaker; c != nil {
		if reuse(config.KindCircuitBreaker) && old.breaker != nil {
			p.breaker = old.breaker
		} else {
			cfg := *c
			cfg.Name = r.Name
			cfg.Listener = resilience.Listeners(reg.Listener("circuitbreaker", r.Name), events)
			if p.breaker, err = circuitbreaker.New(cfg); err != nil {
				return nil, fmt.Errorf("route %q: circuit_breaker: %w", r.Name, err)
			}
			reg.Instance("circuitbreaker", r.Name).SetSource(stats.BreakerSource(p.breaker))
		}
	}
	if c := pc.Chaos; c != nil {
		if reuse(config.KindChaos) && old.injector != nil {
			p.injector = old.injector
		} else {
			cfg := *c
			cfg.Name = r.Name
			cfg.Listener = resilience.Listeners(reg.Listener("chaos", r.Name), events)
			if p.injector, err = chaos.New(cfg); err != nil {
				return nil, fmt.Errorf("route %q: chaos: %w", r.Name, err)
			}
		}
	}
	if c := pc.RateLimit; c != nil {
		if reuse(config.KindRateLimit) && old.rate != nil {
			p.rate, p.limiter, p.keyed, p.redis = old.rate, old.limiter, old.keyed, old.redis
		} else if err := p.buildRateLimit(r.Name, redisURL, c, reg); err != nil {
			return nil, fmt.Errorf("route %q: rate_limit: %w", r.Name, err)
		}
	}
	if rp := pc.Retry; rp != nil && rp.Budget != nil {
		if reuse(config.KindRetryBudget) && old.budget != nil {
			p.budget = old.budget
		} else if p.budget, err = retry.NewBudget(*rp.Budget); err != nil {
			return nil, fmt.Errorf("route %q: retry.budget: %w", r.Name, err)
		}
	}
	if err := p.buildHedgeAndCache(r, old, reuse, reg); err != nil {
		return nil, err
	}
	if err := p.buildGuard(r, old, reuse, reg); err != nil {
		return nil, err
	}
	if c := pc.Deadline; c != nil {
		if reuse(config.KindDeadline) && old.dlServer != nil {
			p.dlServer, p.dlProp = old.dlServer, old.dlProp
		} else {
			if p.dlServer, err = deadline.NewServer(c.Server); err != nil {
				return nil, fmt.Errorf("route %q: deadline.server: %w", r.Name, err)
			}
			if p.dlProp, err = deadline.New(c.Propagate); err != nil {
				return nil, fmt.Errorf("route %q: deadline.propagate: %w", r.Name, err)
			}
		}
	}
	return p, nil
}

func (p *policies) buildRateLimit(name, redisURL string, c *config.RateLimitPolicy, reg *stats.Registry) error {
	ln := reg.Listener("ratelimit", name)
	rc := httpx.RateLimitConfig{Name: name}
	switch {
	case c.Local != nil:
		cfg := *c.Local
		cfg.Name, cfg.Listener = name, ln
		l, err := ratelimit.New(cfg)
		if err != nil {
			return err
		}
		p.limiter = l
		reg.Instance("ratelimit", name).SetSource(stats.LimiterSource(l))
	case c.Window != nil:
		cfg := *c.Window
		cfg.Name, cfg.Listener = name, ln
		l, err := ratelimit.NewSlidingWindow(cfg)
		if err != nil {
			return err
		}
		p.limiter = l
		reg.Instance("ratelimit", name).SetSource(stats.LimiterSource(l))
	case c.Keyed != nil:
		cfg := *c.Keyed
		cfg.Name, cfg.Listener = name, ln
		l, err := ratelimit.NewKeyed(cfg)
		if err != nil {
			return err
		}
		p.keyed = l
		rc.KeyedName, rc.Name = name, ""
		setKey(&rc, c.Key)
	case c.Redis != nil:
		if redisURL == "" {
			return errors.New("redis: no top-level redis.url")
		}
		cfg := *c.Redis
		cfg.Name, cfg.Listener = name, ln
		l, err := redisrate.NewFromURL(redisURL, cfg)
		if err != nil {
			return err
		}
		p.redis = l
		p.keyed = redisKeyed{l}
		rc.KeyedName, rc.Name = name, ""
		setKey(&rc, c.Key)
		if c.Key == nil {
			rc.Key = func(*http.Request) string { return "" } // one count for the route
		}
	default:
		return errors.New("no limiter configured")
	}
	rc.Limiter = p.limiter
	if p.keyed != nil {
		rc.Keyed = p.keyed
	}
	mw, err := httpx.RateLimit(rc)
	if err != nil {
		if p.redis != nil {
			_ = p.redis.Close()
		}
		return err
	}
	p.rate = mw
	return nil
}

func (p *policies) buildGuard(r config.Route, old *policies, reuse func(config.PolicyKind) bool, reg *stats.Registry) error {
	pc := r.Policies
	switch {
	case pc.Bulkhead != nil:
		return p.guardOf(r.Name, config.KindBulkhead, "bulkhead", old, reuse, reg, func(ln resilience.Listener) (resilience.Guard, stats.Source, error) {
			cfg := *pc.Bulkhead
			cfg.Name, cfg.Listener = r.Name, ln
			s, err := bulkhead.New(cfg)
			return s, stats.SemaphoreSource(s), err
		})
	case pc.Adaptive != nil:
		return p.guardOf(r.Name, config.KindAdaptive, "adaptive", old, reuse, reg, func(ln resilience.Listener) (resilience.Guard, stats.Source, error) {
			cfg := *pc.Adaptive
			cfg.Name, cfg.Listener = r.Name, ln
			l, err := adaptive.New(cfg)
			return l, stats.AdaptiveSource(l), err
		})
	case pc.Shedder != nil:
		return p.guardOf(r.Name, config.KindShedder, "shedder", old, reuse, reg, func(ln resilience.Listener) (resilience.Guard, stats.Source, error) {
			cfg := *pc.Shedder
			cfg.Name, cfg.Listener = r.Name, ln
			s, err := adaptive.NewShedder(cfg)
			return s, stats.ShedderSource(s), err
		})
	}
	return nil
}

// guardOf sets p.guard: old's when reuse keeps kind, else the one build
// makes, reporting to the stats instance policy/route.
func (p *policies) guardOf(route string, kind config.PolicyKind, policy string, old *policies, reuse func(config.PolicyKind) bool, reg *stats.Registry,
	build func(resilience.Listener) (resilience.Guard, stats.Source, error)) error {
	if reuse(kind) && old.guard != nil {
		p.guard = old.guard
		return nil
	}
	g, src, err := build(reg.Listener(policy, route))
	if err != nil {
		return fmt.Errorf("route %q: %s: %w", route, policy, err)
	}
	reg.Instance(policy, route).SetSource(src)
	p.guard = g
	return nil
}

// wrap builds the server-side middlewares around next, outermost first:
// chaos, rate limit, concurrency, deadline. bound is how long next takes
// at most by the route's own timeouts (routeBound), so that the deadline
// middleware derives a context only for shorter incoming budgets.
func (p *policies) wrap(next http.Handler, bound time.Duration) (http.Handler, error) {
	h := next
	if p.dlServer != nil {
		h = httpx.DeadlineWithin(p.dlServer, bound)(h)
	}
	if p.guard != nil {
		mw, err := httpx.Concurrency(httpx.ConcurrencyConfig{Guard: p.guard})
		if err != nil {
			return nil, err
		}
		h = mw(h)
	}
	if p.rate != nil {
		h = p.rate(h)
	}
	if p.injector != nil {
		h = chaos.Middleware(p.injector)(h)
	}
	return h, nil
}

// buildHedgeAndCache makes the route's Hedger and stale cache. A Hedger is
// kept over a reload when its settings and the budget it spends are; a
// cache when its own settings are, whatever the static fallback's.
func (p *policies) buildHedgeAndCache(r config.Route, old *policies, reuse func(config.PolicyKind) bool, reg *stats.Registry) error {
	pc := r.Policies
	var err error
	if rp := pc.Retry; rp != nil && rp.Hedge != nil {
		if reuse(config.KindHedge) && old.hedger != nil && old.budget == p.budget {
			p.hedger = old.hedger
		} else if p.hedger, err = newHedger(r.Name, *rp.Hedge, p.budget, reg.Listener("hedge", r.Name)); err != nil {
			return fmt.Errorf("route %q: retry.hedge: %w", r.Name, err)
		}
	}
	if fb := pc.Fallback; fb != nil && fb.StaleCache != nil {
		p.cacheCfg, p.serveFresh = *fb.StaleCache, fb.StaleCache.ServeFresh
		if old != nil && old.cache != nil && (reuse(config.KindFallback) || reflect.DeepEqual(old.cacheCfg, p.cacheCfg)) {
			p.cache = old.cache
		} else if p.cache, err = newResponseCache(r.Name, p.cacheCfg); err != nil {
			return fmt.Errorf("route %q: fallback.stale_cache: %w", r.Name, err)
		}
	}
	return nil
}

// setKey sets what a keyed limit counts per.
func setKey(rc *httpx.RateLimitConfig, k *config.KeySource) {
	if k == nil {
		return
	}
	if k.Source == "header" {
		rc.Key = httpx.KeyByHeader(k.Header)
	} else {
		rc.TrustedProxies = k.TrustedProxies
	}
}
