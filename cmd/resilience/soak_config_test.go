package main

// The configuration of the soak's proxy (soakConfig) and the static
// fallback body it serves (soakFallbackBody).

// soakFallbackBody is the static fallback of the "fallback" route: a
// problem document, so that it is a documented policy answer as well.
const soakFallbackBody = `{"title":"Service Unavailable","status":503,"detail":"solo upstream unavailable (static fallback)"}`

// soakConfig is the proxy's configuration: every policy on the "api" route
// (hedged retries included), a low rate limit on "limited", a
// single-endpoint cluster behind a breaker ("solo"), and the same with a
// static fallback ("fallback") or a stale cache ("cached"). The pool has
// health checks and outlier detection. Upstream idle connections time out
// after 1s so that the idle goroutine floor is reached quickly.
const soakConfig = `listeners: [{name: public, address: "127.0.0.1:0"}]
admin: {address: "127.0.0.1:0"}
routes:
  - name: api
    match: {path_prefix: /api/}
    cluster: pool
    policies:
      timeout: 2s
      retry:
        max_attempts: 3
        per_try_timeout: 500ms
        backoff: {kind: full_jitter, initial: 10ms, max: 50ms}
        budget: {ratio: 0.2, min_per_second: 20}
        hedge: {delay: 100ms, max_hedges: 1}
      circuit_breaker: {failure_rate_threshold: 50, minimum_calls: 50, window_type: time, window_duration: 5s, open_duration: 1s, half_open_probes: 5}
      rate_limit: {local: {rate: 1000000, per: 1s, burst: 100000}}
      bulkhead: {max_concurrent: 16, max_wait: 20ms}
      deadline: {server: {max: 2s}}
  - name: limited
    match: {path_prefix: /limited/}
    cluster: pool
    policies:
      timeout: 2s
      retry: {max_attempts: 2, per_try_timeout: 500ms, budget: {}}
      rate_limit: {local: {rate: 10, per: 1s, burst: 5}}
      bulkhead: {max_concurrent: 8}
  - name: solo
    match: {path_prefix: /solo/}
    cluster: solo
    policies:
      timeout: 2s
      retry: {max_attempts: 2, per_try_timeout: 500ms, backoff: {initial: 10ms, max: 50ms}, budget: {}}
      circuit_breaker: {consecutive_failures: 5, open_duration: 300ms, max_open_duration: 1s, half_open_probes: 2}
      bulkhead: {max_concurrent: 8, max_wait: 20ms}
  - name: fallback
    match: {path_prefix: /fallback/}
    cluster: solo
    policies:
      timeout: 2s
      retry: {max_attempts: 2, per_try_timeout: 500ms, budget: {}}
      circuit_breaker: {consecutive_failures: 5, open_duration: 300ms, max_open_duration: 1s}
      fallback:
        static:
          status: 503
          headers: {Content-Type: application/problem+json}
          body: '%s'
  - name: cached
    match: {path_prefix: /cached/}
    cluster: solo
    policies:
      timeout: 2s
      retry: {max_attempts: 2, per_try_timeout: 500ms, budget: {}}
      circuit_breaker: {consecutive_failures: 5, open_duration: 300ms, max_open_duration: 1s}
      fallback:
        stale_cache: {ttl: 1s, stale_ttl: 10m, max_entries: 16}
clusters:
  - name: pool
    discovery: {static: [%q, %q, %q]}
    load_balancing: least_request
    health_check: {interval: 200ms, timeout: 500ms, healthy_threshold: 2, unhealthy_threshold: 2}
    outlier_detection: {consecutive_failures: 3, interval: 100ms, base_ejection_time: 1s, max_ejection_time: 2s, max_ejection_percent: 34}
    upstream: {idle_conn_timeout: 1s, dial_timeout: 500ms}
  - name: solo
    discovery: {static: [%q]}
    health_check: {interval: 200ms, timeout: 500ms, healthy_threshold: 2, unhealthy_threshold: 2}
    outlier_detection: {consecutive_failures: 3, interval: 100ms, base_ejection_time: 500ms, max_ejection_time: 1s, max_ejection_percent: 100}
    upstream: {idle_conn_timeout: 1s, dial_timeout: 500ms}
`
