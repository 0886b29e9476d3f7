package otel_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/observe/otel"
	"github.com/resilience-go/resilience/stats"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// point finds the value of the data point of metric name whose attributes
// include want.
func point(rm metricdata.ResourceMetrics, name string, want ...attribute.KeyValue) (float64, bool) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			match := func(set attribute.Set) bool {
				for _, kv := range want {
					if v, ok := set.Value(kv.Key); !ok || v != kv.Value {
						return false
					}
				}
				return true
			}
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					if match(p.Attributes) {
						return float64(p.Value), true
					}
				}
			case metricdata.Gauge[int64]:
				for _, p := range d.DataPoints {
					if match(p.Attributes) {
						return float64(p.Value), true
					}
				}
			case metricdata.Gauge[float64]:
				for _, p := range d.DataPoints {
					if match(p.Attributes) {
						return p.Value, true
					}
				}
			}
		}
	}
	return 0, false
}

func TestMetrics(t *testing.T) {
	clk := clock.NewManual(t0)
	reg := must(stats.NewRegistry(stats.Config{Clock: clk}))
	ctx := context.Background()
	br := must(circuitbreaker.New(circuitbreaker.Config{
		Name: "db", ConsecutiveFailures: 3, OpenDuration: time.Minute, Clock: clk,
		Listener: reg.Listener("circuitbreaker", "db"),
	}))
	reg.Instance("circuitbreaker", "db").SetSource(stats.BreakerSource(br))
	for i := range 10 {
		p, err := br.Acquire(ctx)
		if err != nil {
			continue
		}
		clk.Advance(20 * time.Millisecond)
		if i >= 5 {
			err = errors.New("down")
		}
		p.Done(err)
	}
	sem := must(bulkhead.New(bulkhead.Config{Name: "pool", MaxConcurrent: 4, Clock: clk}))
	reg.Instance("bulkhead", "pool").SetSource(stats.SemaphoreSource(sem))
	held, _ := sem.Acquire(ctx)
	defer held.Done(nil)
	custom := reg.Instance("mine", "m")
	custom.SetSource(func() stats.Gauges { return stats.Gauges{Values: map[string]float64{"depth": 9}} })

	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(ctx)
	registration := must(otel.RegisterMetrics(otel.MetricsConfig{MeterProvider: mp, Registry: reg}))

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	cb := []attribute.KeyValue{attribute.String("resilience.policy", "circuitbreaker"), attribute.String("resilience.name", "db")}
	with := func(kv ...attribute.KeyValue) []attribute.KeyValue {
		return append(append([]attribute.KeyValue(nil), cb...), kv...)
	}
	tests := []struct {
		metric string
		attrs  []attribute.KeyValue
		want   float64
	}{
		{"resilience.calls", with(attribute.String("resilience.outcome", "success")), 5},
		{"resilience.calls", with(attribute.String("resilience.outcome", "failure")), 3},
		{"resilience.calls", with(attribute.String("resilience.outcome", "rejected")), 2},
		{"resilience.events", with(attribute.String("resilience.kind", "state_change")), 1},
		{"resilience.state", with(attribute.String("resilience.state", "open")), 1},
		{"resilience.state", with(attribute.String("resilience.state", "closed")), 0},
		{"resilience.call.duration", with(attribute.String("quantile", "0.99")), 0.02},
		{"resilience.call.duration", with(attribute.String("quantile", "1")), 0.02},
		{"resilience.circuitbreaker.remaining_open_seconds", cb, 60},
		{"resilience.bulkhead.in_flight", []attribute.KeyValue{attribute.String("resilience.name", "pool")}, 1},
		{"resilience.bulkhead.max_concurrent", []attribute.KeyValue{attribute.String("resilience.name", "pool")}, 4},
		{"resilience.gauge", []attribute.KeyValue{attribute.String("resilience.policy", "mine"), attribute.String("resilience.gauge", "depth")}, 9},
	}
	for _, tt := range tests {
		got, ok := point(rm, tt.metric, tt.attrs...)
		if !ok {
			t.Errorf("%s%v missing", tt.metric, tt.attrs)
			continue
		}
		if d := got - tt.want; d > tt.want*stats.RelativeError || d < -tt.want*stats.RelativeError {
			t.Errorf("%s%v = %v want %v", tt.metric, tt.attrs, got, tt.want)
		}
	}

	if err := registration.Unregister(); err != nil {
		t.Fatal(err)
	}
	rm = metricdata.ResourceMetrics{}
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	if _, ok := point(rm, "resilience.calls"); ok {
		t.Error("resilience.calls still observed after Unregister")
	}
}
