package bulkhead_test

import (
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/bulkhead"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     bulkhead.Config
		wantErr string // substring naming the field; "" means valid
	}{
		{"default", bulkhead.DefaultConfig(), ""},
		{"one", bulkhead.Config{MaxConcurrent: 1}, ""},
		{"max", bulkhead.Config{MaxConcurrent: bulkhead.MaxLimit}, ""},
		{"wait", bulkhead.Config{MaxConcurrent: 1, MaxWait: time.Second}, ""},
		{"zero-value", bulkhead.Config{}, "MaxConcurrent 0 must be >= 1"},
		{"negative", bulkhead.Config{MaxConcurrent: -3}, "MaxConcurrent -3 must be >= 1"},
		{"too-big", bulkhead.Config{MaxConcurrent: bulkhead.MaxLimit + 1}, "MaxConcurrent 1073741825 must be <="},
		{"negative-wait", bulkhead.Config{MaxConcurrent: 1, MaxWait: -time.Second}, "MaxWait -1s must be >= 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			checkErr(t, "Validate", err, tt.wantErr)
			s, err := bulkhead.New(tt.cfg)
			checkErr(t, "New", err, tt.wantErr)
			if (s == nil) == (tt.wantErr == "") {
				t.Errorf("New(%+v) = %v, want a Semaphore iff valid", tt.cfg, s)
			}
		})
	}
}

func TestPoolConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     bulkhead.PoolConfig
		wantErr string
	}{
		{"default", bulkhead.DefaultPoolConfig(), ""},
		{"no-queue", bulkhead.PoolConfig{Workers: 1}, ""},
		{"zero-value", bulkhead.PoolConfig{}, "Workers 0 must be >= 1"},
		{"negative-workers", bulkhead.PoolConfig{Workers: -1}, "Workers -1 must be >= 1"},
		{"negative-queue", bulkhead.PoolConfig{Workers: 1, QueueSize: -1}, "QueueSize -1 must be >= 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, "Validate", tt.cfg.Validate(), tt.wantErr)
			p, err := bulkhead.NewPool(tt.cfg)
			checkErr(t, "NewPool", err, tt.wantErr)
			if p != nil {
				if err := p.Close(); err != nil {
					t.Errorf("Close() = %v", err)
				}
			}
		})
	}
}

func TestKeyedConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     bulkhead.KeyedConfig
		wantErr string
	}{
		{"default", bulkhead.DefaultKeyedConfig(), ""},
		{"zero-keys", bulkhead.KeyedConfig{Semaphore: bulkhead.Config{MaxConcurrent: 2}}, ""},
		{"bad-semaphore", bulkhead.KeyedConfig{}, "MaxConcurrent 0 must be >= 1"},
		{"negative-keys", bulkhead.KeyedConfig{Semaphore: bulkhead.DefaultConfig(), MaxKeys: -1}, "MaxKeys -1 must be >= 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, "Validate", tt.cfg.Validate(), tt.wantErr)
			_, err := bulkhead.NewKeyed(tt.cfg)
			checkErr(t, "NewKeyed", err, tt.wantErr)
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
	case want != "" && !strings.HasPrefix(err.Error(), "bulkhead: "):
		t.Errorf("%s() = %q, want the bulkhead: prefix", what, err)
	}
}

// FuzzConfigValidate checks that any Config either validates and builds a
// working Semaphore, or is refused with an error naming a field; never a
// panic.
func FuzzConfigValidate(f *testing.F) {
	f.Add(10, int64(0), false, 5, 10)
	f.Add(0, int64(-1), true, 0, -1)
	f.Add(1<<30+1, int64(1<<62), false, -1, 0)
	f.Fuzz(func(t *testing.T, maxConc int, maxWait int64, shadow bool, workers, queue int) {
		cfg := bulkhead.Config{MaxConcurrent: maxConc, MaxWait: time.Duration(maxWait), Shadow: shadow}
		s, err := bulkhead.New(cfg)
		if err != nil {
			if !strings.Contains(err.Error(), "MaxConcurrent") && !strings.Contains(err.Error(), "MaxWait") {
				t.Fatalf("New(%+v) = %v, want an error naming the field", cfg, err)
			}
		} else {
			if maxConc < 1 || maxWait < 0 {
				t.Fatalf("New(%+v) accepted invalid input", cfg)
			}
			p, ok := s.TryAcquire()
			if !ok {
				t.Fatalf("TryAcquire() on a fresh semaphore = false")
			}
			p.Done(nil)
			if got := s.InFlight(); got != 0 {
				t.Fatalf("InFlight() = %d after release, want 0", got)
			}
		}
		pc := bulkhead.PoolConfig{Workers: workers % 64, QueueSize: queue % 1024}
		if err := pc.Validate(); err != nil {
			if !strings.Contains(err.Error(), "Workers") && !strings.Contains(err.Error(), "QueueSize") {
				t.Fatalf("PoolConfig%+v.Validate() = %v, want an error naming the field", pc, err)
			}
		} else if pc.Workers < 1 || pc.QueueSize < 0 {
			t.Fatalf("PoolConfig%+v.Validate() accepted invalid input", pc)
		}
	})
}
