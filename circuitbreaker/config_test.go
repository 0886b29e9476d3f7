package circuitbreaker

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name  string
		cfg   Config
		field string // "" means valid
	}{
		{"zero", Config{}, ""},
		{"default", DefaultConfig(), ""},
		{"mode", Config{Mode: 7}, "Mode"},
		{"consecutive-negative", Config{ConsecutiveFailures: -1}, "ConsecutiveFailures"},
		{"failure-rate-negative", Config{FailureRateThreshold: -1}, "FailureRateThreshold"},
		{"failure-rate-over-100", Config{FailureRateThreshold: 100.5}, "FailureRateThreshold"},
		{"failure-rate-nan", Config{FailureRateThreshold: nan}, "FailureRateThreshold"},
		{"failure-rate-inf", Config{FailureRateThreshold: math.Inf(1)}, "FailureRateThreshold"},
		{"failure-rate-100", Config{FailureRateThreshold: 100}, ""},
		{"slow-rate-nan", Config{SlowCallRateThreshold: nan, SlowCallDuration: time.Second}, "SlowCallRateThreshold"},
		{"slow-rate-without-duration", Config{SlowCallRateThreshold: 10}, "SlowCallDuration"},
		{"slow-duration-negative", Config{SlowCallDuration: -1}, "SlowCallDuration"},
		{"slow-duration-alone", Config{SlowCallDuration: time.Second}, ""},
		{"minimum-calls-negative", Config{MinimumCalls: -1}, "MinimumCalls"},
		{"window-type", Config{WindowType: 3}, "WindowType"},
		{"window-size-negative", Config{WindowSize: -5}, "WindowSize"},
		{"window-size-huge", Config{WindowSize: 1 << 21}, "WindowSize"},
		{"window-buckets-negative", Config{WindowBuckets: -1}, "WindowBuckets"},
		{"window-buckets-huge", Config{WindowBuckets: 5000}, "WindowBuckets"},
		{"window-duration-negative", Config{WindowDuration: -time.Second}, "WindowDuration"},
		{"time-buckets-too-fine", Config{WindowType: WindowTime, WindowDuration: 5 * time.Millisecond, WindowBuckets: 10}, "WindowDuration"},
		{"count-buckets-fine-ok", Config{WindowDuration: 5 * time.Millisecond, WindowBuckets: 10}, ""},
		{"adaptive-window-too-fine", Config{Mode: ModeAdaptive, AdaptiveWindow: time.Millisecond}, "AdaptiveWindow"},
		{"reset-interval-negative", Config{ResetInterval: -1}, "ResetInterval"},
		{"open-negative", Config{OpenDuration: -1}, "OpenDuration"},
		{"max-open-negative", Config{MaxOpenDuration: -1}, "MaxOpenDuration"},
		{"max-open-below-open", Config{OpenDuration: time.Minute, MaxOpenDuration: time.Second}, "MaxOpenDuration"},
		{"max-open-below-default-open", Config{MaxOpenDuration: time.Second}, "MaxOpenDuration"},
		{"open-huge", Config{OpenDuration: math.MaxInt64}, ""},
		{"multiplier-below-1", Config{OpenBackoffMultiplier: 0.5}, "OpenBackoffMultiplier"},
		{"multiplier-negative", Config{OpenBackoffMultiplier: -2}, "OpenBackoffMultiplier"},
		{"multiplier-nan", Config{OpenBackoffMultiplier: nan}, "OpenBackoffMultiplier"},
		{"multiplier-inf", Config{OpenBackoffMultiplier: math.Inf(1)}, "OpenBackoffMultiplier"},
		{"multiplier-1", Config{OpenBackoffMultiplier: 1}, ""},
		{"jitter-negative", Config{OpenJitter: -0.1}, "OpenJitter"},
		{"jitter-over-1", Config{OpenJitter: 1.5}, "OpenJitter"},
		{"jitter-nan", Config{OpenJitter: nan}, "OpenJitter"},
		{"jitter-1", Config{OpenJitter: 1}, ""},
		{"probes-negative", Config{HalfOpenProbes: -1}, "HalfOpenProbes"},
		{"half-open-wait-negative", Config{HalfOpenMaxWait: -1}, "HalfOpenMaxWait"},
		{"k-below-1", Config{AdaptiveK: 0.5}, "AdaptiveK"},
		{"k-nan", Config{AdaptiveK: nan}, "AdaptiveK"},
		{"k-inf", Config{AdaptiveK: math.Inf(1)}, "AdaptiveK"},
		{"adaptive-window-negative", Config{AdaptiveWindow: -1}, "AdaptiveWindow"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v want nil", err)
				}
				b, err := New(tt.cfg)
				if err != nil || b == nil {
					t.Fatalf("New() = %v, %v want a breaker", b, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil want an error naming %s", tt.field)
			}
			if !strings.HasPrefix(err.Error(), "circuitbreaker: "+tt.field) && !strings.Contains(err.Error(), " "+tt.field+" ") {
				t.Errorf("Validate() = %q want it to name %s", err, tt.field)
			}
			if b, nerr := New(tt.cfg); b != nil || nerr == nil || nerr.Error() != err.Error() {
				t.Errorf("New() = %v, %v want nil, %v", b, nerr, err)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	c := Config{}.withDefaults()
	d := DefaultConfig()
	if c.MinimumCalls != d.MinimumCalls || c.WindowSize != d.WindowSize || c.WindowDuration != d.WindowDuration ||
		c.WindowBuckets != d.WindowBuckets || c.OpenDuration != d.OpenDuration || c.OpenBackoffMultiplier != d.OpenBackoffMultiplier ||
		c.HalfOpenProbes != d.HalfOpenProbes || c.AdaptiveK != d.AdaptiveK || c.AdaptiveWindow != d.AdaptiveWindow {
		t.Errorf("zero defaults %+v disagree with DefaultConfig %+v", c, d)
	}
	if c.MaxOpenDuration != 10*c.OpenDuration {
		t.Errorf("default MaxOpenDuration = %v want %v", c.MaxOpenDuration, 10*c.OpenDuration)
	}
	huge := Config{OpenDuration: math.MaxInt64 / 2}.withDefaults()
	if huge.MaxOpenDuration != math.MaxInt64 {
		t.Errorf("MaxOpenDuration for huge OpenDuration = %v want MaxInt64 (no overflow)", huge.MaxOpenDuration)
	}
}
