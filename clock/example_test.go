package clock_test

import (
	"fmt"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// Tests drive time-based policies with a Manual clock and never sleep.
func ExampleManual() {
	m := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	m.AfterFunc(time.Second, func() { fmt.Println("fired at", m.Now().Format(time.TimeOnly)) })
	m.Advance(999 * time.Millisecond)
	fmt.Println("pending timers:", m.Timers())
	m.Advance(time.Millisecond)
	// Output:
	// pending timers: 1
	// fired at 00:00:01
}
