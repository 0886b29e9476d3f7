package demo

import (
	"fmt"
	"io"
	"time"

	"github.com/resilience-go/resilience/circuitbreaker"
)

// timeline prints one row per interval, colouring the breaker state when
// the output is a terminal.
type timeline struct {
	out   io.Writer
	color bool
	rows  int
}

func newTimeline(out io.Writer) *timeline {
	return &timeline{out: out, color: isTerminal(out)}
}

func (t *timeline) row(at time.Duration, phase Phase, s tally, state circuitbreaker.State) {
	if t.rows%20 == 0 {
		fmt.Fprintf(t.out, "%7s  %-9s  %6s  %6s  %6s  %8s  %9s  %s\n",
			"time", "upstream", "calls", "ok", "failed", "rejected", "p99", "breaker")
	}
	t.rows++
	fmt.Fprintf(t.out, "%6.1fs  %-9s  %6d  %6d  %6d  %8d  %9s  %s\n",
		at.Seconds(), phase, s.Calls, s.OK, s.Failed, s.Rejected, s.p99().Round(100*time.Microsecond), t.paint(state))
}

func (t *timeline) paint(s circuitbreaker.State) string {
	if !t.color {
		return s.String()
	}
	code := "32" // green
	switch s {
	case circuitbreaker.StateOpen, circuitbreaker.StateForcedOpen:
		code = "31" // red
	case circuitbreaker.StateHalfOpen:
		code = "33" // yellow
	}
	return "\x1b[" + code + "m" + s.String() + "\x1b[0m"
}

func printSummary(out io.Writer, s Summary, changes []stateChange) {
	fmt.Fprintf(out, "\nsummary\n")
	fmt.Fprintf(out, "  calls %d: ok %d, failed %d, rejected by the breaker %d (p99 %v)\n",
		s.Calls, s.OK, s.Failed, s.Rejected, s.P99.Round(100*time.Microsecond))
	fmt.Fprintf(out, "  upstream failing from %.1fs to %.1fs\n", s.FailureStart.Seconds(), s.FailureEnd.Seconds())
	for _, c := range changes {
		fmt.Fprintf(out, "  %6.2fs  breaker %s -> %s\n", c.at.Seconds(), c.from, c.to)
	}
	if len(s.Trips) > 0 {
		fmt.Fprintf(out, "  tripped %.2fs after the failures began\n", (s.Trips[0] - s.FailureStart).Seconds())
	} else {
		fmt.Fprintf(out, "  the breaker never tripped\n")
	}
	if r := firstAfter(s.Recoveries, s.FailureEnd); r >= 0 {
		fmt.Fprintf(out, "  closed again %.2fs after the upstream recovered\n", (r - s.FailureEnd).Seconds())
	}
}

// firstAfter returns the first moment at or after t, or -1.
func firstAfter(ds []time.Duration, t time.Duration) time.Duration {
	for _, d := range ds {
		if d >= t {
			return d
		}
	}
	return -1
}
