package config

import (
	"time"

	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/fallback"
	"github.com/resilience-go/resilience/hedge"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/ratelimit/redisrate"
	"github.com/resilience-go/resilience/retry"
	"github.com/resilience-go/resilience/timeout"
)

// Route sends the requests it matches to a cluster, through its policies.
type Route struct {
	// Name identifies the route in events, metrics and Diff, which carries
	// a policy's state over a reload only while its route keeps its name.
	// Required and unique; letters, digits and "-_." only.
	Name string `yaml:"name" json:"name"`
	// Listeners restricts the route to these listeners, by name. Empty
	// means every listener.
	Listeners []string `yaml:"listeners" json:"listeners"`
	// Match selects the requests. The zero Match takes every request.
	Match Match `yaml:"match" json:"match"`
	// Cluster is the name of the cluster requests go to. Required.
	Cluster string `yaml:"cluster" json:"cluster"`
	// Policies guard the calls to the cluster. The zero value has none.
	Policies Policies `yaml:"policies" json:"policies"`
}

// Match selects requests; every condition set must hold.
type Match struct {
	// Host is the request's host (without port), exact or "*.example.com"
	// for any subdomain. Empty means any host.
	Host string `yaml:"host" json:"host"`
	// PathPrefix is a prefix of the request path, starting with "/".
	// Empty means "/": every path.
	PathPrefix string `yaml:"path_prefix" json:"path_prefix"`
	// Headers must all match. Empty means no header condition.
	Headers []HeaderMatch `yaml:"headers" json:"headers"`
	// Methods are the HTTP methods taken, upper case. Empty means any.
	Methods []string `yaml:"methods" json:"methods"`
}

// HeaderMatch is a condition on one request header: exactly one of Exact,
// Prefix, Regex and Present is set.
type HeaderMatch struct {
	// Name is the header's name, case-insensitive. Required.
	Name string `yaml:"name" json:"name"`
	// Exact matches a header value equal to it.
	Exact string `yaml:"exact" json:"exact"`
	// Prefix matches a header value starting with it.
	Prefix string `yaml:"prefix" json:"prefix"`
	// Regex matches a header value in full against a Go regular
	// expression (RE2 syntax, anchored at both ends).
	Regex string `yaml:"regex" json:"regex"`
	// Present matches when the header is there, whatever its value.
	Present bool `yaml:"present" json:"present"`
	// Invert negates the condition.
	Invert bool `yaml:"invert" json:"invert"`
}

// Policies are the resilience policies of a route. Each is nil when not
// configured; one written in the file, even as {}, starts from its
// package's DefaultConfig, so the file only needs what differs. The
// proxy composes them outermost first: chaos, rate_limit, one of
// bulkhead/adaptive/shedder, circuit_breaker, retry (with its budget and
// hedge), timeout per try, with fallback around the whole and the
// deadline budget read from the request and passed upstream.
type Policies struct {
	// Timeout bounds each request as a whole, retries included; the
	// shorthand "timeout: 2s" sets its Timeout alone.
	Timeout *timeout.Config `yaml:"timeout" json:"timeout"`
	// Retry retries failed attempts.
	Retry *RetryPolicy `yaml:"retry" json:"retry"`
	// CircuitBreaker stops calling a failing cluster for a while.
	CircuitBreaker *circuitbreaker.Config `yaml:"circuit_breaker" json:"circuit_breaker"`
	// RateLimit bounds the request rate, locally or through Redis.
	RateLimit *RateLimitPolicy `yaml:"rate_limit" json:"rate_limit"`
	// Bulkhead bounds the requests in flight to a fixed number.
	Bulkhead *bulkhead.Config `yaml:"bulkhead" json:"bulkhead"`
	// Adaptive bounds the requests in flight to a limit learnt from
	// latency. A route takes one of Bulkhead, Adaptive and Shedder.
	Adaptive *adaptive.Config `yaml:"adaptive" json:"adaptive"`
	// Shedder sheds load by Little's law to keep queueing under a target
	// latency.
	Shedder *adaptive.ShedderConfig `yaml:"shedder" json:"shedder"`
	// Fallback answers in place of a failed call.
	Fallback *FallbackPolicy `yaml:"fallback" json:"fallback"`
	// Chaos injects faults, for testing the other policies.
	Chaos *chaos.Config `yaml:"chaos" json:"chaos"`
	// Deadline reads the caller's remaining time budget from the request
	// and passes what is left, less a share, upstream.
	Deadline *DeadlinePolicy `yaml:"deadline" json:"deadline"`
}

// RetryPolicy is retry.Config plus what an HTTP proxy needs to know: which
// statuses to retry, a per-attempt timeout, and the retry budget and hedge
// that share its extra attempts.
type RetryPolicy struct {
	retry.Config `yaml:",inline"`
	// PerTryTimeout bounds each attempt. Zero means attempts are bounded
	// only by the route's Timeout.
	PerTryTimeout time.Duration `yaml:"per_try_timeout" json:"per_try_timeout"`
	// RetryOnStatus are the upstream response statuses that count as a
	// failed attempt to retry, besides transport errors. Omitted means
	// [502, 503, 504].
	RetryOnStatus []int `yaml:"retry_on_status" json:"retry_on_status"`
	// RetryNonIdempotent allows retrying POST and PATCH requests. False
	// retries only GET, HEAD, OPTIONS, TRACE, PUT and DELETE.
	RetryNonIdempotent bool `yaml:"retry_non_idempotent" json:"retry_non_idempotent"`
	// Budget caps retries and hedges to a share of the route's requests.
	// Nil means no budget.
	Budget *retry.BudgetConfig `yaml:"budget" json:"budget"`
	// Hedge sends a second attempt when the first is slow; hedges spend
	// the same Budget. Nil means no hedging.
	Hedge *hedge.Config `yaml:"hedge" json:"hedge"`
}

// RateLimitPolicy limits a route's request rate with exactly one of its
// limiters.
type RateLimitPolicy struct {
	// Key says what a limit is counted per, for Keyed and Redis. Nil means
	// one count for the whole route (Redis only).
	Key *KeySource `yaml:"key" json:"key"`
	// Local is one token bucket for the route, in this process.
	Local *ratelimit.Config `yaml:"local" json:"local"`
	// Window is one sliding-window counter for the route, in this process.
	Window *ratelimit.WindowConfig `yaml:"window" json:"window"`
	// Keyed is one token bucket per Key, in this process.
	Keyed *ratelimit.KeyedConfig `yaml:"keyed" json:"keyed"`
	// Redis is one token bucket per Key shared by every proxy through the
	// top-level Redis server, with a local fallback while it is down.
	Redis *redisrate.Config `yaml:"redis" json:"redis"`
}

// KeySource says which part of a request a keyed rate limit counts per.
type KeySource struct {
	// Source is "header" (the value of Header) or "ip" (the client's
	// address). Required.
	Source string `yaml:"source" json:"source"`
	// Header names the header whose value is the key, with Source
	// "header". A request without it shares the empty key.
	Header string `yaml:"header" json:"header"`
	// TrustedProxies, with Source "ip", is how many proxies in front of
	// this one append to X-Forwarded-For (see httpx.ClientIP). Zero means
	// the peer's address is the client's.
	TrustedProxies int `yaml:"trusted_proxies" json:"trusted_proxies"`
}

// FallbackPolicy answers in place of a failed call: from the stale cache
// when it holds an answer for the request, else with the static response.
// At least one is required.
type FallbackPolicy struct {
	// StaleCache serves the last good response to the same request (GET
	// and HEAD only). Nil means none.
	StaleCache *fallback.CacheConfig `yaml:"stale_cache" json:"stale_cache"`
	// Static is a fixed response. Nil means none.
	Static *StaticResponse `yaml:"static" json:"static"`
}

// StaticResponse is a fixed HTTP response.
type StaticResponse struct {
	// Status is the response status, 100..599. Zero means 503.
	Status int `yaml:"status" json:"status"`
	// Headers are set on the response. Empty means none.
	Headers map[string]string `yaml:"headers" json:"headers"`
	// Body is the response body. Empty means none.
	Body string `yaml:"body" json:"body"`
}

// DeadlinePolicy configures deadline propagation: Server clamps the
// budget a request arrives with, Propagate decays what is passed on.
type DeadlinePolicy struct {
	// Server bounds the budget read from the request. Omitted means
	// deadline.DefaultServerConfig.
	Server deadline.ServerConfig `yaml:"server" json:"server"`
	// Propagate decides the budget sent upstream. Omitted means
	// deadline.DefaultConfig.
	Propagate deadline.Config `yaml:"propagate" json:"propagate"`
}
