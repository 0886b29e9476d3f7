package httpx

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience/ratelimit"
)

// InfoLimiter is a limit shared by every request: *ratelimit.Limiter and
// *ratelimit.SlidingWindow implement it.
type InfoLimiter interface {
	// AllowInfo counts one request and reports the decision with what the
	// headers need.
	AllowInfo() ratelimit.Info
	// Info reports the state without counting anything.
	Info() ratelimit.Info
}

// KeyedInfoLimiter is a limit per key (client, API key, tenant):
// *ratelimit.Keyed implements it.
type KeyedInfoLimiter interface {
	// AllowInfo counts one request for key and reports the decision.
	AllowInfo(key string) ratelimit.Info
}

// RateLimitConfig configures the RateLimit middleware. At least one of
// Limiter and Keyed is required.
type RateLimitConfig struct {
	// Limiter, when set, limits every request together.
	Limiter InfoLimiter `yaml:"-" json:"-"`
	// Name is the Limiter's policy name in the RateLimit headers. Zero means
	// "default", or "global" when Keyed is set too. It must be printable
	// ASCII.
	Name string `yaml:"name" json:"name"`
	// Keyed, when set, limits each key's requests (see Key) separately. It
	// is consulted before Limiter, so a client refused by its own limit
	// does not use up the shared one.
	Keyed KeyedInfoLimiter `yaml:"-" json:"-"`
	// KeyedName is Keyed's policy name in the RateLimit headers. Zero means
	// "default", or "keyed" when Limiter is set too. It must be printable
	// ASCII and differ from Name.
	KeyedName string `yaml:"keyed_name" json:"keyed_name"`
	// Key gives a request's key for Keyed. Nil means the client's IP
	// address: ClientIP(r, TrustedProxies). See also KeyByHeader.
	Key func(*http.Request) string `yaml:"-" json:"-"`
	// TrustedProxies is how many proxies in front of the server append to
	// X-Forwarded-For, for the default Key (see ClientIP). Zero means none:
	// the peer address is the client, and X-Forwarded-For is ignored.
	TrustedProxies int `yaml:"trusted_proxies" json:"trusted_proxies"`
	// NoHeaders leaves out the RateLimit and RateLimit-Policy headers,
	// which reveal the quota to clients. Zero (false) sends them on every
	// response the limits decided, allowed or refused. Refusals always
	// carry Retry-After.
	NoHeaders bool `yaml:"no_headers" json:"no_headers"`
}

// Validate reports the first invalid field, or nil.
func (c RateLimitConfig) Validate() error {
	if c.Limiter == nil && c.Keyed == nil {
		return errors.New("httpx: RateLimit needs Limiter or Keyed")
	}
	if c.TrustedProxies < 0 {
		return fmt.Errorf("httpx: TrustedProxies %d must be >= 0", c.TrustedProxies)
	}
	if !validSFString(c.Name) {
		return fmt.Errorf("httpx: Name %q must be printable ASCII", c.Name)
	}
	if !validSFString(c.KeyedName) {
		return fmt.Errorf("httpx: KeyedName %q must be printable ASCII", c.KeyedName)
	}
	if c.Limiter != nil && c.Keyed != nil && c.names()[0] == c.names()[1] {
		return fmt.Errorf("httpx: Name and KeyedName %q must differ", c.Name)
	}
	return nil
}

// names returns the policy names of Limiter and Keyed.
func (c RateLimitConfig) names() [2]string {
	global, keyed := c.Name, c.KeyedName
	both := c.Limiter != nil && c.Keyed != nil
	if global == "" {
		global = "default"
		if both {
			global = "global"
		}
	}
	if keyed == "" {
		keyed = "default"
		if both {
			keyed = "keyed"
		}
	}
	return [2]string{global, keyed}
}

// RateLimit returns a middleware that admits requests within the limits of
// cfg and answers the others with 429 Too Many Requests, a Retry-After
// header (whole seconds until the request would be admitted, at least 1)
// and an application/problem+json body. Keyed is consulted first, then
// Limiter (only peeked at when Keyed refused).
//
// Unless NoHeaders is set, every response it decided on carries the
// headers of draft-ietf-httpapi-ratelimit-headers-10, one item per limit:
//
//	RateLimit-Policy: "default";q=100;w=60
//	RateLimit: "default";r=42;t=35
//
// q is the limit's burst (ratelimit.Info.Limit), w the time it takes to
// refill from empty, r what remains after this request. t is the time until
// the whole quota is back; on a refusal it is the Retry-After delay
// instead, so that Retry-After never points before the end of the
// effective window, as the draft asks. Unlimited limiters send no headers.
// Shadow-mode limiters admit everything and still send their headers.
func RateLimit(cfg RateLimitConfig) (Middleware, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	names := cfg.names()
	m := &rateLimitMW{cfg: cfg, globalName: names[0], keyedName: names[1]}
	if m.cfg.Key == nil {
		m.cfg.Key = KeyByClientIP(cfg.TrustedProxies)
	}
	return m.wrap, nil
}

type rateLimitMW struct {
	cfg                   RateLimitConfig
	globalName, keyedName string
	globalPolicy          atomic.Pointer[policyHeader]
	keyedPolicy           atomic.Pointer[policyHeader]
}

// policyHeader caches a RateLimit-Policy item; it changes only when a
// limit is reconfigured.
type policyHeader struct {
	limit, window int64
	item          []byte
}

func (m *rateLimitMW) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var infos [2]ratelimit.Info
		var set [2]bool
		refused := -1
		if m.cfg.Keyed != nil {
			infos[1], set[1] = m.cfg.Keyed.AllowInfo(m.cfg.Key(r)), true
			if !infos[1].Allowed {
				refused = 1
			}
		}
		if m.cfg.Limiter != nil {
			if refused < 0 {
				infos[0] = m.cfg.Limiter.AllowInfo()
				if !infos[0].Allowed {
					refused = 0
				}
			} else {
				infos[0] = m.cfg.Limiter.Info()
			}
			set[0] = true
		}
		var retryAfter time.Duration
		if refused >= 0 {
			retryAfter = infos[refused].RetryAfter
			if retryAfter <= 0 || retryAfter == ratelimit.InfDuration {
				retryAfter = infos[refused].Window // never admitted: a window is the best hint
			}
		}
		if !m.cfg.NoHeaders {
			m.setHeaders(w.Header(), infos, set, refused, retryAfter)
		}
		if refused >= 0 {
			writeRejection(w, http.StatusTooManyRequests, "rate limit exceeded", retryAfter)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// setHeaders sets RateLimit-Policy and RateLimit for the limits consulted.
func (m *rateLimitMW) setHeaders(h http.Header, infos [2]ratelimit.Info, set [2]bool, refused int, retryAfter time.Duration) {
	var policy, limit []byte
	for i := range infos {
		info := infos[i]
		if !set[i] || info.Limit == math.MaxInt {
			continue // not consulted, or unlimited
		}
		name, cache := m.globalName, &m.globalPolicy
		if i == 1 {
			name, cache = m.keyedName, &m.keyedPolicy
		}
		if len(policy) > 0 {
			policy = append(policy, ", "...)
			limit = append(limit, ", "...)
		}
		policy = append(policy, cachedPolicy(cache, name, info)...)
		t := info.ResetSeconds()
		if i == refused {
			t = ceilSeconds(retryAfter)
		}
		limit = appendServiceLimit(limit, name, int64(info.Remaining), t)
	}
	if len(policy) == 0 {
		return
	}
	h.Set(HeaderRateLimitPolicy, string(policy))
	h.Set(HeaderRateLimit, string(limit))
}

func cachedPolicy(cache *atomic.Pointer[policyHeader], name string, info ratelimit.Info) []byte {
	limit, window := int64(info.Limit), info.WindowSeconds()
	if p := cache.Load(); p != nil && p.limit == limit && p.window == window {
		return p.item
	}
	p := &policyHeader{limit: limit, window: window, item: appendQuotaPolicy(nil, name, limit, window)}
	cache.Store(p)
	return p.item
}
