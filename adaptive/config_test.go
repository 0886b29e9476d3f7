package adaptive_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/adaptive"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     adaptive.Config
		wantErr string // substring naming the field; "" means valid
	}{
		{"zero", adaptive.Config{}, ""},
		{"default", adaptive.DefaultConfig(), ""},
		{"vegas", adaptive.Config{Algorithm: adaptive.AlgorithmVegas, Vegas: adaptive.VegasConfig{Alpha: 2, Beta: 4}}, ""},
		{"aimd", adaptive.Config{Algorithm: adaptive.AlgorithmAIMD, AIMD: adaptive.AIMDConfig{Increase: 2, Backoff: 0.5, Timeout: time.Second}}, ""},
		{"min-above-default-initial", adaptive.Config{MinLimit: 50}, ""},
		{"unknown-algorithm", adaptive.Config{Algorithm: "bbr"}, `Algorithm "bbr" must be`},
		{"negative-initial", adaptive.Config{InitialLimit: -1}, "InitialLimit -1 must be >= 0"},
		{"negative-min", adaptive.Config{MinLimit: -1}, "MinLimit -1 must be >= 0"},
		{"huge-max", adaptive.Config{MaxLimit: adaptive.MaxLimit + 1}, "MaxLimit 1073741825 must be <="},
		{"min-above-max", adaptive.Config{MinLimit: 10, MaxLimit: 5}, "MinLimit 10 must be <= MaxLimit 5"},
		{"initial-above-max", adaptive.Config{InitialLimit: 2000}, "InitialLimit 2000 must be within [MinLimit 1, MaxLimit 1000]"},
		{"initial-below-min", adaptive.Config{InitialLimit: 5, MinLimit: 10}, "InitialLimit 5 must be within"},
		{"negative-window", adaptive.Config{Window: -time.Second}, "Window -1s must be >= 0"},
		{"negative-samples", adaptive.Config{MinSamples: -1}, "MinSamples -1 must be >= 0"},
		{"negative-probe", adaptive.Config{ProbeInterval: -1}, "ProbeInterval -1ns must be >= 0"},
		{"low-tolerance", adaptive.Config{Gradient: adaptive.GradientConfig{Tolerance: 0.9}}, "Gradient.Tolerance 0.9 must be in [1, 100]"},
		{"nan-tolerance", adaptive.Config{Gradient: adaptive.GradientConfig{Tolerance: math.NaN()}}, "Gradient.Tolerance NaN"},
		{"inf-queue", adaptive.Config{Gradient: adaptive.GradientConfig{QueueSize: math.Inf(1)}}, "Gradient.QueueSize +Inf"},
		{"negative-queue", adaptive.Config{Gradient: adaptive.GradientConfig{QueueSize: -1}}, "Gradient.QueueSize -1"},
		{"smoothing-above-one", adaptive.Config{Gradient: adaptive.GradientConfig{Smoothing: 1.5}}, "Gradient.Smoothing 1.5 must be in (0, 1]"},
		{"negative-alpha", adaptive.Config{Vegas: adaptive.VegasConfig{Alpha: -1}}, "Vegas.Alpha -1"},
		{"beta-below-alpha", adaptive.Config{Vegas: adaptive.VegasConfig{Alpha: 5, Beta: 4}}, "Vegas.Beta 4 must be > Vegas.Alpha 5"},
		{"alpha-above-default-beta", adaptive.Config{Vegas: adaptive.VegasConfig{Alpha: 7}}, "Vegas.Beta 6 must be > Vegas.Alpha 7"},
		{"vegas-smoothing", adaptive.Config{Vegas: adaptive.VegasConfig{Smoothing: -0.1}}, "Vegas.Smoothing -0.1"},
		{"negative-increase", adaptive.Config{AIMD: adaptive.AIMDConfig{Increase: -1}}, "AIMD.Increase -1"},
		{"backoff-one", adaptive.Config{AIMD: adaptive.AIMDConfig{Backoff: 1}}, "AIMD.Backoff 1 must be < 1"},
		{"backoff-above-one", adaptive.Config{AIMD: adaptive.AIMDConfig{Backoff: 2}}, "AIMD.Backoff 2 must be in (0, 1]"},
		{"negative-timeout", adaptive.Config{AIMD: adaptive.AIMDConfig{Timeout: -time.Millisecond}}, "AIMD.Timeout -1ms must be >= 0"},
		{"share-above-one", adaptive.Config{Priorities: adaptive.PriorityShares{Low: 1.5}}, "Priorities.Low 1.5 must be in (0, 1]"},
		{"share-nan", adaptive.Config{Priorities: adaptive.PriorityShares{High: math.NaN()}}, "Priorities.High NaN"},
		{"shares-inverted", adaptive.Config{Priorities: adaptive.PriorityShares{Sheddable: 0.95}}, "Priorities.Low 0.7 must be >= Priorities.Sheddable 0.95"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, "Validate", tt.cfg.Validate(), tt.wantErr)
			l, err := adaptive.New(tt.cfg)
			checkErr(t, "New", err, tt.wantErr)
			if (l == nil) == (tt.wantErr == "") {
				t.Errorf("New() = %v, want a Limiter iff valid", l)
			}
		})
	}
}

func TestDefaultConfig(t *testing.T) {
	d := adaptive.DefaultConfig()
	if d.Algorithm != adaptive.AlgorithmGradient || d.InitialLimit != 20 || d.MinLimit != 1 || d.MaxLimit != 1000 ||
		d.Window != 100*time.Millisecond || d.MinSamples != 10 || d.ProbeInterval != 10*time.Second ||
		d.Gradient.Tolerance != 1.5 || d.Vegas.Beta != 6 || d.AIMD.Backoff != 0.9 || d.Priorities.Normal != 0.9 {
		t.Errorf("DefaultConfig() = %+v, want the documented defaults", d)
	}
	s := adaptive.DefaultShedderConfig()
	if s.TargetLatency != time.Second || s.MinLimit != 10 || s.InitialLimit != 100 || s.MaxLimit != 10000 || s.Smoothing != 0.5 {
		t.Errorf("DefaultShedderConfig() = %+v, want the documented defaults", s)
	}
}

func TestShedderConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     adaptive.ShedderConfig
		wantErr string
	}{
		{"default", adaptive.DefaultShedderConfig(), ""},
		{"minimal", adaptive.ShedderConfig{TargetLatency: time.Millisecond}, ""},
		{"zero", adaptive.ShedderConfig{}, "TargetLatency 0s must be > 0"},
		{"negative-target", adaptive.ShedderConfig{TargetLatency: -1}, "TargetLatency -1ns must be > 0"},
		{"negative-window", adaptive.ShedderConfig{TargetLatency: 1, Window: -1}, "Window -1ns must be >= 0"},
		{"negative-samples", adaptive.ShedderConfig{TargetLatency: 1, MinSamples: -1}, "MinSamples -1 must be >= 0"},
		{"smoothing", adaptive.ShedderConfig{TargetLatency: 1, Smoothing: math.Inf(-1)}, "Smoothing -Inf"},
		{"min-above-max", adaptive.ShedderConfig{TargetLatency: 1, MinLimit: 20, MaxLimit: 10}, "MinLimit 20 must be <= MaxLimit 10"},
		{"share", adaptive.ShedderConfig{TargetLatency: 1, Priorities: adaptive.PriorityShares{Critical: -1}}, "Priorities.Critical -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, "Validate", tt.cfg.Validate(), tt.wantErr)
			_, err := adaptive.NewShedder(tt.cfg)
			checkErr(t, "NewShedder", err, tt.wantErr)
		})
	}
}

func checkErr(t *testing.T, what string, err error, want string) {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Errorf("%s() = %v, want nil", what, err)
	case want != "" && err == nil:
		t.Errorf("%s() = nil, want error containing %q", what, want)
	case want != "" && !strings.Contains(err.Error(), want):
		t.Errorf("%s() = %q, want it to contain %q", what, err, want)
	case want != "" && !strings.HasPrefix(err.Error(), "adaptive: "):
		t.Errorf("%s() = %q, want the adaptive: prefix", what, err)
	}
}

// FuzzConfigValidate checks that any Config either validates and yields a
// Limiter that admits a call, or is refused with an error naming a field;
// never a panic. The same inputs drive ShedderConfig.
func FuzzConfigValidate(f *testing.F) {
	f.Add("", 0, 0, 0, int64(0), 0, 0.0, 0.0, 0.0, 0.0, 0.0)
	f.Add("vegas", 20, 1, 1000, int64(time.Second), 10, 1.5, 4.0, 3.0, 6.0, 0.9)
	f.Add("aimd", -1, 5, 2, int64(-1), -3, math.NaN(), math.Inf(1), -1.0, 2.0, 1.0)
	f.Fuzz(func(t *testing.T, alg string, initial, minL, maxL int, window int64, samples int, tol, queue, alpha, beta, backoff float64) {
		cfg := adaptive.Config{
			Algorithm: adaptive.Algorithm(alg), InitialLimit: initial, MinLimit: minL, MaxLimit: maxL,
			Window: time.Duration(window), MinSamples: samples,
			Gradient: adaptive.GradientConfig{Tolerance: tol, QueueSize: queue},
			Vegas:    adaptive.VegasConfig{Alpha: alpha, Beta: beta},
			AIMD:     adaptive.AIMDConfig{Backoff: backoff},
		}
		l, err := adaptive.New(cfg)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "adaptive: ") || !strings.Contains(err.Error(), " must ") {
				t.Fatalf("New(%+v) = %q, want an error naming the field", cfg, err)
			}
		} else {
			if l.Limit() < 1 || l.Limit() > adaptive.MaxLimit {
				t.Fatalf("New(%+v).Limit() = %d", cfg, l.Limit())
			}
			p, err := l.AcquirePriority(adaptive.PriorityCritical)
			if err != nil {
				t.Fatalf("first Acquire on a valid limiter = %v", err)
			}
			p.Done(nil)
		}
		sc := adaptive.ShedderConfig{TargetLatency: time.Duration(window), InitialLimit: initial, MinLimit: minL, MaxLimit: maxL, MinSamples: samples, Smoothing: backoff}
		if s, err := adaptive.NewShedder(sc); err != nil {
			if !strings.HasPrefix(err.Error(), "adaptive: ") || !strings.Contains(err.Error(), " must ") {
				t.Fatalf("NewShedder(%+v) = %q, want an error naming the field", sc, err)
			}
		} else if s.Limit() < 1 {
			t.Fatalf("NewShedder(%+v).Limit() = %d", sc, s.Limit())
		}
	})
}
