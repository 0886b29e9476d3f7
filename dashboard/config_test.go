package dashboard

import (
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string // substring of the error; "" for valid
	}{
		{"zero", Config{}, ""},
		{"defaults", DefaultConfig(), ""},
		{"min-interval", Config{Interval: MinInterval, Heartbeat: MinInterval}, ""},
		{"negative-interval", Config{Interval: -time.Second}, "dashboard: Interval -1s must be >= 0"},
		{"tiny-interval", Config{Interval: time.Millisecond}, "dashboard: Interval 1ms must be 0 or >= 10ms"},
		{"negative-heartbeat", Config{Heartbeat: -1}, "dashboard: Heartbeat -1ns must be >= 0"},
		{"tiny-heartbeat", Config{Heartbeat: time.Microsecond}, "dashboard: Heartbeat 1µs must be 0 or >= 10ms"},
		{"negative-clients", Config{MaxClients: -1}, "dashboard: MaxClients -1 must be >= 0"},
		{"negative-events", Config{MaxEvents: -5}, "dashboard: MaxEvents -5 must be >= 0"},
		{"long-title", Config{Title: strings.Repeat("x", 201)}, "dashboard: Title of 201 bytes must be at most 200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate() = %v want nil", err)
				}
				if _, err := New(tt.cfg); err != nil {
					t.Errorf("New() = %v want nil", err)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Validate() = %v want %q", err, tt.want)
			}
			if d, err := New(tt.cfg); err == nil || d != nil {
				t.Errorf("New() = %v, %v want nil and the error", d, err)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	d, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c := d.cfg
	if c.Interval != time.Second || c.Heartbeat != 15*time.Second || c.MaxClients != 32 || c.MaxEvents != 100 || c.Title != DefaultTitle {
		t.Errorf("defaults = %+v", c)
	}
	if c.Registry == nil || c.Clock == nil || c.Controls != nil {
		t.Errorf("Registry, Clock, Controls = %v, %v, %v want stats.Default(), the real clock, nil", c.Registry, c.Clock, c.Controls)
	}
	if d.Token() == "" {
		t.Error("Token() is empty")
	}
	other, _ := New(Config{})
	if other.Token() == d.Token() {
		t.Error("two dashboards share a token; each must draw its own")
	}
}
