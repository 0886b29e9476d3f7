// Package demo runs `resilience demo`: three upstream HTTP servers on
// loopback, the sidecar proxy serving the embedded demo configuration
// (config.Demo) in front of them with its admin server (dashboard and
// /metrics) on a free port, and a load generator calling through the
// proxy. It prints the dashboard and metrics URLs, then a per-interval
// timeline (calls, successes, failures, rejections, fallbacks, p99, the
// requests each upstream received and the route's breaker state read from
// the proxy's stats registry), and a summary when the duration passes or
// the context is cancelled.
//
// # Scenario
//
// The phases are fractions of the duration (Script), so a short run shows
// the same story as the default 60s one:
//
//   - healthy (first 15%): every upstream answers quickly;
//   - flaky (to 35%): upstream-1 fails most requests and answers others
//     slowly, through a chaos.Injector around its handler; the cluster's
//     outlier detection ejects it and retries hide its failures, so the
//     breaker stays closed;
//   - outage (to 65%): a second injector, around every upstream, makes the
//     whole dependency fail; the breaker opens, the stale cache and the
//     static fallback answer, and half-open probes fail until
//   - recovered (the rest): the probes succeed and the breaker closes.
//
// Runs shorter than 60s scale the breaker's and the outlier detection's
// times down with the phases (tune).
//
// # Observing
//
// Ejections are read from the upstreams' side (an upstream that receives
// nothing while the others are busy is out of rotation); breaker state
// changes are sampled from the stats registry every 20ms, which is well
// under the shortest open spell; fallbacks are recognised by the proxy's
// X-Resilience-Fallback header or, failing that, the static fallback's
// body.
//
// Run is the entry point; the zero Options run the default 60s demo. Run
// is safe to call from several goroutines: each call owns its servers.
package demo
