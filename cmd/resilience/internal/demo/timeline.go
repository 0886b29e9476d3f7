package demo

import (
	"fmt"
	"io"
	"os"
	"strings"
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

// row prints the interval that ended at at: its phase, the load's answers,
// the requests each upstream received and the 5xx they answered, the
// breaker state and notes on what changed.
func (t *timeline) row(at time.Duration, phase Phase, s tally, arrived [numUpstreams]int64, upFailed int64, state string, notes []string) {
	if t.rows%20 == 0 {
		fmt.Fprintf(t.out, "%7s  %-9s  %6s  %6s  %6s  %8s  %9s  %9s  %-15s  %5s  %s\n",
			"time", "phase", "calls", "ok", "failed", "rejected", "fallbacks", "p99", "upstreams 1/2/3", "5xx", "breaker")
	}
	t.rows++
	ups := fmt.Sprintf("%d/%d/%d", arrived[0], arrived[1], arrived[2])
	note := ""
	if len(notes) > 0 {
		note = "  <- " + strings.Join(notes, ", ")
	}
	// The state is padded before painting, so that colour codes do not
	// upset the alignment of the notes.
	fmt.Fprintf(t.out, "%6.1fs  %-9s  %6d  %6d  %6d  %8d  %9d  %9s  %-15s  %5d  %s%s\n",
		at.Seconds(), phase, s.Calls, s.OK, s.Failed, s.Rejected, s.Fallbacks,
		s.p99().Round(100*time.Microsecond), ups, upFailed, t.paint(state, note != ""), note)
}

// paint colours the state s, padded to the column's width when pad.
func (t *timeline) paint(s string, pad bool) string {
	if s == "" {
		s = "unknown"
	}
	padded := s
	if pad {
		padded = fmt.Sprintf("%-9s", s)
	}
	if !t.color {
		return padded
	}
	code := "32" // green
	switch s {
	case "open", "forced_open":
		code = "31" // red
	case "half_open":
		code = "33" // yellow
	}
	return "\x1b[" + code + "m" + padded + "\x1b[0m"
}

// changeNote describes a breaker state change for the timeline.
func changeNote(c StateChange) string {
	switch {
	case isOpen(c.To) && c.From == "half_open":
		return "probes failed: open again"
	case isOpen(c.To):
		return "breaker tripped"
	case c.To == "half_open":
		return "half-open: probing"
	case c.To == "closed":
		return "breaker closed again"
	}
	return "breaker " + c.From + " -> " + c.To
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
