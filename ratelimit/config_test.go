package ratelimit

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string // "" means valid
	}{
		{"minimal", Config{Rate: 1}, ""},
		{"per-minute", Config{Rate: 100, Per: time.Minute, Burst: 10}, ""},
		{"unlimited", Config{Unlimited: true}, ""},
		{"warm-up", Config{Rate: 10, WarmUp: time.Second, ColdFactor: 1}, ""},
		{"one-per-ns", Config{Rate: 1e9}, ""},
		{"default-helper", DefaultConfig(5), ""},
		{"zero", Config{}, "Rate"},
		{"negative-rate", Config{Rate: -1}, "Rate"},
		{"nan-rate", Config{Rate: math.NaN()}, "Rate"},
		{"inf-rate", Config{Rate: math.Inf(1)}, "Rate"},
		{"too-fast", Config{Rate: 1e10}, "Rate"},
		{"too-slow", Config{Rate: 1e-300}, "Rate"},
		{"negative-per", Config{Rate: 1, Per: -time.Second}, "Per"},
		{"negative-burst", Config{Rate: 1, Burst: -1}, "Burst"},
		{"negative-warm-up", Config{Rate: 1, WarmUp: -1}, "WarmUp"},
		{"warm-up-unlimited", Config{Unlimited: true, WarmUp: time.Second}, "WarmUp"},
		{"cold-below-1", Config{Rate: 1, ColdFactor: 0.5}, "ColdFactor"},
		{"cold-nan", Config{Rate: 1, ColdFactor: math.NaN()}, "ColdFactor"},
		{"cold-inf", Config{Rate: 1, ColdFactor: math.Inf(1)}, "ColdFactor"},
		{"unlimited-bad-rate", Config{Unlimited: true, Rate: -1}, "Rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValidate(t, tt.cfg.Validate(), tt.field)
			_, err := New(tt.cfg)
			checkValidate(t, err, tt.field)
		})
	}
}

func TestWindowConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   WindowConfig
		field string
	}{
		{"valid", WindowConfig{Limit: 10, Window: time.Minute}, ""},
		{"default-window", WindowConfig{Limit: 1}, ""},
		{"zero", WindowConfig{}, "Limit"},
		{"negative-limit", WindowConfig{Limit: -1}, "Limit"},
		{"negative-window", WindowConfig{Limit: 1, Window: -1}, "Window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValidate(t, tt.cfg.Validate(), tt.field)
			_, err := NewSlidingWindow(tt.cfg)
			checkValidate(t, err, tt.field)
		})
	}
}

func TestKeyedConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   KeyedConfig
		field string
	}{
		{"valid", KeyedConfig{Rate: 10, MaxKeys: 10, IdleTimeout: time.Minute}, ""},
		{"defaults", KeyedConfig{Rate: 1}, ""},
		{"zero", KeyedConfig{}, "Rate"},
		{"nan-rate", KeyedConfig{Rate: math.NaN()}, "Rate"},
		{"negative-per", KeyedConfig{Rate: 1, Per: -1}, "Per"},
		{"negative-burst", KeyedConfig{Rate: 1, Burst: -2}, "Burst"},
		{"negative-max-keys", KeyedConfig{Rate: 1, MaxKeys: -1}, "MaxKeys"},
		{"negative-idle", KeyedConfig{Rate: 1, IdleTimeout: -1}, "IdleTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValidate(t, tt.cfg.Validate(), tt.field)
			_, err := NewKeyed(tt.cfg)
			checkValidate(t, err, tt.field)
		})
	}
}

func checkValidate(t *testing.T, err error, field string) {
	t.Helper()
	switch {
	case field == "" && err != nil:
		t.Errorf("Validate() = %v want nil", err)
	case field != "" && err == nil:
		t.Errorf("Validate() = nil want an error naming %s", field)
	case field != "" && (!strings.HasPrefix(err.Error(), "ratelimit: "+field+" ")):
		t.Errorf("Validate() = %q want it to start with %q", err, "ratelimit: "+field+" ")
	}
}

func TestDefaultBurst(t *testing.T) {
	tests := []struct {
		rate float64
		want int64
	}{{0.1, 1}, {1, 1}, {2.5, 3}, {100, 100}, {1e9, 1e9}}
	for _, tt := range tests {
		if got := burstOr(0, tt.rate); got != tt.want {
			t.Errorf("burstOr(0, %v) = %d want %d", tt.rate, got, tt.want)
		}
	}
}
