package bulkhead_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/bulkhead"
)

func mustKeyed(t *testing.T, cfg bulkhead.KeyedConfig) *bulkhead.Keyed {
	t.Helper()
	k, err := bulkhead.NewKeyed(cfg)
	if err != nil {
		t.Fatalf("NewKeyed(%+v) = %v", cfg, err)
	}
	return k
}

func TestKeyedIsolatesKeys(t *testing.T) {
	k := mustKeyed(t, bulkhead.KeyedConfig{Semaphore: bulkhead.Config{Name: "svc", MaxConcurrent: 2}})
	ctx := context.Background()
	steps := []struct {
		key     string
		wantErr error
	}{
		{"a", nil}, {"a", nil}, {"a", bulkhead.ErrFull}, // a is full...
		{"b", nil}, {"b", nil}, {"b", bulkhead.ErrFull}, // ...which does not affect b
	}
	var held []resilience.Permit
	for i, st := range steps {
		p, err := k.Acquire(ctx, st.key)
		if !errors.Is(err, st.wantErr) || (st.wantErr == nil) != (err == nil) {
			t.Fatalf("step %d: Acquire(ctx, %q) = %v want %v", i, st.key, err, st.wantErr)
		}
		if err == nil {
			held = append(held, p)
		}
	}
	if got := k.Len(); got != 2 {
		t.Errorf("Len() = %d want 2", got)
	}
	s, ok := k.Get("a")
	if !ok || s.InFlight() != 2 || s.Name() != "svc/a" {
		t.Errorf("Get(a) = %v, %v want a semaphore named svc/a with 2 in flight", s, ok)
	}
	if _, ok := k.Get("zzz"); ok {
		t.Errorf("Get(zzz) found a semaphore that was never used")
	}
	for _, p := range held {
		p.Done(nil)
	}
	keys := map[string]int{}
	k.Range(func(key string, s *bulkhead.Semaphore) bool { keys[key] = s.InFlight(); return true })
	if len(keys) != 2 || keys["a"] != 0 || keys["b"] != 0 {
		t.Errorf("Range saw %v want a and b idle", keys)
	}
}

func TestKeyedEvictsIdleKeys(t *testing.T) {
	k := mustKeyed(t, bulkhead.KeyedConfig{Semaphore: bulkhead.Config{MaxConcurrent: 1}, MaxKeys: 2})
	ctx := context.Background()
	pa, _ := k.Acquire(ctx, "a")
	pb, _ := k.Acquire(ctx, "b")
	// Both keys busy: a third cannot be made.
	if _, err := k.Acquire(ctx, "c"); !errors.Is(err, bulkhead.ErrTooManyKeys) || !errors.Is(err, resilience.ErrRejected) {
		t.Fatalf("Acquire(c) with every key busy = %v want ErrTooManyKeys", err)
	}
	pa.Done(nil)
	// a is idle now and makes room for c.
	pc, err := k.Acquire(ctx, "c")
	if err != nil {
		t.Fatalf("Acquire(c) with a idle = %v want nil", err)
	}
	if _, ok := k.Get("a"); ok {
		t.Errorf("a is still present after eviction")
	}
	if got := k.Len(); got != 2 {
		t.Errorf("Len() = %d want 2", got)
	}
	// b is still enforced: its semaphore survived.
	if _, err := k.Acquire(ctx, "b"); !errors.Is(err, bulkhead.ErrFull) {
		t.Errorf("Acquire(b) while b is held = %v want ErrFull", err)
	}
	pb.Done(nil)
	pc.Done(nil)
}

// TestKeyedHammerEviction churns through more keys than MaxKeys from many
// goroutines and checks that no key ever runs more than its limit, even
// while semaphores are evicted and recreated under the callers.
func TestKeyedHammerEviction(t *testing.T) {
	const limit, keys, goroutines, iterations = 1, 6, 12, 1500
	k := mustKeyed(t, bulkhead.KeyedConfig{Semaphore: bulkhead.Config{MaxConcurrent: limit}, MaxKeys: 3})
	var running [keys]atomic.Int64
	var violations, admitted atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range iterations {
				key := (g + i) % keys
				err := k.Execute(context.Background(), fmt.Sprint(key), func(context.Context) error {
					if running[key].Add(1) > limit {
						violations.Add(1)
					}
					running[key].Add(-1)
					return nil
				})
				switch {
				case err == nil:
					admitted.Add(1)
				case errors.Is(err, bulkhead.ErrFull), errors.Is(err, bulkhead.ErrTooManyKeys):
				default:
					t.Errorf("Execute = %v", err)
				}
			}
		}()
	}
	wg.Wait()
	if v := violations.Load(); v != 0 {
		t.Errorf("%d calls ran over their key's limit", v)
	}
	if admitted.Load() == 0 {
		t.Errorf("no call was admitted")
	}
	if got := k.Len(); got > 3 {
		t.Errorf("Len() = %d want <= MaxKeys 3", got)
	}
	k.Range(func(key string, s *bulkhead.Semaphore) bool {
		if s.InFlight() != 0 {
			t.Errorf("key %s: InFlight() = %d after the hammer", key, s.InFlight())
		}
		return true
	})
}
