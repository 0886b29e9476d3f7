package retry

import (
	"sync"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// jumpClock is a manual clock whose timers fire at once after moving the
// clock forward by their duration, so that a retry loop runs in the test's
// goroutine and the time it waited is exact.
type jumpClock struct {
	*clock.Manual
	mu     sync.Mutex
	sleeps []time.Duration
}

func newJumpClock() *jumpClock { return &jumpClock{Manual: clock.NewManual(t0)} }

func (c *jumpClock) NewTimer(d time.Duration) clock.Timer {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	c.mu.Unlock()
	c.Advance(d)
	return c.Manual.NewTimer(0)
}

func (c *jumpClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// recorder is a Listener that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []resilience.Event
}

func (r *recorder) OnEvent(e resilience.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) Events() []resilience.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]resilience.Event(nil), r.events...)
}

// kinds returns the kinds and details of the recorded events, e.g.
// "retry", "retry_skipped:budget".
func (r *recorder) kinds() []string {
	var out []string
	for _, e := range r.Events() {
		s := e.Kind.String()
		if e.Detail != "" {
			s += ":" + e.Detail
		}
		out = append(out, s)
	}
	return out
}

// fixedRandom returns a Random func that always returns u.
func fixedRandom(u float64) func() float64 { return func() float64 { return u } }

// statusError is an error carrying an HTTP status and a Retry-After hint.
type statusError struct {
	code  int
	after time.Duration
}

func (e *statusError) Error() string             { return "status error" }
func (e *statusError) HTTPStatus() int           { return e.code }
func (e *statusError) RetryAfter() time.Duration { return e.after }
