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
// then the forwarder: the circuit breaker around retries around each
// attempt bounded by per_try_timeout, the whole bounded by timeout. Bodies
// are streamed both ways.
//
// Retries and hedges apply to the same requests: idempotent methods only
// (GET, HEAD, OPTIONS, TRACE, PUT, DELETE), unless retry_non_idempotent,
// and only when the body can be sent again (none, or at most 64 KiB,
// buffered before the first attempt). With retry.hedge, each attempt goes
// through a hedge.Hedger: when it has not answered after the hedge delay
// (fixed, or learnt from recent latencies as the hedge package does), a
// hedge is sent, to another endpoint when the balancer's policy allows
// (round robin, random and weighted round robin pick again; the others
// avoid a busy endpoint by themselves), up to max_hedges. A 5xx or a
// retry_on_status answer is a failed attempt, not a winner; the first
// other answer wins, and the other attempts are cancelled and their
// bodies closed. Hedges spend the retry budget (TryRetry) as retries do,
// and the budget counts the request once. When every attempt of a hedged
// call fails, the client gets a problem+json 502/503/504 rather than the
// upstream's 5xx.
//
// When the breaker is open or the upstream fails (a transport error, a
// timeout, or a 5xx), the fallbacks answer, in order: the stale cache,
// the static response, else a problem+json 502/503/504 (a 5xx the
// upstream sent is passed on as it is).
//
// # Stale cache
//
// fallback.stale_cache keeps, in a fallback.StaleCache, the last
// response to each cacheable request, keyed by method, host, path and
// query, and serves it while the upstream fails, until stale_ttl after it
// was stored, with an Age header and X-Resilience-Fallback: stale-cache
// (FallbackHeader); the route counts it as a fallback event. A request is
// cacheable when it is a GET or HEAD without Range or Cache-Control:
// no-store. A response is stored when its status is 200, 203, 204, 300,
// 301, 308, 404 or 410, it is not no-store or private, has no Set-Cookie
// and no Vary: *, and its body is at most 64 KiB; the body is copied while
// it streams to the client, never buffered first. A request with
// Authorization or a Cookie is only stored when the response says public
// (or s-maxage). Vary is honoured: the entry keeps the request's values of
// the headers named and is served only to requests with the same values
// (one variant per key; the latest wins). A response that forbids storing
// or is too large removes the entry, so that an older version is never
// served instead; other answers (a 304, a 5xx, a 302) leave it. With
// serve_fresh, an entry younger than ttl answers without calling the
// upstream (X-Resilience-Cache: hit), unless the response asked for
// no-cache or max-age=0, or the request for no-cache. Memory is bounded by
// max_entries times 64 KiB (64 MiB per route with the default 1024
// entries), so that a cache cannot crowd out the proxy's own memory.
// Rate-limit (429) and concurrency (503) refusals happen before the
// forwarder and are not covered.
//
// # Discovery
//
// Clusters find their endpoints through static lists, files, DNS or etcd.
// An etcd cluster (discovery/etcd) lists the service, then watches its
// prefix; while etcd is unreachable the last known endpoints keep serving
// (the watch resumes when it is back). A proxy whose etcd does not answer
// within op_timeout fails to start, and such a reload fails, leaving the
// old configuration serving. A replaced or removed cluster closes its
// registry and its connections to etcd.
//
// # Reloading
//
// Apply builds a new routing table and swaps it in atomically; requests in
// flight finish on the table they started with. The policies that
// config.Diff reports unchanged (Changes.Keep) keep their running instance
// and state: an open breaker stays open. Changed ones are rebuilt, which
// also reverts the dashboard's manual overrides on them. Clusters whose
// settings are unchanged keep their balancer. A Hedger (its learnt
// latencies) is kept when its settings and its budget are; a stale cache
// (its entries) when its own settings are, whatever the static fallback's.
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
