// Package chaos injects faults into calls, to prove that the other policies
// (breakers, retries, timeouts, fallbacks) and the callers behind them cope
// with a failing dependency before a real one fails.
//
// An Injector is a resilience.Guard. On every call it evaluates its Faults
// in order. Each fault fires with its Probability while its Schedule is
// active (and, for a fault with a Header, only on HTTP requests carrying
// that header), or unconditionally when the call is triggered by the
// fault's name: through WithFault on the context or the X-Chaos-Fault
// request header. Every latency fault that fires adds its delay, waited on
// the injector's clock; the first error or abort fault that fires then
// fails the call with its *FaultError, which matches ErrInjected and carries
// the HTTP status and gRPC code that adapters answer with. Injected errors
// do not match resilience.ErrRejected: they simulate dependency failures,
// so circuit breakers count them. Place the injector inside the breaker in
// a pipeline for that reason:
//
//	p, _ := resilience.NewPipeline[T](breaker, injector)
//
// Middleware and RoundTripper bring the same faults to net/http servers and
// clients; there an abort fault answers with a status instead of an error
// and an error fault breaks the connection.
//
// # Randomness
//
// Decisions are a pure function of the seed, the call's sequence number and
// the fault's index (SplitMix64), so they need no lock, allocate nothing,
// and with Config.Seed set repeat exactly from run to run: the n-th call
// makes the same decisions whatever the timing. A zero Seed picks a random
// one, which Injector.Seed reports so a failing run can be replayed.
//
// # Zero value, defaults and safety
//
// An Injector built from the zero Config is disabled and has no faults:
// chaos is opt-in. Enable and Disable switch it at run time (a disabled
// injector costs one atomic load per call), SetFaults replaces the faults,
// and schedules are measured from the last Enable. Because the trigger
// header lets clients force faults, set Config.TriggerHeader to "-" wherever
// untrusted clients reach the server. All methods are safe for concurrent
// use.
package chaos
