// Package resilience composes resilience policies into pipelines.
//
// Every mechanism in this module is a policy placed around a call to a
// dependency. Policies come in two kinds:
//
//   - Guards decide admission before a call runs and observe its outcome
//     afterwards: circuit breakers, rate limiters, bulkheads, adaptive
//     concurrency limiters, fault injection. A Guard offers a two-step API,
//     Acquire then Permit.Done, that needs no closure and does not allocate,
//     so streaming calls and proxies can use it where no function wraps the
//     call.
//   - Controllers change the control flow around the call: a Scope bounds it
//     (timeouts), a Repeater runs it again (retry), a Recoverer replaces a
//     failed result (fallback).
//
// A Pipeline composes policies, outermost first, and is generic over the
// result type. Guards are not generic: one breaker protects one dependency
// for every caller, whatever their result types.
//
// Rejections match ErrRejected with errors.Is, whichever policy refused the
// call. What a policy observes flows out as Events to a Listener; with no
// Listener set, reporting costs nothing.
package resilience
