package circuitbreaker

import (
	"encoding/json"
	"testing"
	"time"
)

func TestStateString(t *testing.T) {
	tests := []struct {
		s    State
		want string
	}{
		{StateClosed, "closed"},
		{StateOpen, "open"},
		{StateHalfOpen, "half_open"},
		{StateForcedOpen, "forced_open"},
		{StateDisabled, "disabled"},
		{StateMetricsOnly, "metrics_only"},
		{State(42), "State(42)"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.s.String(); got != tt.want {
				t.Errorf("State(%d).String() = %q want %q", tt.s, got, tt.want)
			}
			b, err := tt.s.MarshalText()
			if (err != nil) != (tt.s > StateMetricsOnly) {
				t.Fatalf("MarshalText() error = %v", err)
			}
			if err == nil && string(b) != tt.want {
				t.Errorf("MarshalText() = %q want %q", b, tt.want)
			}
		})
	}
}

func TestModeAndWindowTypeText(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		mode    Mode
		wt      WindowType
		wantErr bool
	}{
		{name: "standard-count", text: `{"mode":"standard","window_type":"count"}`, mode: ModeStandard, wt: WindowCount},
		{name: "adaptive-time", text: `{"mode":"adaptive","window_type":"time"}`, mode: ModeAdaptive, wt: WindowTime},
		{name: "empty", text: `{"mode":"","window_type":""}`},
		{name: "bad-mode", text: `{"mode":"sre"}`, wantErr: true},
		{name: "bad-window", text: `{"window_type":"sliding"}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Config
			err := json.Unmarshal([]byte(tt.text), &c)
			if (err != nil) != tt.wantErr {
				t.Fatalf("json.Unmarshal(%s) error = %v, wantErr %v", tt.text, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if c.Mode != tt.mode || c.WindowType != tt.wt {
				t.Errorf("decoded Mode, WindowType = %v, %v want %v, %v", c.Mode, c.WindowType, tt.mode, tt.wt)
			}
			m, _ := c.Mode.MarshalText()
			w, _ := c.WindowType.MarshalText()
			if string(m) != c.Mode.String() || string(w) != c.WindowType.String() {
				t.Errorf("MarshalText = %q, %q want %q, %q", m, w, c.Mode, c.WindowType)
			}
		})
	}
	if _, err := Mode(9).MarshalText(); err == nil {
		t.Error("Mode(9).MarshalText() = nil error")
	}
	if _, err := WindowType(9).MarshalText(); err == nil {
		t.Error("WindowType(9).MarshalText() = nil error")
	}
	if Mode(9).String() != "Mode(9)" || WindowType(9).String() != "WindowType(9)" {
		t.Errorf("unknown String() = %q, %q", Mode(9), WindowType(9))
	}
}

func TestConfigJSONRoundTrip(t *testing.T) {
	c := DefaultConfig()
	c.Name = "db"
	c.Mode = ModeAdaptive
	c.WindowType = WindowTime
	c.OpenDuration = 3 * time.Second
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("json.Marshal(DefaultConfig()) error = %v", err)
	}
	var got Config
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("json.Unmarshal(%s) error = %v", b, err)
	}
	if got.Name != c.Name || got.Mode != c.Mode || got.WindowType != c.WindowType || got.OpenDuration != c.OpenDuration || got.FailureRateThreshold != c.FailureRateThreshold {
		t.Errorf("round trip = %+v want %+v", got, c)
	}
}
