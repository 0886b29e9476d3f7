package otel

import (
	"context"
	"fmt"
	"strconv"

	gotel "go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/resilience-go/resilience/stats"
)

// ScopeName is the instrumentation scope of the meter and tracer.
const ScopeName = "github.com/resilience-go/resilience/observe/otel"

// MetricsConfig configures RegisterMetrics. The zero MetricsConfig is
// valid: the global MeterProvider and stats.Default().
type MetricsConfig struct {
	// MeterProvider makes the meter. Nil means otel.GetMeterProvider().
	MeterProvider metric.MeterProvider `yaml:"-" json:"-"`
	// Registry is the stats Registry read at each collection. Nil means
	// stats.Default().
	Registry *stats.Registry `yaml:"-" json:"-"`
}

// Validate reports the first invalid field; every MetricsConfig is valid.
func (c MetricsConfig) Validate() error { return nil }

// instruments are the observable instruments RegisterMetrics makes.
type instruments struct {
	calls, events metric.Int64ObservableCounter
	duration      metric.Float64ObservableGauge
	state         metric.Int64ObservableGauge
	gauge         metric.Float64ObservableGauge
	named         map[string]metric.Float64ObservableGauge // "policy.gauge" → instrument
}

// RegisterMetrics makes observable instruments that read cfg.Registry at
// every collection (see the package documentation for the names) and
// returns their registration; Unregister it to stop. Recording costs the
// request path nothing beyond the stats Instances.
func RegisterMetrics(cfg MetricsConfig) (metric.Registration, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	mp := cfg.MeterProvider
	if mp == nil {
		mp = gotel.GetMeterProvider()
	}
	reg := cfg.Registry
	if reg == nil {
		reg = stats.Default()
	}
	m := mp.Meter(ScopeName)
	ins, err := newInstruments(m)
	if err != nil {
		return nil, err
	}
	obs := []metric.Observable{ins.calls, ins.events, ins.duration, ins.state, ins.gauge}
	for _, g := range ins.named {
		obs = append(obs, g)
	}
	return m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		for _, in := range reg.Instances() {
			ins.observe(o, in.Snapshot())
		}
		return nil
	}, obs...)
}

func newInstruments(m metric.Meter) (*instruments, error) {
	var ins instruments
	var err error
	if ins.calls, err = m.Int64ObservableCounter("resilience.calls", metric.WithUnit("{call}"),
		metric.WithDescription("Calls seen by a resilience policy, by outcome.")); err != nil {
		return nil, err
	}
	if ins.events, err = m.Int64ObservableCounter("resilience.events", metric.WithUnit("{event}"),
		metric.WithDescription("Other events reported by a resilience policy (retries, state changes, hedges...), by kind.")); err != nil {
		return nil, err
	}
	if ins.duration, err = m.Float64ObservableGauge("resilience.call.duration", metric.WithUnit("s"),
		metric.WithDescription("Quantiles of the duration of calls that finished over the last one to two minutes.")); err != nil {
		return nil, err
	}
	if ins.state, err = m.Int64ObservableGauge("resilience.state", metric.WithUnit("1"),
		metric.WithDescription("Current state of a policy: 1 for the current state, 0 for the others.")); err != nil {
		return nil, err
	}
	if ins.gauge, err = m.Float64ObservableGauge("resilience.gauge",
		metric.WithDescription("A policy gauge without an instrument of its own.")); err != nil {
		return nil, err
	}
	ins.named = map[string]metric.Float64ObservableGauge{}
	for _, g := range knownGauges {
		inst, err := m.Float64ObservableGauge("resilience."+g.policy+"."+g.key, metric.WithUnit(g.unit), metric.WithDescription(g.desc))
		if err != nil {
			return nil, fmt.Errorf("otel: gauge %s.%s: %w", g.policy, g.key, err)
		}
		ins.named[g.policy+"."+g.key] = inst
	}
	return &ins, nil
}

// outcomes are the event kinds counted as resilience.calls; the others go
// to resilience.events.
var outcomes = map[string]bool{
	"success": true, "failure": true, "rejected": true, "shadow_rejected": true,
	"timeout": true, "fallback": true, "panic": true,
}

var quantiles = []float64{0.5, 0.9, 0.99, 1}

func (ins *instruments) observe(o metric.Observer, s stats.InstanceSnapshot) {
	pn := []attribute.KeyValue{attribute.String("resilience.policy", s.Policy), attribute.String("resilience.name", s.Name)}
	with := func(kv ...attribute.KeyValue) metric.MeasurementOption {
		return metric.WithAttributes(append(append([]attribute.KeyValue(nil), pn...), kv...)...)
	}
	for kind, n := range s.Counts {
		if outcomes[kind] {
			o.ObserveInt64(ins.calls, int64(n), with(attribute.String("resilience.outcome", kind)))
		} else {
			o.ObserveInt64(ins.events, int64(n), with(attribute.String("resilience.kind", kind)))
		}
	}
	if l := s.RecentLatency; l.Count > 0 {
		for i, v := range []float64{l.P50.Seconds(), l.P90.Seconds(), l.P99.Seconds(), l.Max.Seconds()} {
			o.ObserveFloat64(ins.duration, v, with(attribute.String("quantile", strconv.FormatFloat(quantiles[i], 'g', -1, 64))))
		}
	}
	if s.State != "" {
		seen := false
		for _, st := range s.Gauges.States {
			v := int64(0)
			if st == s.State {
				v, seen = 1, true
			}
			o.ObserveInt64(ins.state, v, with(attribute.String("resilience.state", st)))
		}
		if !seen {
			o.ObserveInt64(ins.state, 1, with(attribute.String("resilience.state", s.State)))
		}
	}
	for key, v := range s.Gauges.Values {
		if inst, ok := ins.named[s.Policy+"."+key]; ok {
			o.ObserveFloat64(inst, v, with())
		} else {
			o.ObserveFloat64(ins.gauge, v, with(attribute.String("resilience.gauge", key)))
		}
	}
}

// knownGauges are the gauges of the stats sources, each with an
// instrument named resilience.<policy>.<key>.
var knownGauges = []struct{ policy, key, unit, desc string }{
	{"circuitbreaker", "failure_ratio", "1", "Failures / calls over the breaker's window."},
	{"circuitbreaker", "slow_call_ratio", "1", "Slow calls / calls over the breaker's window."},
	{"circuitbreaker", "window_calls", "{call}", "Calls in the breaker's window."},
	{"circuitbreaker", "consecutive_failures", "{call}", "Failures since the last success."},
	{"circuitbreaker", "remaining_open_seconds", "s", "Wait until an open breaker lets probes through."},
	{"circuitbreaker", "reject_probability", "1", "Adaptive mode's throttling probability."},
	{"ratelimit", "limit", "{event}", "The rate limiter's quota."},
	{"ratelimit", "remaining", "{event}", "Events the rate limiter would admit now."},
	{"ratelimit", "utilization", "1", "1 - remaining/limit."},
	{"bulkhead", "in_flight", "{call}", "Permits held (tasks running, for a pool)."},
	{"bulkhead", "waiting", "{call}", "Callers waiting for a slot."},
	{"bulkhead", "max_concurrent", "{call}", "The bulkhead's limit."},
	{"bulkhead", "queued", "{task}", "Tasks waiting for a worker."},
	{"bulkhead", "queue_size", "{task}", "The worker pool's queue capacity."},
	{"bulkhead", "workers", "{worker}", "The worker pool's workers."},
	{"adaptive", "limit", "{call}", "The adaptive concurrency limit."},
	{"adaptive", "in_flight", "{call}", "Calls in flight."},
	{"adaptive", "baseline_seconds", "s", "Estimated no-load round-trip time."},
	{"adaptive", "last_rtt_seconds", "s", "Mean round-trip time of the last window."},
	{"adaptive", "probing", "1", "1 while the limiter re-measures its baseline."},
	{"shedder", "limit", "{call}", "The load shedder's limit."},
	{"shedder", "in_flight", "{call}", "Calls in flight."},
	{"shedder", "throughput", "{call}/s", "Estimated completions per second."},
	{"retry", "attempt_latency_seconds", "s", "Running estimate of one attempt's latency."},
}
