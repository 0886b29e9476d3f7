package retry

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		wantField string // empty when valid
	}{
		{"zero", Config{}, ""},
		{"defaults", DefaultConfig(), ""},
		{"one-attempt", Config{MaxAttempts: 1}, ""},
		{"negative-attempts", Config{MaxAttempts: -1}, "MaxAttempts -1"},
		{"negative-elapsed", Config{MaxElapsed: -time.Second}, "MaxElapsed -1s"},
		{"bad-backoff", Config{Backoff: BackoffConfig{Kind: "linear"}}, "Backoff.Kind"},
		{"bad-multiplier", Config{Backoff: BackoffConfig{Multiplier: 0.1}}, "Backoff.Multiplier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Validate() = %v want nil", err)
				}
				if _, err := New(tt.cfg); err != nil {
					t.Fatalf("New() = %v want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantField) || !strings.HasPrefix(err.Error(), "retry: ") {
				t.Fatalf("Validate() = %v want an error naming %q", err, tt.wantField)
			}
			if p, nerr := New(tt.cfg); p != nil || nerr == nil || nerr.Error() != err.Error() {
				t.Fatalf("New() = %v, %v want nil, %v", p, nerr, err)
			}
		})
	}
}

func TestDefaultConfigMatchesZero(t *testing.T) {
	zero, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	def, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if zero.maxAttempts != def.maxAttempts || zero.capDelay != def.capDelay {
		t.Errorf("zero Config gives %d attempts, cap %v; DefaultConfig gives %d, %v", zero.maxAttempts, zero.capDelay, def.maxAttempts, def.capDelay)
	}
	for n := 1; n < 8; n++ {
		if a, b := zero.backoff.Delay(n, 0, 0.7), def.backoff.Delay(n, 0, 0.7); a != b {
			t.Errorf("Delay(%d): zero Config %v, DefaultConfig %v", n, a, b)
		}
	}
}
