package health_test

import (
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/health"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  health.Config
		want string
	}{
		{"zero", health.Config{}, ""},
		{"checks", health.Config{Checks: []health.Check{{Name: "db", Func: ok}, {Name: "cache-1.v2_x", Func: ok, Probes: health.ProbeLive | health.ProbeStartup}}}, ""},
		{"default-timeout", health.Config{DefaultTimeout: -time.Second}, "health: DefaultTimeout -1s must be >= 0"},
		{"no-name", health.Config{Checks: []health.Check{{Func: ok}}}, `health: Checks[0] "": Name is empty`},
		{"slash-in-name", health.Config{Checks: []health.Check{{Name: "a/b", Func: ok}}}, `Name has '/'`},
		{"reserved-name", health.Config{Checks: []health.Check{{Name: "shutdown", Func: ok}}}, `"shutdown": Name is reserved`},
		{"no-func", health.Config{Checks: []health.Check{{Name: "db"}}}, `"db": Func is nil`},
		{"timeout", health.Config{Checks: []health.Check{{Name: "db", Func: ok, Timeout: -1}}}, "Timeout -1ns must be >= 0"},
		{"interval", health.Config{Checks: []health.Check{{Name: "db", Func: ok, Interval: -1}}}, "Interval -1ns must be >= 0"},
		{"probes", health.Config{Checks: []health.Check{{Name: "db", Func: ok, Probes: 8}}}, "Probes 8 has unknown bits"},
		{"repeat", health.Config{Checks: []health.Check{{Name: "db", Func: ok}, {Name: "db", Func: ok}}}, `Checks[1] "db": Name repeats`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			c, nerr := health.New(tt.cfg)
			if tt.want == "" {
				if err != nil || nerr != nil || c == nil {
					t.Fatalf("Validate() = %v, New() = %v want nil", err, nerr)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Validate() = %v want an error containing %q", err, tt.want)
			}
			if nerr == nil || nerr.Error() != err.Error() || c != nil {
				t.Fatalf("New() = %v, %v want nil, %v", c, nerr, err)
			}
		})
	}
}

func TestAdd(t *testing.T) {
	c := mustNew(t, health.Config{Checks: []health.Check{{Name: "db", Func: ok}}})
	tests := []struct {
		name  string
		check health.Check
		want  string
	}{
		{"ok", health.Check{Name: "cache", Func: down, Critical: true}, ""},
		{"taken", health.Check{Name: "db", Func: ok}, `health: check "db": Name repeats`},
		{"invalid", health.Check{Name: "x"}, `health: check "x": Func is nil`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Add(tt.check)
			if (err == nil) != (tt.want == "") || (err != nil && err.Error() != tt.want) {
				t.Fatalf("Add(%s) = %v want %q", tt.check.Name, err, tt.want)
			}
		})
	}
	if code, _, _ := get(t, c.Handler(), "GET", "/readyz"); code != 503 {
		t.Fatalf("readyz after adding a failing critical check = %d want 503", code)
	}
}

func TestProbeString(t *testing.T) {
	tests := []struct {
		p    health.Probe
		want string
	}{
		{health.ProbeLive, "livez"}, {health.ProbeReady, "readyz"}, {health.ProbeStartup, "startupz"},
		{health.ProbeLive | health.ProbeReady, "livez|readyz"}, {0, "none"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("Probe(%d).String() = %q want %q", tt.p, got, tt.want)
		}
	}
}
