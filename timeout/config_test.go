package timeout

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"valid", Config{Timeout: time.Second}, ""},
		{"abandon", Config{Timeout: time.Nanosecond, Abandon: true}, ""},
		{"precise", Config{Timeout: time.Hour, Precise: true}, ""},
		{"zero", Config{}, "timeout: Timeout 0s must be > 0"},
		{"negative", Config{Timeout: -time.Second}, "timeout: Timeout -1s must be > 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			to, nerr := New(tt.cfg)
			if tt.wantErr == "" {
				if err != nil || nerr != nil || to == nil || to.Duration() != tt.cfg.Timeout {
					t.Fatalf("Validate() = %v, New() = %v, %v want valid", err, to, nerr)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || to != nil || nerr == nil {
				t.Fatalf("Validate() = %v, New() = %v, %v want %q", err, to, nerr, tt.wantErr)
			}
		})
	}
}
