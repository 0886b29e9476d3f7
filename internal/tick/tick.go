// Package tick sleeps the background goroutines that refresh the coarse
// clock and drive the timer wheel.
//
// Those goroutines wake every millisecond while in use. Waking through the
// runtime's timers (time.Ticker, time.Sleep) was measured to cost a
// latency-bound program far more than the wakeups themselves: on a 2-core
// machine a gRPC unary call over loopback took 10% more time and 16% more
// CPU while a 1 ms time.Ticker ran, because every tick goes through the
// scheduler's timer and netpoller machinery that the program's own
// goroutines are waiting in. On Linux, Sleep therefore blocks its thread in
// the nanosleep system call instead, which the scheduler treats like any
// blocking system call and which never touches its timers; the same
// benchmark then showed no measurable cost. Elsewhere Sleep is time.Sleep.
package tick
