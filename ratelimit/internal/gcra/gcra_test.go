package gcra

import (
	"math"
	"testing"
)

const maxI, minI = math.MaxInt64, math.MinInt64

func TestSaturatingArithmetic(t *testing.T) {
	tests := []struct {
		name    string
		f       func(a, b int64) int64
		a, b, w int64
	}{
		{"add", Add, 1, 2, 3},
		{"add-max", Add, maxI, 1, maxI},
		{"add-min", Add, minI, -1, minI},
		{"add-mixed", Add, maxI, minI, -1},
		{"sub", Sub, 5, 7, -2},
		{"sub-max", Sub, maxI, -1, maxI},
		{"sub-min", Sub, minI, 1, minI},
		{"sub-zero-min", Sub, 0, minI, maxI},
		{"mul", Mul, 6, 7, 42},
		{"mul-max", Mul, maxI, 2, maxI},
		{"mul-big", Mul, 1 << 32, 1 << 31, maxI}, // 2^63 overflows
		{"mul-negative", Mul, -3, 7, 0},
	}
	for _, tt := range tests {
		if got := tt.f(tt.a, tt.b); got != tt.w {
			t.Errorf("%s(%d, %d) = %d want %d", tt.name, tt.a, tt.b, got, tt.w)
		}
	}
	for _, tt := range []struct {
		f float64
		w int64
	}{{math.NaN(), 0}, {math.Inf(1), maxI}, {math.Inf(-1), minI}, {1e300, maxI}, {2.5, 3}, {-2.5, -3}, {0.4, 0}} {
		if got := FromFloat(tt.f); got != tt.w {
			t.Errorf("FromFloat(%v) = %d want %d", tt.f, got, tt.w)
		}
	}
}

func TestNewParams(t *testing.T) {
	tests := []struct {
		iv, burst, slack int64
		want             Params
	}{
		{100, 3, 0, Params{100, 3, 300}},
		{100, 3, 1000, Params{100, 3, 1000}},
		{0, 0, -5, Params{1, 1, 1}},
		{maxI, maxI, 0, Params{maxI, maxI, maxI}},
	}
	for _, tt := range tests {
		if got := NewParams(tt.iv, tt.burst, tt.slack); got != tt.want {
			t.Errorf("NewParams(%d, %d, %d) = %+v want %+v", tt.iv, tt.burst, tt.slack, got, tt.want)
		}
	}
}

func TestReserve(t *testing.T) {
	p := NewParams(10, 3, 0) // one per 10ns, burst 3: tolerance 30
	tests := []struct {
		name        string
		tat, now, n int64
		maxWait     int64
		want        Decision
	}{
		{"full", 0, 100, 1, 0, Decision{true, 110, 0}},
		{"full-burst", 0, 100, 3, 0, Decision{true, 130, 0}},
		{"above-burst", 0, 100, 4, maxI, Decision{false, 0, Never}},
		{"negative", 0, 100, -1, 0, Decision{false, 0, Never}},
		{"zero", 555, 100, 0, 0, Decision{true, 555, 0}},
		{"empty", 130, 100, 1, 0, Decision{false, 130, 10}},
		{"empty-reserve", 130, 100, 1, 10, Decision{true, 140, 10}},
		{"partly", 115, 100, 1, 0, Decision{true, 125, 0}},
		{"partly-two", 115, 100, 2, 0, Decision{false, 115, 5}},
		{"far-future", maxI - 5, 100, 1, maxI, Decision{true, maxI, maxI - 130}},
		{"huge-now", 0, maxI, 1, 0, Decision{true, maxI, 0}},
	}
	for _, tt := range tests {
		if got := Reserve(p, tt.tat, tt.now, tt.n, tt.maxWait); got != tt.want {
			t.Errorf("%s: Reserve(tat %d, now %d, n %d, max %d) = %+v want %+v", tt.name, tt.tat, tt.now, tt.n, tt.maxWait, got, tt.want)
		}
	}
}

func TestRemainingAndReset(t *testing.T) {
	p := NewParams(10, 3, 0)
	tests := []struct{ tat, now, rem, reset int64 }{
		{0, 100, 3, 0}, {105, 100, 2, 5}, {110, 100, 2, 10}, {111, 100, 1, 11}, {130, 100, 0, 30}, {500, 100, 0, 400},
	}
	for _, tt := range tests {
		if got := Remaining(p, tt.tat, tt.now); got != tt.rem {
			t.Errorf("Remaining(tat %d, now %d) = %d want %d", tt.tat, tt.now, got, tt.rem)
		}
		if got := ResetAfter(tt.tat, tt.now); got != tt.reset {
			t.Errorf("ResetAfter(tat %d, now %d) = %d want %d", tt.tat, tt.now, got, tt.reset)
		}
	}
}

func TestConvert(t *testing.T) {
	slow, fast := NewParams(10, 3, 0), NewParams(5, 3, 0)
	big := NewParams(10, 6, 0)
	tests := []struct {
		name     string
		from, to Params
		tat, now int64
		want     int64
	}{
		{"full-stays-full", slow, fast, 0, 100, 0},
		{"one-used", slow, fast, 110, 100, 105},
		{"bigger-burst-no-windfall", slow, big, 0, 100, 130},
		{"smaller-burst-caps", big, slow, 0, 100, 0},
		{"debt-beyond-tolerance", slow, fast, 150, 100, 125},
	}
	for _, tt := range tests {
		if got := Convert(tt.from, tt.to, tt.tat, tt.now); got != tt.want {
			t.Errorf("%s: Convert(tat %d, now %d) = %d want %d", tt.name, tt.tat, tt.now, got, tt.want)
		}
	}
}

func TestRefund(t *testing.T) {
	p := NewParams(10, 1, 0)
	tests := []struct {
		name                       string
		tat, now, act, reserved, n int64
		want                       int64
	}{
		{"whole", 120, 100, 110, 120, 1, 110},
		{"acted", 120, 111, 110, 120, 1, 120},
		{"later-reservation", 130, 100, 110, 120, 1, 130},
		{"already-refunded", 110, 100, 110, 120, 1, 110},
		{"clamped-at-now", 120, 105, 110, 120, 3, 105},
		{"zero-n", 120, 100, 110, 120, 0, 120},
	}
	for _, tt := range tests {
		if got := Refund(p, tt.tat, tt.now, tt.act, tt.reserved, tt.n); got != tt.want {
			t.Errorf("%s: Refund = %d want %d", tt.name, got, tt.want)
		}
	}
}
