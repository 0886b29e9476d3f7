package demo

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// Counts are the load generator's requests by the proxy's answer.
type Counts struct {
	Requests, OK, Failed, Rejected, Fallbacks int
}

func countsOf(t tally) Counts {
	return Counts{Requests: t.Calls, OK: t.OK, Failed: t.Failed, Rejected: t.Rejected, Fallbacks: t.Fallbacks}
}

// Summary is what a demo run observed. Times are measured from the start
// of the load.
type Summary struct {
	// ProxyURL is the proxy's listener; DashboardURL and MetricsURL are on
	// its admin server.
	ProxyURL, DashboardURL, MetricsURL string
	// Route is the name of the demo route.
	Route string
	// Elapsed is how long the load ran.
	Elapsed time.Duration
	// Script is the scenario the run followed.
	Script Script
	// Counts are the whole run's; ByPhase each phase's.
	Counts
	ByPhase [PhaseRecovered + 1]Counts
	// RejectedBy counts rejections by HTTP status; FallbackKinds the
	// fallbacks by kind ("stale", "static").
	RejectedBy    map[int]int
	FallbackKinds map[string]int
	// BreakerRefused counts the calls the route's breaker refused (each
	// answered by a fallback), from the proxy's stats.
	BreakerRefused uint64
	// RouteCounts are the route's event counts in the proxy's registry at
	// the end ("success", "failure", "rejected", "fallback", ...).
	RouteCounts map[string]uint64
	// Ejections are the spells upstreams spent out of rotation.
	Ejections []Ejection
	// Changes are the breaker's state changes; Trips the moments it
	// opened from closed; Recoveries the moments it closed again.
	Changes           []StateChange
	Trips, Recoveries []time.Duration
	// P99 is the 99th percentile latency seen by the load generator.
	P99 time.Duration
}

// percent returns n as a percentage of the requests.
func (c Counts) percent(n int) float64 {
	if c.Requests == 0 {
		return 0
	}
	return 100 * float64(n) / float64(c.Requests)
}

// SuccessRate is the percentage of requests an upstream answered.
func (c Counts) SuccessRate() float64 { return c.percent(c.OK) }

func printSummary(out io.Writer, s Summary) {
	sc := s.Script
	fmt.Fprintf(out, "\nsummary after %.1fs\n", s.Elapsed.Seconds())
	fmt.Fprintf(out, "  requests     %d: ok %d (%.1f%%), fallbacks served %d%s, rejected %d%s, failed %d\n",
		s.Requests, s.OK, s.SuccessRate(), s.Fallbacks, breakdown(s.FallbackKinds, func(k string) string { return k }),
		s.Rejected, breakdown(s.RejectedBy, func(k int) string { return fmt.Sprint(k) }), s.Failed)
	fmt.Fprintf(out, "  answered     %.1f%% by an upstream or a fallback\n", s.percent(s.OK+s.Fallbacks))
	fmt.Fprintf(out, "  p99 latency  %v\n", s.P99.Round(100*time.Microsecond))
	fmt.Fprintf(out, "  scenario     healthy, upstream-1 flaky at %.1fs, outage at %.1fs, recovered at %.1fs\n",
		sc.FlakyFrom.Seconds(), sc.OutageFrom.Seconds(), sc.RecoverAt.Seconds())
	if fl := s.ByPhase[PhaseFlaky]; fl.Requests > 0 {
		fmt.Fprintf(out, "  flaky        %d requests: %d failed, %d fallbacks (ejection and retries hide upstream-1)\n",
			fl.Requests, fl.Failed, fl.Fallbacks)
	}
	for _, e := range s.Ejections {
		back := "still out at the end"
		if e.Until > 0 {
			back = fmt.Sprintf("back at %.1fs", e.Until.Seconds())
		}
		fmt.Fprintf(out, "  ejected      upstream-%d at %.1fs, %s\n", e.Upstream, e.From.Seconds(), back)
	}
	if ou := s.ByPhase[PhaseOutage]; ou.Requests > 0 {
		fmt.Fprintf(out, "  outage       %d requests: %d fallbacks, %d failed; the open breaker refused %d calls\n",
			ou.Requests, ou.Fallbacks, ou.Failed, s.BreakerRefused)
	}
	for _, c := range s.Changes {
		fmt.Fprintf(out, "  %6.2fs      breaker %s -> %s\n", c.At.Seconds(), c.From, c.To)
	}
	if len(s.Trips) == 0 {
		fmt.Fprintf(out, "  trips        none: the breaker never tripped\n")
	}
	for _, t := range s.Trips {
		fmt.Fprintf(out, "  tripped      at %.2fs (%+.2fs from the outage's start)\n", t.Seconds(), (t - sc.OutageFrom).Seconds())
	}
	for _, r := range s.Recoveries {
		fmt.Fprintf(out, "  recovered    at %.2fs (%+.2fs from the upstreams' recovery)\n", r.Seconds(), (r - sc.RecoverAt).Seconds())
	}
	if len(s.Trips) > 0 && len(s.Recoveries) == 0 {
		fmt.Fprintf(out, "  recovered    not yet: the breaker was still %s at the end\n", lastState(s.Changes))
	}
	fmt.Fprintf(out, "  proxy        route %q: %d successes, %d failures, %d fallbacks, %d rejections\n",
		s.Route, s.RouteCounts["success"], s.RouteCounts["failure"], s.RouteCounts["fallback"], s.RouteCounts["rejected"])
	fmt.Fprintf(out, "  dashboard    %s (stopped with the demo)\n", s.DashboardURL)
}

// breakdown formats counts by key as " (k1 n1, k2 n2)", or "" if empty.
func breakdown[K int | string](m map[K]int, name func(K) string) string {
	if len(m) == 0 {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", name(k), m[k]))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func lastState(cs []StateChange) string {
	if len(cs) == 0 {
		return "closed"
	}
	return cs[len(cs)-1].To
}
