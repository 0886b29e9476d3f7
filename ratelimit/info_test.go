package ratelimit

import (
	"testing"
	"time"

	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

func TestLimiterInfo(t *testing.T) {
	lim, clk := newLimiter(t, Config{Rate: 10, Burst: 5})
	tests := []struct {
		name    string
		advance time.Duration
		n       int
		want    Info
	}{
		{"first", 0, 1, Info{Allowed: true, Limit: 5, Remaining: 4, Reset: 100 * ms, Window: 500 * ms}},
		{"rest-of-burst", 0, 4, Info{Allowed: true, Limit: 5, Remaining: 0, Reset: 500 * ms, Window: 500 * ms}},
		{"refused", 0, 1, Info{Allowed: false, Limit: 5, Remaining: 0, Reset: 500 * ms, RetryAfter: 100 * ms, Window: 500 * ms}},
		{"refused-n2", 50 * ms, 2, Info{Allowed: false, Limit: 5, Remaining: 0, Reset: 450 * ms, RetryAfter: 150 * ms, Window: 500 * ms}},
		{"refilled-one", 50 * ms, 1, Info{Allowed: true, Limit: 5, Remaining: 0, Reset: 500 * ms, Window: 500 * ms}},
		{"above-burst", 0, 6, Info{Allowed: false, Limit: 5, Remaining: 0, Reset: 500 * ms, RetryAfter: gcra.Never, Window: 500 * ms}},
		{"much-later", time.Minute, 0, Info{Allowed: true, Limit: 5, Remaining: 5, Reset: 0, Window: 500 * ms}},
	}
	for _, tt := range tests {
		clk.Advance(tt.advance)
		if got := lim.AllowInfoN(tt.n); got != tt.want {
			t.Errorf("%s: lim.AllowInfoN(%v) = %+v want %+v", tt.name, tt.n, got, tt.want)
		}
	}
}

func TestLimiterInfoPeek(t *testing.T) {
	lim, _ := newLimiter(t, Config{Rate: 10, Burst: 2})
	lim.AllowN(2)
	want := Info{Allowed: false, Limit: 2, Remaining: 0, Reset: 200 * ms, RetryAfter: 100 * ms, Window: 200 * ms}
	for range 3 { // peeking counts nothing
		if got := lim.Info(); got != want {
			t.Errorf("lim.Info() = %+v want %+v", got, want)
		}
	}
}

func TestInfoSeconds(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want int64
	}{
		{0, 0}, {-time.Second, 0}, {1, 1}, {time.Second, 1}, {time.Second + 1, 2}, {90 * time.Second, 90},
	}
	for _, tt := range tests {
		i := Info{Reset: tt.d, RetryAfter: tt.d, Window: tt.d}
		if i.ResetSeconds() != tt.want || i.RetryAfterSeconds() != tt.want || i.WindowSeconds() != tt.want {
			t.Errorf("seconds of %v = %d, %d, %d want %d", tt.d, i.ResetSeconds(), i.RetryAfterSeconds(), i.WindowSeconds(), tt.want)
		}
	}
}
