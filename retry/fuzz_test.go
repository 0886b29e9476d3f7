package retry

import (
	"math"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func FuzzBackoff(f *testing.F) {
	f.Add("full_jitter", int64(100*time.Millisecond), int64(10*time.Second), 2.0, 3, int64(0), 0.5)
	f.Add("exponential", int64(time.Hour), int64(math.MaxInt64), 10.0, math.MaxInt, int64(0), 0.0)
	f.Add("decorrelated_jitter", int64(1), int64(math.MaxInt64), 0.0, 7, int64(math.MaxInt64), 0.999)
	f.Add("constant", int64(-5), int64(-1), math.NaN(), -3, int64(-9), math.Inf(-1))
	f.Add("none", int64(5), int64(0), math.Inf(1), 0, int64(0), 2.0)
	f.Fuzz(func(t *testing.T, kind string, initial, maxD int64, mult float64, n int, prev int64, u float64) {
		b := BackoffConfig{Kind: BackoffKind(kind), Initial: time.Duration(initial), Max: time.Duration(maxD), Multiplier: mult}
		d := b.Delay(n, time.Duration(prev), u)
		capD := b.Cap()
		if capD < 0 {
			t.Fatalf("%+v.Cap() = %v < 0", b, capD)
		}
		if d < 0 || d > capD {
			t.Fatalf("%+v.Delay(%d, %d, %v) = %v want in [0, %v]", b, n, prev, u, d, capD)
		}
		if b.Validate() != nil {
			return
		}
		// For valid configs the deterministic strategies grow monotonically.
		if (b.Kind == BackoffExponential || b.Kind == BackoffConstant) && n >= 1 && n < math.MaxInt {
			if next := b.Delay(n+1, d, u); next < d {
				t.Fatalf("%+v.Delay(%d) = %v < Delay(%d) = %v", b, n+1, next, n, d)
			}
		}
		if b.Kind == BackoffDecorrelatedJitter && d < min(b.initial(), capD) {
			t.Fatalf("%+v.Delay(%d, %d, %v) = %v below the floor", b, n, prev, u, d)
		}
	})
}

func FuzzAttemptFromHeader(f *testing.F) {
	for _, s := range []string{"1", "2", " 3\t", "0", "-1", "+2", "1048576", "1048577", "", "x", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h := http.Header{AttemptHeader: {s}}
		n, ok := AttemptFromHeader(h)
		if !ok {
			if n != 0 {
				t.Fatalf("AttemptFromHeader(%q) = %d, false want 0", s, n)
			}
			return
		}
		if n < 1 || n > maxHeaderAttempt {
			t.Fatalf("AttemptFromHeader(%q) = %d out of range", s, n)
		}
		// What parses is a decimal number, and it round-trips.
		h2 := http.Header{AttemptHeader: {strconv.Itoa(n)}}
		if m, ok := AttemptFromHeader(h2); !ok || m != n {
			t.Fatalf("round trip of %d = %d, %v", n, m, ok)
		}
	})
}

func FuzzConfig(f *testing.F) {
	f.Add(3, int64(0), "", int64(0), int64(0), 0.0)
	f.Add(-1, int64(-1), "fibonacci", int64(-1), int64(-1), -1.0)
	f.Add(10, int64(time.Second), "decorrelated_jitter", int64(time.Second), int64(time.Millisecond), math.NaN())
	f.Fuzz(func(t *testing.T, attempts int, elapsed int64, kind string, initial, maxD int64, mult float64) {
		cfg := Config{
			MaxAttempts: attempts, MaxElapsed: time.Duration(elapsed),
			Backoff: BackoffConfig{Kind: BackoffKind(kind), Initial: time.Duration(initial), Max: time.Duration(maxD), Multiplier: mult},
		}
		err := cfg.Validate()
		p, nerr := New(cfg)
		if (err == nil) != (nerr == nil) || (p == nil) == (nerr == nil) {
			t.Fatalf("Validate() = %v but New() = %v, %v", err, p, nerr)
		}
		if err != nil {
			return
		}
		if p.maxAttempts < 1 || p.capDelay < 0 {
			t.Fatalf("New(%+v) has %d attempts, cap %v", cfg, p.maxAttempts, p.capDelay)
		}
	})
}

func FuzzBudgetConfig(f *testing.F) {
	f.Add(0.2, 10.0, int64(10*time.Second))
	f.Add(-1.0, math.NaN(), int64(-1))
	f.Add(math.MaxFloat64, math.MaxFloat64, int64(math.MaxInt64))
	f.Fuzz(func(t *testing.T, ratio, minPerSecond float64, window int64) {
		cfg := BudgetConfig{Ratio: ratio, MinPerSecond: minPerSecond, Window: time.Duration(window)}
		err := cfg.Validate()
		b, nerr := NewBudget(cfg)
		if (err == nil) != (nerr == nil) || (b == nil) == (nerr == nil) {
			t.Fatalf("Validate() = %v but NewBudget() = %v, %v", err, b, nerr)
		}
		if err != nil {
			return
		}
		b.Request()
		b.TryRetry()
		if st := b.Stats(); st.Requests != 1 || st.Available < 0 || math.IsNaN(st.Available) {
			t.Fatalf("Stats() = %+v after one request", st)
		}
		if a := b.Available(); a < 0 {
			t.Fatalf("Available() = %d", a)
		}
	})
}
