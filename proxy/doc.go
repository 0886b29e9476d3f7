// Package proxy is the sidecar proxy of resilience-go: it serves the
// listeners of a config.Config, matches each request against the routes in
// order, guards it with the route's policies and forwards it to an endpoint
// of the route's cluster, picked by that cluster's balancer.
//
// # Request path
//
// A request goes through, outermost first: chaos (chaos.Middleware), the
// rate limit (httpx.RateLimit: 429 with RateLimit headers), the concurrency
// guard (bulkhead, adaptive or shedder through httpx.Concurrency: 503), the
// deadline server (a budget read from Resilience-Deadline-Ms is clamped),
// then the forwarder: the circuit breaker around retries (idempotent methods
// only, unless retry_non_idempotent; bodies are replayed only when small
// and already read) around each attempt bounded by per_try_timeout, the
// whole bounded by timeout. Bodies are streamed both ways. When the breaker
// is open or the upstream fails, the static fallback answers if configured,
// else a problem+json 502/503/504.
//
// # Reloading
//
// Apply builds a new routing table and swaps it in atomically; requests in
// flight finish on the table they started with. The policies that
// config.Diff reports unchanged (Changes.Keep) keep their running instance
// and state: an open breaker stays open. Changed ones are rebuilt, which
// also reverts the dashboard's manual overrides on them. Clusters whose
// settings are unchanged keep their balancer.
//
// # Admin
//
// The admin server serves /metrics (Prometheus), /livez and /readyz
// (readiness turns false on Shutdown), /config (the redacted configuration,
// YAML or, with ?format=json, JSON) and /dashboard/.
//
// A Proxy is safe for concurrent use. Most callers want New, Start and
// Shutdown, with Apply on reload.
package proxy
