// Package wheel is a coarse, process-wide timer wheel: the cheap way to arm
// and disarm many short-lived timers, most of which never fire.
//
// A runtime timer (time.AfterFunc, the one behind context.WithTimeout)
// costs an allocation, a heap insertion and a removal, and its context a
// precise clock reading or two: several hundred nanoseconds per call on
// many virtual machines. Timeouts almost always end before they fire, so
// the wheel makes arming and disarming cheap and firing a little late:
//
//   - Time is read from Now, a coarse monotonic reading (nanoseconds since
//     the package's epoch) that the wheel's goroutine refreshes every
//     Resolution; reading it is an atomic load.
//   - The wheel has a few shards (twice GOMAXPROCS, at most 64), each a
//     mutex over a fresh list and numSlots slot lists, all intrusive and
//     doubly linked. Start links the caller's Timer (embedded in the
//     caller's structure: no allocation) into the fresh list of a shard
//     chosen from the caller's stack address, so that concurrent goroutines
//     rarely share a lock; Stop unlinks it in O(1), so a stopped timer is
//     garbage at once. A timer started and stopped within one tick, the
//     common case, never reaches a slot.
//   - One goroutine ticks every Resolution. It publishes Now, settles the
//     fresh timers into the slots of the ticks they fire at, and fires the
//     slots it passes: the timers whose time has come, in turn; a timer
//     more than a rotation (numSlots ticks) away stays in its slot until
//     its own round. Expire functions run on that goroutine, so they must
//     be quick and must not block.
//
// The goroutine starts on demand (Now and Start start it) and stops by
// itself when no timer is pending and nothing has used the wheel for about
// 100 ms. Its function is
// github.com/resilience-go/resilience/internal/wheel.run, which goroutine
// leak checkers should ignore like the real clock's coarse ticker.
//
// # Precision
//
// Deadline(d) is Now plus d plus one Resolution, making up for Now trailing
// real time by up to a Resolution. A timer fires at the first tick at which
// the time has reached that deadline and d has passed since a precise
// reading the goroutine takes when it settles the timer, at its first tick
// after Start. So a timer never fires before d has passed since Start, even
// when the goroutine ran late and Now was stale (it then fires later than
// its deadline); otherwise it fires 0 to 2 Resolutions after Start plus d.
//
// Now is the wheel's own clock, not clock.Real().Nanotime: the goroutine
// ticks anyway, and one epoch for arming, firing and Time makes the deadline
// that Time reports the one the wheel aims at. The wheel reads the real,
// process clock: inside a testing/synctest bubble it does not follow the
// bubble's fake time.
package wheel
