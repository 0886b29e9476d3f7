package fulldemo

import (
	"fmt"
	"io"
	"os"
	"time"
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

func (t *timeline) row(at time.Duration, phase Phase, s tally, state string) {
	if t.rows%20 == 0 {
		fmt.Fprintf(t.out, "%7s  %-9s  %6s  %6s  %6s  %8s  %9s  %9s  %s\n",
			"time", "upstream", "calls", "ok", "failed", "rejected", "fallbacks", "p99", "breaker")
	}
	t.rows++
	fmt.Fprintf(t.out, "%6.1fs  %-9s  %6d  %6d  %6d  %8d  %9d  %9s  %s\n",
		at.Seconds(), phase, s.Calls, s.OK, s.Failed, s.Rejected, s.Fallbacks,
		s.p99().Round(100*time.Microsecond), t.paint(state))
}

func (t *timeline) paint(s string) string {
	if s == "" {
		s = "unknown"
	}
	if !t.color {
		return s
	}
	code := "32" // green
	switch s {
	case "open", "forced_open":
		code = "31" // red
	case "half_open":
		code = "33" // yellow
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// isTerminal reports whether w is a character device, such as a terminal,
// and colour is not disabled by NO_COLOR.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("NO_COLOR") != "" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func printSummary(out io.Writer, s Summary) {
	fmt.Fprintf(out, "\nsummary\n")
	pct := 0.0
	if s.Requests > 0 {
		pct = 100 * float64(s.OK) / float64(s.Requests)
	}
	fmt.Fprintf(out, "  requests %d: ok %d (%.1f%%), failed %d, rejected %d, fallbacks served %d\n",
		s.Requests, s.OK, pct, s.Failed, s.Rejected, s.Fallbacks)
	fmt.Fprintf(out, "  p99 latency %v\n", s.P99.Round(100*time.Microsecond))
	fmt.Fprintf(out, "  upstream-1 flaky from %.1fs to %.1fs: %d failed, %d rejected, %d fallbacks meanwhile\n",
		s.FlakyFrom.Seconds(), s.FlakyUntil.Seconds(), s.FlakyFailed, s.FlakyRejected, s.FlakyFallbacks)
	fmt.Fprintf(out, "  route %q seen by the proxy: %d successes, %d failures, %d rejections, %d fallbacks\n",
		s.Route, s.RouteCounts["success"], s.RouteCounts["failure"], s.RouteCounts["rejected"], s.RouteCounts["fallback"])
	for _, c := range s.Changes {
		fmt.Fprintf(out, "  %6.2fs  breaker %s -> %s\n", c.At.Seconds(), c.From, c.To)
	}
	if len(s.Trips) > 0 {
		fmt.Fprintf(out, "  breaker tripped at %.2fs (%.2fs after the upstream turned flaky)\n",
			s.Trips[0].Seconds(), (s.Trips[0] - s.FlakyFrom).Seconds())
	} else {
		fmt.Fprintf(out, "  the breaker never tripped: the healthy upstreams kept the failure rate under its threshold\n")
	}
	if len(s.Recoveries) > 0 {
		fmt.Fprintf(out, "  breaker closed again at %.2fs\n", s.Recoveries[len(s.Recoveries)-1].Seconds())
	}
}
