package retry

import (
	"math"
	"testing"
	"time"
)

func TestBackoffDelay(t *testing.T) {
	const ms = time.Millisecond
	exp := BackoffConfig{Kind: BackoffExponential, Initial: 100 * ms, Max: time.Second, Multiplier: 2}
	full := BackoffConfig{Kind: BackoffFullJitter, Initial: 100 * ms, Max: time.Second, Multiplier: 2}
	dec := BackoffConfig{Kind: BackoffDecorrelatedJitter, Initial: 100 * ms, Max: time.Second}
	tests := []struct {
		name string
		b    BackoffConfig
		n    int
		prev time.Duration
		u    float64
		want time.Duration
	}{
		{"exponential-1", exp, 1, 0, 0.5, 100 * ms},
		{"exponential-2", exp, 2, 0, 0.5, 200 * ms},
		{"exponential-4", exp, 4, 0, 0.5, 800 * ms},
		{"exponential-capped", exp, 5, 0, 0.5, time.Second},
		{"exponential-huge-n", exp, math.MaxInt, 0, 0.5, time.Second},
		{"exponential-n0-is-1", exp, 0, 0, 0.5, 100 * ms},
		{"exponential-negative-n", exp, -5, 0, 0.5, 100 * ms},
		{"exponential-multiplier-1.5", BackoffConfig{Kind: BackoffExponential, Initial: 100 * ms, Max: time.Second, Multiplier: 1.5}, 3, 0, 0, 225 * ms},
		{"full-jitter-half", full, 3, 0, 0.5, 200 * ms},
		{"full-jitter-zero", full, 3, 0, 0, 0},
		{"full-jitter-capped", full, 10, 0, 0.25, 250 * ms},
		{"full-jitter-u-nan", full, 1, 0, math.NaN(), 0},
		{"full-jitter-u-negative", full, 1, 0, -3, 0},
		{"full-jitter-u-one", full, 1, 0, 1, 100*ms - 1},
		{"decorrelated-first", dec, 1, 0, 0.5, 200 * ms},                  // [100ms, 300ms)
		{"decorrelated-prev", dec, 2, 200 * ms, 0.5, 350 * ms},            // [100ms, 600ms)
		{"decorrelated-capped", dec, 9, 900 * ms, 0.5, 550 * ms},          // [100ms, 1s)
		{"decorrelated-u0-floor", dec, 9, 900 * ms, 0, 100 * ms},          // the floor
		{"decorrelated-huge-prev", dec, 9, math.MaxInt64, 0.99, 991 * ms}, // no overflow
		{"constant", BackoffConfig{Kind: BackoffConstant, Initial: 300 * ms}, 7, 0, 0.9, 300 * ms},
		{"constant-capped", BackoffConfig{Kind: BackoffConstant, Initial: 3 * time.Second, Max: time.Second}, 1, 0, 0, time.Second},
		{"none", BackoffConfig{Kind: BackoffNone, Initial: time.Second}, 3, 0, 0.5, 0},
		{"zero-config-is-full-jitter", BackoffConfig{}, 2, 0, 0.5, 100 * ms},
		{"zero-max-defaults-to-10s", BackoffConfig{Kind: BackoffExponential}, 30, 0, 0, 10 * time.Second},
		{"zero-max-follows-large-initial", BackoffConfig{Kind: BackoffExponential, Initial: time.Minute}, 30, 0, 0, time.Minute},
		{"max-int64-cap", BackoffConfig{Kind: BackoffExponential, Initial: time.Hour, Max: math.MaxInt64, Multiplier: 10}, 100, 0, 0, math.MaxInt64},
		{"invalid-negative-initial", BackoffConfig{Kind: BackoffExponential, Initial: -time.Second, Max: time.Second}, 3, 0, 0, 0},
		{"invalid-nan-multiplier", BackoffConfig{Kind: BackoffExponential, Initial: 100 * ms, Multiplier: math.NaN()}, 3, 0, 0, 100 * ms},
		{"invalid-negative-multiplier", BackoffConfig{Kind: BackoffExponential, Initial: 100 * ms, Multiplier: -2}, 4, 0, 0, 100 * ms},
		{"inf-multiplier", BackoffConfig{Kind: BackoffExponential, Initial: 100 * ms, Max: time.Second, Multiplier: math.Inf(1)}, 2, 0, 0, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.b.Delay(tt.n, tt.prev, tt.u); got != tt.want {
				t.Errorf("%+v.Delay(%v, %v, %v) = %v want %v", tt.b, tt.n, tt.prev, tt.u, got, tt.want)
			}
		})
	}
}

func TestBackoffExponentialSequence(t *testing.T) {
	b := BackoffConfig{Kind: BackoffExponential, Initial: time.Second, Max: time.Minute, Multiplier: 2}
	want := []time.Duration{1, 2, 4, 8, 16, 32, 60, 60}
	for n, w := range want {
		if got := b.Delay(n+1, 0, 0); got != w*time.Second {
			t.Errorf("Delay(%d) = %v want %v", n+1, got, w*time.Second)
		}
	}
}

func TestBackoffValidate(t *testing.T) {
	tests := []struct {
		name    string
		b       BackoffConfig
		wantErr bool
	}{
		{"zero", BackoffConfig{}, false},
		{"defaults", DefaultBackoffConfig(), false},
		{"every-kind", BackoffConfig{Kind: BackoffDecorrelatedJitter}, false},
		{"none", BackoffConfig{Kind: BackoffNone}, false},
		{"unknown-kind", BackoffConfig{Kind: "fibonacci"}, true},
		{"negative-initial", BackoffConfig{Initial: -1}, true},
		{"negative-max", BackoffConfig{Max: -1}, true},
		{"max-below-initial", BackoffConfig{Initial: 2 * time.Second, Max: time.Second}, true},
		{"multiplier-below-1", BackoffConfig{Multiplier: 0.5}, true},
		{"multiplier-negative", BackoffConfig{Multiplier: -2}, true},
		{"multiplier-nan", BackoffConfig{Multiplier: math.NaN()}, true},
		{"multiplier-inf", BackoffConfig{Multiplier: math.Inf(1)}, true},
		{"multiplier-1", BackoffConfig{Multiplier: 1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.b.Validate(); (err != nil) != tt.wantErr {
				t.Errorf("%+v.Validate() = %v want error %v", tt.b, err, tt.wantErr)
			}
		})
	}
}
