package prom

import (
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/resilience-go/resilience/stats"
)

// Collector is a prometheus.Collector that reads a stats.Registry at
// scrape time; see the package documentation for the metrics. Recording
// costs the request path nothing beyond the stats Instance. Make one with
// NewCollector and register it with prometheus.MustRegister. It is safe
// for concurrent scrapes.
//
// It is an unchecked collector (Describe sends nothing), because the
// gauge metrics depend on the policies registered.
type Collector struct {
	reg     *stats.Registry
	ns      string
	bounds  []time.Duration
	upper   []float64 // bounds in seconds
	calls   *prometheus.Desc
	events  *prometheus.Desc
	latency *prometheus.Desc
	gauges  sync.Map // metric name → *prometheus.Desc
}

var _ prometheus.Collector = (*Collector)(nil)

// NewCollector returns a Collector configured by cfg, or cfg.Validate's
// error.
func NewCollector(cfg Config) (*Collector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := DefaultConfig()
	if cfg.Registry == nil {
		cfg.Registry = stats.Default()
	}
	if cfg.Namespace == "" {
		cfg.Namespace = d.Namespace
	}
	if cfg.Buckets == nil {
		cfg.Buckets = d.Buckets
	}
	c := &Collector{reg: cfg.Registry, ns: cfg.Namespace, bounds: cfg.Buckets}
	for _, b := range c.bounds {
		c.upper = append(c.upper, b.Seconds())
	}
	c.calls = prometheus.NewDesc(c.ns+"_calls_total",
		"Calls seen by a resilience policy, by outcome.", []string{"policy", "name", "outcome"}, nil)
	c.events = prometheus.NewDesc(c.ns+"_events_total",
		"Other events reported by a resilience policy (retries, state changes, hedges...), by kind.",
		[]string{"policy", "name", "kind"}, nil)
	c.latency = prometheus.NewDesc(c.ns+"_call_duration_seconds",
		"Duration of calls that finished (successes and failures).", []string{"policy", "name"}, nil)
	return c, nil
}

// Describe sends nothing: the Collector is unchecked.
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

// isCall says which event kinds are call outcomes, exported as
// _calls_total{outcome}; every other kind goes to _events_total{kind}.
func isCall(kind string) bool {
	switch kind {
	case "success", "failure", "rejected", "shadow_rejected", "timeout", "fallback", "panic":
		return true
	}
	return false
}

// Collect reads every instance of the Registry.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for _, in := range c.reg.Instances() {
		s, h := in.SnapshotWithHistogram()
		for kind, n := range s.Counts {
			desc := c.events
			if isCall(kind) {
				desc = c.calls
			}
			ch <- prometheus.MustNewConstMetric(desc, prometheus.CounterValue, float64(n), s.Policy, s.Name, kind)
		}
		if h.Total() > 0 {
			counts := h.Cumulative(c.bounds)
			buckets := make(map[float64]uint64, len(counts))
			for i, n := range counts {
				buckets[c.upper[i]] = n
			}
			ch <- prometheus.MustNewConstHistogram(c.latency, h.Total(), h.Sum().Seconds(), buckets, s.Policy, s.Name)
		}
		c.collectGauges(ch, s)
	}
}

// collectGauges sends the state as a one-hot gauge and every gauge value.
func (c *Collector) collectGauges(ch chan<- prometheus.Metric, s stats.InstanceSnapshot) {
	prefix := c.ns + "_" + sanitize(s.Policy) + "_"
	if s.State != "" {
		desc := c.gauge(prefix+"state", "Current state of the policy: 1 for the current state, 0 for the others.", "name", "state")
		seen := false
		for _, st := range s.Gauges.States {
			v := 0.0
			if st == s.State {
				v, seen = 1, true
			}
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, s.Name, st)
		}
		if !seen {
			ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, 1, s.Name, s.State)
		}
	}
	for g, v := range s.Gauges.Values {
		desc := c.gauge(prefix+sanitize(g), "Gauge "+g+" of a "+s.Policy+" policy (see the observe/prom documentation).", "name")
		ch <- prometheus.MustNewConstMetric(desc, prometheus.GaugeValue, v, s.Name)
	}
}

// gauge returns the cached descriptor of a gauge metric.
func (c *Collector) gauge(name, help string, labels ...string) *prometheus.Desc {
	if d, ok := c.gauges.Load(name); ok {
		return d.(*prometheus.Desc)
	}
	d, _ := c.gauges.LoadOrStore(name, prometheus.NewDesc(name, help, labels, nil))
	return d.(*prometheus.Desc)
}

// sanitize makes s a valid part of a metric name: characters outside
// [a-zA-Z0-9_] become '_'.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}
