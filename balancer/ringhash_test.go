package balancer_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/resilience-go/resilience/balancer"
)

func TestRingHashSticky(t *testing.T) {
	b := mustNew(t, balancer.Config{Policy: balancer.PolicyRingHash}, endpoints(10))
	for i := range 100 {
		key := fmt.Sprintf("user-%d", i)
		first := pickID(t, b, key)
		for range 5 {
			if got := pickID(t, b, key); got != first {
				t.Fatalf("key %s went to %s then %s", key, first, got)
			}
		}
		ctx := balancer.WithKey(context.Background(), key)
		p := pick(t, b, ctx, "")
		p.Done(nil, 0)
		if p.ID() != first {
			t.Fatalf("key %s from the context went to %s want %s", key, p.ID(), first)
		}
	}
}

func TestRingHashStability(t *testing.T) {
	const keys = 20000
	tests := []struct {
		name   string
		before int
		after  int
	}{
		{"add-one-to-10", 10, 11},
		{"remove-one-of-10", 10, 9},
		{"add-one-to-50", 50, 51},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mustNew(t, balancer.Config{Policy: balancer.PolicyRingHash}, endpoints(tt.before))
			owner := make([]string, keys)
			for i := range keys {
				owner[i] = pickID(t, b, fmt.Sprintf("k%d", i))
			}
			if err := b.Update(endpoints(tt.after)); err != nil {
				t.Fatal(err)
			}
			moved := 0
			changed := fmt.Sprintf("e%d", min(tt.before, tt.after)) // the endpoint added or removed
			for i := range keys {
				got := pickID(t, b, fmt.Sprintf("k%d", i))
				if got == owner[i] {
					continue
				}
				moved++
				if got != changed && owner[i] != changed {
					t.Fatalf("key k%d moved from %s to %s: only keys of %s may move", i, owner[i], got, changed)
				}
			}
			n := max(tt.before, tt.after)
			want := float64(keys) / float64(n)
			if f := float64(moved); f < want*0.6 || f > want*1.4 {
				t.Fatalf("%d of %d keys moved want about %.0f (1/%d)", moved, keys, want, n)
			}
		})
	}
}

func TestRingHashBoundedLoad(t *testing.T) {
	tests := []struct {
		name      string
		cfg       balancer.RingHashConfig
		hotKey    bool
		wantBound bool
	}{
		{"distinct-keys", balancer.RingHashConfig{}, false, true},
		{"hot-key", balancer.RingHashConfig{}, true, true},
		{"hot-key-factor-2", balancer.RingHashConfig{LoadFactor: 2}, true, true},
		{"hot-key-unbounded", balancer.RingHashConfig{Unbounded: true}, true, false},
	}
	const n, calls = 10, 5000
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Unbounded ring hash counts in-flight calls only when asked to.
			b := mustNew(t, balancer.Config{Policy: balancer.PolicyRingHash, RingHash: tt.cfg, TrackInFlight: tt.cfg.Unbounded}, endpoints(n))
			for i := range calls {
				key := fmt.Sprintf("k%d", i)
				if tt.hotKey {
					key = "hot"
				}
				pick(t, b, context.Background(), key) // held
			}
			c := tt.cfg.LoadFactor
			if c == 0 {
				c = 1.25
			}
			bound := int64(math.Ceil(c * calls / n))
			var maxLoad int64
			for _, s := range b.Stats() {
				maxLoad = max(maxLoad, s.InFlight)
			}
			if tt.wantBound && maxLoad > bound {
				t.Fatalf("max in flight %d want <= ceil(%v × %d / %d) = %d", maxLoad, c, calls, n, bound)
			}
			if !tt.wantBound && maxLoad != calls {
				t.Fatalf("unbounded hot key: max in flight %d want all %d on one endpoint", maxLoad, calls)
			}
		})
	}
}

func TestRingHashWeights(t *testing.T) {
	eps := endpoints(2)
	eps[0].Weight = 3
	b := mustNew(t, balancer.Config{Policy: balancer.PolicyRingHash}, eps)
	counts := map[string]int{}
	for i := range 20000 {
		counts[pickID(t, b, fmt.Sprintf("k%d", i))]++
	}
	if r := float64(counts["e0"]) / float64(counts["e1"]); r < 2.4 || r > 3.6 {
		t.Fatalf("weight 3 vs 1 got %v keys: ratio %.2f want about 3", counts, r)
	}
}
