package gcra

import (
	"math"
	"testing"
)

// FuzzReserve: for any parameters, state, instant and count, the
// arithmetic saturates instead of wrapping and keeps its invariants.
func FuzzReserve(f *testing.F) {
	f.Add(int64(10), int64(3), int64(0), int64(0), int64(100), int64(1), int64(0))
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64), int64(0), int64(math.MaxInt64), int64(math.MaxInt64), int64(math.MaxInt64), int64(math.MaxInt64))
	f.Add(int64(1), int64(1), int64(1e6), int64(math.MinInt64), int64(math.MinInt64), int64(1), int64(-1))
	f.Add(int64(-5), int64(-5), int64(-5), int64(-5), int64(-5), int64(-5), int64(-5))
	f.Fuzz(func(t *testing.T, iv, burst, slack, tat, now, n, maxWait int64) {
		p := NewParams(iv, burst, slack)
		if p.Interval < 1 || p.Burst < 1 || p.Tolerance < p.Interval {
			t.Fatalf("NewParams(%d, %d, %d) = %+v", iv, burst, slack, p)
		}
		d := Reserve(p, tat, now, n, maxWait)
		if d.Wait < 0 {
			t.Fatalf("Reserve wait %d < 0", d.Wait)
		}
		if !d.Allowed && d.TAT != tat {
			t.Fatalf("refused Reserve changed the state %d to %d", tat, d.TAT)
		}
		if d.Allowed && n > 0 {
			if d.TAT < tat || d.TAT < now {
				t.Fatalf("admitted Reserve moved the state back: tat %d now %d → %d", tat, now, d.TAT)
			}
			if n > p.Burst {
				t.Fatalf("admitted %d above burst %d", n, p.Burst)
			}
			if d.Wait > max(maxWait, 0) {
				t.Fatalf("admitted with wait %d above max %d", d.Wait, maxWait)
			}
		}
		if a := Allow(p, tat, now, n); a.Allowed && a.Wait != 0 {
			t.Fatalf("Allow admitted with a wait: %+v", a)
		}
		if r := Remaining(p, tat, now); r < 0 || r > p.Burst {
			t.Fatalf("Remaining = %d outside [0, %d]", r, p.Burst)
		}
		if r := ResetAfter(tat, now); r < 0 {
			t.Fatalf("ResetAfter = %d", r)
		}
		q := NewParams(burst, iv, slack/2)
		c := Convert(p, q, tat, now)
		if before, after := avail(p, tat, now), avail(q, c, now); after > max(before, 0)+1 {
			t.Fatalf("Convert added events: %d → %d", before, after)
		}
		if rf := Refund(p, tat, now, maxWait, d.TAT, n); rf > tat {
			t.Fatalf("Refund raised the state %d to %d", tat, rf)
		}
	})
}

// avail is how many events fit under the tolerance, uncapped by the burst.
func avail(p Params, tat, now int64) int64 {
	return Sub(p.Tolerance, max(Sub(tat, now), 0)) / p.Interval
}
