// Package fulldemo runs `resilience demo`: three upstream HTTP servers on
// loopback, one of which turns flaky and slow on a schedule through a
// chaos.Injector wrapped around its handler with chaos.Middleware and then
// recovers; the sidecar proxy serving the embedded demo configuration
// (config.Demo) in front of them, with its admin server (dashboard and
// /metrics) on a free port; and a load generator calling through the proxy.
// It prints the dashboard URL, a per-interval timeline (calls, outcomes,
// p99 and the route's breaker state read from the proxy's stats registry)
// and a summary when the duration passes or the context is cancelled.
//
// Run is the entry point; the zero Options run the default 60s demo. Run
// is safe to call from several goroutines: each call owns its servers.
package fulldemo
