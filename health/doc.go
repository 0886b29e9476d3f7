// Package health reports whether a process is alive, ready for traffic and
// done starting, the way Kubernetes probes and load balancers ask.
//
// A Checker aggregates named checks (a database ping, a cache warm-up
// flag, a deadlock detector). Each Check belongs to one or more probes
// (ProbeLive, ProbeReady, ProbeStartup), has a Timeout and may cache its
// result for an Interval. Handler serves /livez, /readyz and /startupz as
// kube-apiserver does: 200 "ok", or 503 with a line per check; ?verbose
// for JSON with every check's status, error and duration; ?exclude=name to
// skip a check; /readyz/<name> for one check. Status answers the gRPC
// health protocol (grpcx wires it into grpc.health.v1).
//
// Most callers want:
//
//	checker, _ := health.New(health.Config{Checks: []health.Check{
//		{Name: "db", Func: db.PingContext, Timeout: time.Second, Interval: 5 * time.Second, Critical: true},
//	}})
//	checker.Register(mux)
//	// on SIGTERM:
//	checker.Shutdown() // /readyz 503 at once, /livez still 200
//
// # Algorithm
//
// Checks run lazily, when a probe is requested, all of a probe's checks
// concurrently. A check's runs are deduplicated: a request that arrives
// while the check runs waits for that run instead of starting another, and
// within Interval of the last run gets its result (marked cached). A run
// that exceeds Timeout fails with ErrTimeout and its context is cancelled.
// Nothing runs in the background, so there is nothing to stop: a check's
// goroutine lives as long as its function runs, and while a run that timed
// out still executes, requests get its result instead of starting another,
// so a hung check holds one goroutine. Critical checks decide the
// probe; non-critical ones are reported only.
//
// Readiness also holds two built-in checks: "shutdown" fails after
// Shutdown (for good) or SetReady(false) (until SetReady(true)); "startup"
// fails until MarkStarted when Config.StartupPending is set, and is also
// what /startupz checks.
//
// # Zero values and defaults
//
// The zero Config is valid: no checks, started, ready; DefaultTimeout
// zero means 5s. A Check's zero Probes is ProbeReady, zero Timeout is the
// default, zero Interval runs it on every request, and Critical false
// reports a failure without failing the probe. New returns the error of
// Config.Validate, which names the offending check and field.
//
// # Concurrency
//
// A Checker is safe for simultaneous use; checks can be added while
// probes are served. Check functions run on their own goroutines and must
// be safe for concurrent use with the rest of the program.
package health
