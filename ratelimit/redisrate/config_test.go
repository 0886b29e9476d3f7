package redisrate

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resilience-go/resilience/circuitbreaker"
)

func TestConfigValidate(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer client.Close()
	valid := Config{Rate: 10}
	tests := []struct {
		name  string
		cfg   Config
		field string // "" for a valid config
	}{
		{"minimal", valid, ""},
		{"default", DefaultConfig(100), ""},
		{"every field", Config{Name: "n", Rate: 0.5, Per: time.Minute, Burst: 3, Prefix: "p:", Timeout: time.Second,
			OnFailure: FailClosed, ExpectedInstances: 4, Lease: 3, LeaseTTL: time.Second, ClientClock: true,
			Breaker: circuitbreaker.DefaultConfig()}, ""},
		{"zero", Config{}, "Rate"},
		{"negative rate", Config{Rate: -1}, "Rate"},
		{"NaN rate", Config{Rate: math.NaN()}, "Rate"},
		{"infinite rate", Config{Rate: math.Inf(1)}, "Rate"},
		{"above one per ns", Config{Rate: 3e9}, "Rate"},
		{"below one per max duration", Config{Rate: 1e-300}, "Rate"},
		{"negative per", Config{Rate: 1, Per: -time.Second}, "Per"},
		{"negative burst", Config{Rate: 1, Burst: -1}, "Burst"},
		{"negative timeout", Config{Rate: 1, Timeout: -1}, "Timeout"},
		{"unknown mode", Config{Rate: 1, OnFailure: 9}, "OnFailure"},
		{"negative instances", Config{Rate: 1, ExpectedInstances: -2}, "ExpectedInstances"},
		{"negative lease", Config{Rate: 1, Lease: -1}, "Lease"},
		{"huge lease", Config{Rate: 1e7, Burst: 1 << 30, Lease: 1 << 30}, "Lease"},
		{"lease above burst", Config{Rate: 10, Burst: 5, Lease: 6}, "Lease"},
		{"negative lease TTL", Config{Rate: 10, Lease: 2, LeaseTTL: -time.Second}, "LeaseTTL"},
		{"local share too slow", Config{Rate: 1e-9, Per: time.Nanosecond * 9_000_000, ExpectedInstances: 1 << 40}, "ExpectedInstances"},
		{"bad breaker", Config{Rate: 1, Breaker: circuitbreaker.Config{FailureRateThreshold: 200}}, "Breaker"},
		{"local share checked only for FailLocal", Config{Rate: 1e-9, Per: 9_000_000, ExpectedInstances: 1 << 40, OnFailure: FailOpen}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate() = %v want nil", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), "redisrate: ") || !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("Validate() = %v want an error naming %s", err, tt.field)
			}
			if _, nerr := New(client, tt.cfg); nerr == nil || nerr.Error() != err.Error() {
				t.Fatalf("New() = %v want Validate's %v", nerr, err)
			}
		})
	}
}

func TestBreakerDefaults(t *testing.T) {
	b := Config{Rate: 1, Name: "lim"}.breakerConfig()
	if b.ConsecutiveFailures != DefaultConsecutiveFailures || b.OpenDuration != DefaultOpenDuration || b.Name != "lim" {
		t.Fatalf("breakerConfig() = %+v want 5 consecutive failures, 1s open, name lim", b)
	}
	b = Config{Rate: 1, Breaker: circuitbreaker.Config{FailureRateThreshold: 50, OpenDuration: time.Minute, Name: "b"}}.breakerConfig()
	if b.ConsecutiveFailures != 0 || b.OpenDuration != time.Minute || b.Name != "b" {
		t.Fatalf("breakerConfig() = %+v want the caller's trip condition, open duration and name kept", b)
	}
}

func TestFailureModeText(t *testing.T) {
	for _, m := range []FailureMode{FailLocal, FailOpen, FailClosed} {
		b, err := m.MarshalText()
		if err != nil {
			t.Fatalf("%v.MarshalText() = %v", m, err)
		}
		var back FailureMode
		if err := back.UnmarshalText(b); err != nil || back != m || string(b) != m.String() {
			t.Fatalf("round trip of %v through %q = %v, %v", m, b, back, err)
		}
	}
	var m FailureMode
	if err := m.UnmarshalText([]byte("sideways")); err == nil {
		t.Fatalf("UnmarshalText(sideways) = nil want an error")
	}
	if _, err := FailureMode(7).MarshalText(); err == nil || FailureMode(7).String() != "FailureMode(7)" {
		t.Fatalf("FailureMode(7): MarshalText error %v, String %q", err, FailureMode(7).String())
	}
	var cfg Config
	if err := json.Unmarshal([]byte(`{"rate": 5, "on_failure": "closed", "timeout": 1000000}`), &cfg); err != nil ||
		cfg.OnFailure != FailClosed || cfg.Rate != 5 || cfg.Timeout != time.Millisecond {
		t.Fatalf("json.Unmarshal = %+v, %v", cfg, err)
	}
}

func TestNewRejectsBadClients(t *testing.T) {
	if _, err := New(nil, Config{Rate: 1}); err == nil || !strings.Contains(err.Error(), "client") {
		t.Fatalf("New(nil) = %v want an error naming the client", err)
	}
	plain := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer plain.Close()
	if _, err := New(plain, Config{Rate: 1}); err == nil || !strings.Contains(err.Error(), "ContextTimeoutEnabled") {
		t.Fatalf("New(client without ContextTimeoutEnabled) = %v want an error naming it", err)
	}
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	defer cluster.Close()
	if _, err := New(cluster, Config{Rate: 1}); err == nil || !strings.Contains(err.Error(), "ContextTimeoutEnabled") {
		t.Fatalf("New(cluster client without ContextTimeoutEnabled) = %v want an error naming it", err)
	}
	ok := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true})
	defer ok.Close()
	if _, err := New(ok, Config{Rate: 1}); err != nil {
		t.Fatalf("New(cluster client) = %v", err)
	}
}

func TestNewFromURL(t *testing.T) {
	tests := []struct {
		name, url string
		ok        bool
	}{
		{"plain", "redis://127.0.0.1:1/0", true},
		{"with options", "redis://127.0.0.1:1/2?dial_timeout=1s&max_retries=0", true},
		{"unix", "unix:///tmp/redis.sock?db=1", true},
		{"not a URL", "://nope", false},
		{"wrong scheme", "http://127.0.0.1:6379", false},
		{"bad port", "redis://user:s3cret@127.0.0.1:port/0", false},
		{"bad db", "redis://:s3cret@127.0.0.1:6379/db", false},
		{"bad option", "redis://:s3cret@127.0.0.1:6379/0?dial_timeout=soon", false},
		{"control character", "redis://:s3cret@127.0.0.1:6379/\x7f", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := NewFromURL(tt.url, Config{Rate: 1})
			if tt.ok {
				if err != nil {
					t.Fatalf("NewFromURL(%q) = %v", tt.url, err)
				}
				if !l.owned {
					t.Fatalf("NewFromURL(%q) does not own its client", tt.url)
				}
				if err := l.Close(); err != nil {
					t.Fatalf("Close() = %v", err)
				}
				return
			}
			if err == nil {
				_ = l.Close()
				t.Fatalf("NewFromURL(%q) = nil error", tt.url)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "redisrate: URL ") || strings.Contains(msg, "s3cret") {
				t.Fatalf("NewFromURL(%q) = %q want an error naming the URL, without the password", tt.url, msg)
			}
		})
	}
	if _, err := NewFromURL("redis://127.0.0.1:1", Config{}); err == nil || !strings.Contains(err.Error(), "Rate") {
		t.Fatalf("NewFromURL(zero Config) = %v want the Rate error", err)
	}
}
