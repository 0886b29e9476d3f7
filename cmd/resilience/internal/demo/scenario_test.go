package demo

import (
	"testing"
	"time"

	"github.com/resilience-go/resilience/config"
)

func TestScriptPhases(t *testing.T) {
	s := scriptFor(20 * time.Second)
	tests := []struct {
		at   time.Duration
		want Phase
	}{
		{0, PhaseHealthy},
		{2999 * time.Millisecond, PhaseHealthy},
		{3 * time.Second, PhaseFlaky},
		{6999 * time.Millisecond, PhaseFlaky},
		{7 * time.Second, PhaseOutage},
		{12999 * time.Millisecond, PhaseOutage},
		{13 * time.Second, PhaseRecovered},
		{time.Hour, PhaseRecovered},
	}
	for _, tt := range tests {
		if got := s.phase(tt.at); got != tt.want {
			t.Errorf("scriptFor(20s).phase(%v) = %v want %v", tt.at, got, tt.want)
		}
	}
	for p, want := range map[Phase]string{PhaseHealthy: "healthy", PhaseFlaky: "flaky", PhaseOutage: "outage", PhaseRecovered: "recovered", Phase(9): "unknown"} {
		if p.String() != want {
			t.Errorf("Phase(%d).String() = %q want %q", p, p.String(), want)
		}
	}
}

// TestScriptFaultsValid builds the injectors of the default script: their
// faults must pass chaos's validation, at their phases' times.
func TestScriptFaultsValid(t *testing.T) {
	s := scriptFor(fullDuration)
	fs := s.Outage.faults(s.OutageFrom, s.RecoverAt, "m")
	if len(fs) != 2 || fs[0].Schedule.From != s.OutageFrom || fs[1].Schedule.Until != s.RecoverAt || fs[1].Probability != 1 {
		t.Errorf("outage faults = %+v", fs)
	}
	u, err := startUpstreams(s)
	if err != nil {
		t.Fatal(err)
	}
	defer u.close()
	if len(u.addrs) != numUpstreams {
		t.Errorf("started %d upstreams want %d", len(u.addrs), numUpstreams)
	}
}

func TestTune(t *testing.T) {
	tests := []struct {
		name                    string
		d                       time.Duration
		wantOpen, wantEjection  time.Duration
		wantMaxOpen, wantReview time.Duration
	}{
		{"full", fullDuration, 2 * time.Second, 5 * time.Second, 4 * time.Second, time.Second},
		{"longer", 5 * time.Minute, 2 * time.Second, 5 * time.Second, 4 * time.Second, time.Second},
		{"fifth", 12 * time.Second, 400 * time.Millisecond, time.Second, 800 * time.Millisecond, 200 * time.Millisecond},
		{"tiny", 60 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond, 10 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Demo(config.DemoParams{})
			if err != nil {
				t.Fatal(err)
			}
			tune(cfg, tt.d)
			cb := cfg.Route(routeName).Policies.CircuitBreaker
			od := cfg.Cluster("demo").OutlierDetection
			if cb.OpenDuration != tt.wantOpen || cb.MaxOpenDuration != tt.wantMaxOpen {
				t.Errorf("tune(%v): open %v, max %v; want %v, %v", tt.d, cb.OpenDuration, cb.MaxOpenDuration, tt.wantOpen, tt.wantMaxOpen)
			}
			if od.BaseEjectionTime != tt.wantEjection || od.Interval != tt.wantReview {
				t.Errorf("tune(%v): ejection %v, interval %v; want %v, %v", tt.d, od.BaseEjectionTime, od.Interval, tt.wantEjection, tt.wantReview)
			}
			if err := cfg.Validate(); err != nil {
				t.Errorf("tune(%v) made the config invalid: %v", tt.d, err)
			}
		})
	}
}
