// Package slogx writes resilience events to log/slog.
//
// A Listener is a resilience.Listener: set it as a policy's
// Config.Listener (or combine it with others through resilience.Listeners)
// and it logs state changes, rejections, retries, fallbacks, timeouts and
// panics as structured lines, their attributes under a "resilience" group:
//
//	{"level":"WARN","msg":"resilience state_change","resilience":{"policy":"circuitbreaker","name":"db","kind":"state_change","from":"closed","to":"open"}}
//
// Successes are not logged unless Config.LogSuccess is set; failures are
// logged at Debug. DefaultLevel gives each kind its level (a breaker
// opening is Warn, closing Info, a panic Error); Config.Level overrides it.
//
// # Sampling
//
// Per (policy, name, kind), each Config.Interval (10s) logs the first
// Config.Burst events (10), then 1 in Config.SampleEvery (100), with a
// sampled=N attribute; the events left out are counted and reported in
// one "resilience events suppressed" line with suppressed=K when the
// interval ends, by a timer on the Config.Clock. A storm of a million
// rejections a second thus writes about 10,000 lines a second, not a
// million, and the log still says how many there were. The keys tracked
// are bounded by Config.MaxKeys.
//
// A Listener is safe for concurrent use; Close flushes the suppressed
// counts and stops its timers. Events whose level the logger does not
// enable cost one Handler.Enabled call and allocate nothing.
package slogx
