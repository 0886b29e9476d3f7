package stats_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/resilience-go/resilience/stats"
)

// exactQuantile is the nearest-rank q-quantile of sorted values.
func exactQuantile(sorted []int64, q float64) int64 {
	rank := int(math.Ceil(q * float64(len(sorted))))
	rank = max(1, min(rank, len(sorted)))
	return sorted[rank-1]
}

func relErr(got, want int64) float64 {
	if want == 0 {
		return math.Abs(float64(got))
	}
	return math.Abs(float64(got-want)) / float64(want)
}

func TestHistogramQuantilesWithinBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name string
		gen  func() int64
	}{
		{"uniform-0-100ms", func() int64 { return rng.Int64N(int64(100 * time.Millisecond)) }},
		{"uniform-0-200ns", func() int64 { return rng.Int64N(200) }},
		{"lognormal-median-5ms", func() int64 {
			return int64(math.Exp(rng.NormFloat64()*1.2 + math.Log(float64(5*time.Millisecond))))
		}},
		{"lognormal-median-50us-wide", func() int64 {
			return int64(math.Exp(rng.NormFloat64()*2.5 + math.Log(float64(50*time.Microsecond))))
		}},
		{"exponential-mean-20ms", func() int64 { return int64(rng.ExpFloat64() * float64(20*time.Millisecond)) }},
	}
	quantiles := []float64{0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h stats.Histogram
			vals := make([]int64, 100_000)
			for i := range vals {
				vals[i] = tt.gen()
				h.Record(time.Duration(vals[i]))
			}
			slices.Sort(vals)
			s := h.Snapshot()
			if s.Total() != uint64(len(vals)) {
				t.Fatalf("Total() = %d want %d", s.Total(), len(vals))
			}
			if s.Max() != time.Duration(vals[len(vals)-1]) {
				t.Fatalf("Max() = %v want %v", s.Max(), time.Duration(vals[len(vals)-1]))
			}
			for _, q := range quantiles {
				want := exactQuantile(vals, q)
				got := int64(s.Quantile(q))
				if e := relErr(got, want); e > stats.RelativeError {
					t.Errorf("Quantile(%v) = %d want %d ± %.2f%% (error %.3f%%)", q, got, want, stats.RelativeError*100, e*100)
				}
			}
			var sum float64
			for _, v := range vals {
				sum += float64(v)
			}
			if e := math.Abs(float64(s.Sum())-sum) / sum; e > stats.RelativeError {
				t.Errorf("Sum() = %v want %v (error %.3f%%)", s.Sum(), time.Duration(sum), e*100)
			}
		})
	}
}

func TestHistogramCumulative(t *testing.T) {
	var h stats.Histogram
	for _, d := range []time.Duration{0, 5, 900 * time.Microsecond, time.Millisecond, 3 * time.Millisecond, time.Second, time.Hour} {
		h.Record(d)
	}
	s := h.Snapshot()
	bounds := []time.Duration{0, 10, time.Millisecond, 5 * time.Millisecond, 10 * time.Second, 24 * time.Hour}
	want := []uint64{1, 2, 4, 5, 6, 7}
	got := s.Cumulative(bounds)
	if !slices.Equal(got, want) {
		t.Fatalf("Cumulative(%v) = %v want %v", bounds, got, want)
	}
	for i, b := range bounds {
		if n := s.CountAtOrBelow(b); n != want[i] {
			t.Errorf("CountAtOrBelow(%v) = %d want %d", b, n, want[i])
		}
	}
}

func TestHistogramEdges(t *testing.T) {
	tests := []struct {
		name   string
		record []time.Duration
		q      float64
		want   time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"negative-counts-as-zero", []time.Duration{-5}, 1, 0},
		{"exact-below-64ns", []time.Duration{63}, 0.5, 63},
		{"beyond-range-clamped-to-max", []time.Duration{1000 * time.Hour}, 0.99, 1000 * time.Hour},
		{"nan-quantile", []time.Duration{time.Second}, math.NaN(), 0},
		{"q-above-one", []time.Duration{time.Millisecond}, 2, time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h stats.Histogram
			for _, d := range tt.record {
				h.Record(d)
			}
			if got := h.Snapshot().Quantile(tt.q); got != tt.want {
				t.Fatalf("Quantile(%v) = %v want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestHistogramSub(t *testing.T) {
	var h stats.Histogram
	for range 100 {
		h.Record(time.Second)
	}
	base := h.Snapshot()
	for range 10 {
		h.Record(time.Millisecond)
	}
	d := h.Snapshot().Sub(base)
	if d.Total() != 10 {
		t.Fatalf("Sub().Total() = %d want 10", d.Total())
	}
	if got := d.Quantile(0.99); relErr(int64(got), int64(time.Millisecond)) > stats.RelativeError {
		t.Fatalf("Sub().Quantile(0.99) = %v want ~1ms", got)
	}
	if d := h.Snapshot().Sub(stats.HistogramSnapshot{}); d.Total() != 110 {
		t.Fatalf("Sub(zero).Total() = %d want 110", d.Total())
	}
}

func FuzzHistogram(f *testing.F) {
	f.Add(int64(0), int64(1), int64(2))
	f.Add(int64(63), int64(64), int64(65))
	f.Add(int64(1<<40), int64(-1), int64(1e9))
	f.Fuzz(func(t *testing.T, a, b, c int64) {
		var h stats.Histogram
		vals := []int64{a, b, c}
		for _, v := range vals {
			h.Record(time.Duration(v))
		}
		for i, v := range vals {
			vals[i] = max(v, 0)
		}
		slices.Sort(vals)
		s := h.Snapshot()
		for _, q := range []float64{0, 0.5, 1} {
			want := exactQuantile(vals, q)
			got := int64(s.Quantile(q))
			if want >= 1<<40 {
				if got > vals[2] || got < 1<<40 {
					t.Fatalf("Quantile(%v) of %v = %d want in [2^40, max]", q, vals, got)
				}
				continue
			}
			if relErr(got, want) > stats.RelativeError {
				t.Fatalf("Quantile(%v) of %v = %d want %d", q, vals, got, want)
			}
		}
	})
}
