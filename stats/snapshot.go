package stats

import "time"

// InstanceSnapshot is what an Instance has seen, at one instant. It
// serialises to JSON for dashboards; maps are keyed by event kind
// (resilience.EventKind.String(): "success", "failure", "rejected",
// "shadow_rejected", "timeout", "fallback", "retry", ...) and omit kinds
// never seen.
type InstanceSnapshot struct {
	// Policy is the policy's kind, e.g. "circuitbreaker".
	Policy string `json:"policy"`
	// Name is the policy instance's name.
	Name string `json:"name"`
	// State is the policy's state: the Source's, or else the To of the
	// last state change reported; empty if neither is known.
	State string `json:"state,omitempty"`
	// Counts are the events counted since the instance was made.
	Counts map[string]uint64 `json:"counts"`
	// Rate10s is events per second over the last 10 seconds.
	Rate10s map[string]float64 `json:"rate_10s"`
	// Rate1m is events per second over the last minute.
	Rate1m map[string]float64 `json:"rate_1m"`
	// Latency summarises the latencies of every success and failure.
	Latency Latency `json:"latency"`
	// RecentLatency summarises the latencies of the last minute or two:
	// see Latency.Window.
	RecentLatency Latency `json:"recent_latency"`
	// Gauges are the Source's readings; empty without a Source.
	Gauges Gauges `json:"gauges"`
}

// Latency summarises recorded latencies. Quantiles are within
// RelativeError of the exact ones; Max is exact (for RecentLatency, it is
// the lifetime maximum when no bin of the window holds a higher value).
type Latency struct {
	// Count is how many latencies were recorded.
	Count uint64 `json:"count"`
	// Window is the time the figures cover: since the instance was made,
	// or for RecentLatency since its checkpoint.
	Window time.Duration `json:"window_ns"`
	// P50 is the median.
	P50 time.Duration `json:"p50_ns"`
	// P90 is the 90th percentile.
	P90 time.Duration `json:"p90_ns"`
	// P99 is the 99th percentile.
	P99 time.Duration `json:"p99_ns"`
	// Max is the largest latency.
	Max time.Duration `json:"max_ns"`
	// Mean is the average latency.
	Mean time.Duration `json:"mean_ns"`
}

// latencyOf summarises h over window; lifetime says h holds every
// latency, so its exact maximum applies.
func latencyOf(h HistogramSnapshot, window time.Duration, lifetime bool) Latency {
	l := Latency{Count: h.Total(), Window: window}
	if l.Count == 0 {
		return l
	}
	l.P50 = h.Quantile(0.5)
	l.P90 = h.Quantile(0.9)
	l.P99 = h.Quantile(0.99)
	l.Max = h.Quantile(1)
	if lifetime {
		l.Max = h.Max()
	}
	l.Mean = h.Sum() / time.Duration(l.Count)
	return l
}

// Gauges are a policy's instantaneous readings, supplied by a Source.
type Gauges struct {
	// State is the policy's current state, e.g. "open".
	State string `json:"state,omitempty"`
	// States lists every state the policy can be in, so that exporters can
	// report 0 for the others (e.g. resilience_circuitbreaker_state).
	States []string `json:"states,omitempty"`
	// Values are named readings in base units (seconds, ratios 0..1,
	// counts), snake_case: "in_flight", "waiting", "limit",
	// "failure_ratio", ... Exporters name metrics after them.
	Values map[string]float64 `json:"values,omitempty"`
}

// A Source reads a policy's gauges. It is called at snapshot time (every
// scrape), never on the request path, and must be safe for concurrent use.
// The constructors in sources.go read this module's policies.
type Source func() Gauges
