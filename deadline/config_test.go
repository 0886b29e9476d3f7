package deadline_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/deadline"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   deadline.Config
		field string // "" means valid
	}{
		{"zero", deadline.Config{}, ""},
		{"defaults", deadline.DefaultConfig(), ""},
		{"negative-means-off", deadline.Config{AlphaBase: -1, AlphaPerHop: -1, Reserve: -1, Floor: -1}, ""},
		{"alpha-base-one", deadline.Config{AlphaBase: 1}, "AlphaBase"},
		{"alpha-base-nan", deadline.Config{AlphaBase: math.NaN()}, "AlphaBase"},
		{"alpha-per-hop-inf", deadline.Config{AlphaPerHop: math.Inf(1)}, "AlphaPerHop"},
		{"alpha-per-hop-neg-inf", deadline.Config{AlphaPerHop: math.Inf(-1)}, "AlphaPerHop"},
		{"alpha-max-negative", deadline.Config{AlphaMax: -0.1}, "AlphaMax"},
		{"alpha-max-one", deadline.Config{AlphaMax: 1}, "AlphaMax"},
		{"max-hops-negative", deadline.Config{MaxHops: -1}, "MaxHops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v want nil", err)
				}
				if _, err := deadline.New(tt.cfg); err != nil {
					t.Fatalf("New() = %v want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "deadline: "+tt.field+" ") {
				t.Fatalf("Validate() = %v want an error naming %s", err, tt.field)
			}
			if _, nerr := deadline.New(tt.cfg); nerr == nil || nerr.Error() != err.Error() {
				t.Fatalf("New() = %v want %v", nerr, err)
			}
		})
	}
}

func TestServerConfigValidate(t *testing.T) {
	tests := []struct {
		name  string
		cfg   deadline.ServerConfig
		field string
	}{
		{"zero", deadline.ServerConfig{}, ""},
		{"defaults", deadline.DefaultServerConfig(), ""},
		{"no-default", deadline.ServerConfig{Default: -1}, ""},
		{"min-under-default-max", deadline.ServerConfig{Min: time.Second}, ""},
		{"max-negative", deadline.ServerConfig{Max: -1}, "Max"},
		{"min-negative", deadline.ServerConfig{Min: -1}, "Min"},
		{"min-above-max", deadline.ServerConfig{Max: time.Second, Min: 2 * time.Second}, "Min"},
		{"min-above-default-max", deadline.ServerConfig{Min: time.Hour}, "Min"},
		{"default-above-max", deadline.ServerConfig{Max: time.Second, Default: 2 * time.Second}, "Default"},
		{"default-below-min", deadline.ServerConfig{Min: time.Second, Default: time.Millisecond}, "Default"},
		{"max-hops-negative", deadline.ServerConfig{MaxHops: -3}, "MaxHops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v want nil", err)
				}
				if _, err := deadline.NewServer(tt.cfg); err != nil {
					t.Fatalf("NewServer() = %v want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "deadline: "+tt.field+" ") {
				t.Fatalf("Validate() = %v want an error naming %s", err, tt.field)
			}
			if _, nerr := deadline.NewServer(tt.cfg); nerr == nil {
				t.Fatalf("NewServer() = nil error want %v", err)
			}
		})
	}
}
