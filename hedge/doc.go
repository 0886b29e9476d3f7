// Package hedge cuts tail latency with hedged requests: when a call has
// not answered after a delay, the same call starts again concurrently and
// the first success wins.
//
// Hedging is opt-in and only for idempotent calls, since the dependency may
// see every attempt. The first attempt runs in the caller's goroutine, so
// a call answered before the delay costs only a cancellable context and a
// timer; each hedge costs a goroutine. Hedging is not a pipeline policy
// (that would make every caller's closure escape to the heap): it wraps
// the innermost function instead.
//
//	h, _ := hedge.New(hedge.Config{Percentile: 95, MaxHedges: 1, Budget: b})
//	call := hedge.Wrap(h, fetch) // build once, reuse
//	v, err := pipeline.Execute(ctx, call)
//
// or, on its own, hedge.Do(ctx, h, fetch). For a result used after the
// call returns, such as a streamed response body, use Keep: the winner's
// context then stays live until the caller releases it.
//
// # Algorithm
//
// The delay is fixed (Config.Delay) or learnt: the Percentile (default 95)
// of the latencies of recent successful calls, kept in a ring of Window
// atomics and re-sorted every Window/8 samples, never below MinDelay.
// Until MinSamples latencies are known the learnt delay is InitialDelay,
// and with none, calls run unhedged (and are measured).
//
// After each delay, while fewer than MaxHedges hedges have started, Do
// starts another attempt, unless the call's context is done or has less
// time left than the expected (median) latency, or the Budget's TryRetry
// refuses: then it reports EventRetrySkipped and hedges no more. The first
// success is returned and the other attempts are cancelled (cause ErrLost).
// Hedges start from the clock's timer, each in its own goroutine; Do does
// not wait for the losing ones, they end in the background and never block
// (goroutine-leak free as long as fn honours its context). Do does wait
// for the first attempt, which it runs itself: when a hedge wins first, it
// returns once the first attempt has seen its context cancelled. Failures
// wait for the attempts still running; when all have failed, the last
// error is returned.
//
// # Zero value and concurrency
//
// Config{} is valid (learnt p95 delay, one hedge, no budget). A Hedger is
// safe for concurrent use and shared by all calls to one dependency. Most
// callers want Wrap.
package hedge
