// Package fallback serves degraded answers when a dependency fails:
// degradation chains (Chain) and a stale-value cache (StaleCache).
//
// # Chains
//
// A Chain tries its steps in order, primary → fallback 1 → … → stub,
// until one serves. Each step names the error classes it handles (When):
// OnRejected, OnTimeout, OnNetwork, OnUnavailable, their union
// OnTransient (the default), OnAny, OnErrorIs. The rule is to degrade on
// network and availability failures and never to hide a business error:
// the default handles transient errors only, unknown errors pass through,
// and an error the Classifier counts as a success (resilience.MarkSuccess)
// is never handled by any step. When no step serves, the caller gets the
// dependency's original result and error, unchanged.
//
// Chain implements resilience.Recoverer[R] and composes in a pipeline,
// usually as its outermost policy; resilience.Pipeline.Do then reports
// Result.Degraded. On their own, Chain.Do and StaleCache.Do return the same
// resilience.Result[R], and Execute returns (R, error): the pipeline's own
// pair of methods.
//
// # Stale cache
//
// A StaleCache remembers the last success per key (bounded: MaxEntries
// keys, CLOCK eviction) and serves it when a later call for that key fails,
// while it is younger than StaleTTL; younger than TTL it is fresh and, with
// ServeFresh, can answer without calling the dependency at all. Keys reach
// it as an argument (Execute, Do) or through the context (WithKey) when it
// works as a pipeline Recoverer or a chain Step.
//
// # Events, zero values and concurrency
//
// Serving a degraded value reports an EventFallback whose Detail names the
// step ("stale" or "fresh" for the cache); a step that handled the error
// and failed too reports an EventFailure. Config{} and CacheConfig{} are
// valid. Chains and caches are safe for concurrent use. A Chain allocates
// nothing of its own; the cache's Execute and Do allocate nothing either,
// once its map has grown to size. Most callers want Chain.Do, or a Chain
// at the head of a resilience.Pipeline.
package fallback
