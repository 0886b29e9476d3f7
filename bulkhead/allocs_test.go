package bulkhead_test

import (
	"context"
	"testing"

	"github.com/resilience-go/resilience/bulkhead"
)

func TestSemaphoreHotPathAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations differ under -race")
	}
	s := mustNew(t, bulkhead.Config{MaxConcurrent: 1})
	ctx := context.Background()
	tests := []struct {
		name string
		f    func()
	}{
		{"acquire-release", func() {
			p, _ := s.Acquire(ctx)
			p.Done(nil)
		}},
		{"try-acquire-release", func() {
			p, _ := s.TryAcquire()
			p.Done(nil)
		}},
		{"reject", func() {
			p, _ := s.Acquire(ctx)
			_, _ = s.Acquire(ctx)
			p.Done(nil)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := testing.AllocsPerRun(1000, tt.f); got != 0 {
				t.Errorf("AllocsPerRun(%s) = %v want 0", tt.name, got)
			}
		})
	}
}
