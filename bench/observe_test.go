package bench

// Observability benchmarks: what the stats listener and the Prometheus and
// OpenTelemetry adapters add to a breaker's closed-state call, and what
// recording one outcome in a stats Instance costs.
//
// Areas:
//   - BreakerClosedSuccessObserved: the BreakerClosedSuccess scenario
//     (failure-rate count window, 50% over 100 calls; Acquire then Done
//     with a nil error). "resilience" has no listener; "resilience-stats"
//     reports to a stats Instance; "resilience-prom" and "resilience-otel"
//     add a registered Prometheus collector or OpenTelemetry observable
//     instruments reading that Registry. Adapters read at scrape time, so
//     prom and otel should cost what stats costs.
//   - StatsRecord: one outcome with its latency recorded in an Instance.

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/observe/otel"
	"github.com/resilience-go/resilience/observe/prom"
	"github.com/resilience-go/resilience/stats"
)

// observedBreaker builds the closed-success breaker, reporting to a stats
// Instance when observed, with the given adapter attached to its Registry.
func observedBreaker(b *testing.B, observed bool, attach func(*stats.Registry)) *circuitbreaker.Breaker {
	cfg := circuitbreaker.Config{Name: "bench", FailureRateThreshold: 50, WindowSize: 100}
	var reg *stats.Registry
	if observed {
		var err error
		if reg, err = stats.NewRegistry(stats.Config{}); err != nil {
			b.Fatal(err)
		}
		cfg.Listener = reg.Listener("circuitbreaker", "bench")
	}
	br, err := circuitbreaker.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	if reg != nil {
		reg.Instance("circuitbreaker", "bench").SetSource(stats.BreakerSource(br))
		if attach != nil {
			attach(reg)
		}
	}
	return br
}

func attachProm(b *testing.B) func(*stats.Registry) {
	return func(reg *stats.Registry) {
		c, err := prom.NewCollector(prom.Config{Registry: reg})
		if err != nil {
			b.Fatal(err)
		}
		prometheus.NewRegistry().MustRegister(c)
	}
}

func attachOtel(b *testing.B) func(*stats.Registry) {
	return func(reg *stats.Registry) {
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
		if _, err := otel.RegisterMetrics(otel.MetricsConfig{MeterProvider: mp, Registry: reg}); err != nil {
			b.Fatal(err)
		}
	}
}

func runObserved(b *testing.B, br *circuitbreaker.Breaker, parallel bool) {
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if p, err := br.Acquire(ctx); err == nil {
					p.Done(nil)
				}
			}
		})
		return
	}
	for i := 0; i < b.N; i++ {
		if p, err := br.Acquire(ctx); err == nil {
			p.Done(nil)
		}
	}
}

func observedImpls(b *testing.B) []struct {
	name string
	make func() *circuitbreaker.Breaker
} {
	return []struct {
		name string
		make func() *circuitbreaker.Breaker
	}{
		{"resilience", func() *circuitbreaker.Breaker { return observedBreaker(b, false, nil) }},
		{"resilience-stats", func() *circuitbreaker.Breaker { return observedBreaker(b, true, nil) }},
		{"resilience-prom", func() *circuitbreaker.Breaker { return observedBreaker(b, true, attachProm(b)) }},
		{"resilience-otel", func() *circuitbreaker.Breaker { return observedBreaker(b, true, attachOtel(b)) }},
	}
}

func BenchmarkBreakerClosedSuccessObserved(b *testing.B) {
	for _, impl := range observedImpls(b) {
		b.Run(impl.name, func(b *testing.B) { runObserved(b, impl.make(), false) })
	}
}

func BenchmarkBreakerClosedSuccessObservedParallel(b *testing.B) {
	for _, impl := range observedImpls(b) {
		b.Run(impl.name, func(b *testing.B) { runObserved(b, impl.make(), true) })
	}
}

func newStatsInstance(b *testing.B) *stats.Instance {
	reg, err := stats.NewRegistry(stats.Config{})
	if err != nil {
		b.Fatal(err)
	}
	return reg.Instance("circuitbreaker", "bench")
}

func BenchmarkStatsRecord(b *testing.B) {
	b.Run("resilience", func(b *testing.B) {
		in := newStatsInstance(b)
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			in.Record(resilience.EventSuccess, time.Duration(i&1023)*time.Microsecond)
		}
	})
}

func BenchmarkStatsRecordParallel(b *testing.B) {
	b.Run("resilience", func(b *testing.B) {
		in := newStatsInstance(b)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				in.Record(resilience.EventSuccess, time.Duration(i&1023)*time.Microsecond)
			}
		})
	})
}
