package stats_test

import (
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/stats"
)

func newBenchInstance(b *testing.B) *stats.Instance {
	reg, err := stats.NewRegistry(stats.Config{})
	if err != nil {
		b.Fatal(err)
	}
	return reg.Instance("circuitbreaker", "bench")
}

func BenchmarkStatsRecord(b *testing.B) {
	in := newBenchInstance(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		in.Record(resilience.EventSuccess, time.Duration(i&1023)*time.Microsecond)
	}
}

func BenchmarkStatsRecordParallel(b *testing.B) {
	in := newBenchInstance(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			in.Record(resilience.EventSuccess, time.Duration(i&1023)*time.Microsecond)
		}
	})
}

func BenchmarkStatsOnEvent(b *testing.B) {
	in := newBenchInstance(b)
	var l resilience.Listener = in
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		l.OnEvent(resilience.Event{Kind: resilience.EventSuccess, Policy: "circuitbreaker", Name: "bench", Latency: time.Duration(i&1023) * time.Microsecond})
	}
}

func BenchmarkStatsRegistryOnEvent(b *testing.B) {
	reg, _ := stats.NewRegistry(stats.Config{})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		reg.OnEvent(resilience.Event{Kind: resilience.EventSuccess, Policy: "circuitbreaker", Name: "bench", Latency: time.Duration(i&1023) * time.Microsecond})
	}
}

func BenchmarkStatsSnapshot(b *testing.B) {
	in := newBenchInstance(b)
	for i := range 10000 {
		in.Record(resilience.EventSuccess, time.Duration(i)*time.Microsecond)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = in.Snapshot()
	}
}
