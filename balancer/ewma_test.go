package balancer_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/resilience-go/resilience/balancer"
)

func TestPeakEWMAPrefersFasterEndpoint(t *testing.T) {
	clk := manual()
	b := mustNew(t, balancer.Config{Policy: balancer.PolicyPeakEWMA, Clock: clk, Seed: 5}, endpoints(2))
	lat := map[string]time.Duration{"e0": time.Millisecond, "e1": 50500 * time.Microsecond}
	if lat[pickID(t, b, "")] == lat[pickID(t, b, "")] {
		t.Fatal("the first two picks did not sample both endpoints")
	}
	// Warm up with the measured latencies.
	ctx := context.Background()
	for range 20 {
		p := pick(t, b, ctx, "")
		p.Done(nil, lat[p.ID()])
	}
	if got := pickID(t, b, ""); got != "e0" {
		t.Fatalf("after samples Pick() = %s want the fast e0", got)
	}
	for i := range 100 {
		p := pick(t, b, ctx, "")
		p.Done(nil, lat[p.ID()])
		if p.ID() != "e0" {
			t.Fatalf("pick %d = %s want e0", i, p.ID())
		}
	}
	// In-flight calls raise the cost: with the clock still, e0 costs
	// 1ms × (k+1) and e1 50.5ms, so the 51st held call goes to e1.
	for k := range 51 {
		p := pick(t, b, ctx, "")
		want := "e0"
		if k == 50 {
			want = "e1"
		}
		if p.ID() != want {
			t.Fatalf("held pick %d = %s want %s", k, p.ID(), want)
		}
		defer p.Done(nil, lat[p.ID()])
	}
}

func TestPeakEWMADecayRetriesIdleEndpoint(t *testing.T) {
	clk := manual()
	b := mustNew(t, balancer.Config{Policy: balancer.PolicyPeakEWMA, Clock: clk, Seed: 5}, endpoints(2))
	lat := map[string]time.Duration{"e0": time.Millisecond, "e1": 50500 * time.Microsecond}
	ctx := context.Background()
	for range 2 {
		p := pick(t, b, ctx, "")
		p.Done(nil, lat[p.ID()])
	}
	// Picks come a second apart, so e0 costs 1ms × exp(-0.1) when picked;
	// e1's 50.5ms decays as exp(-t/10s) and drops below that after
	// 10s × (ln(50.5) + 0.1) ≈ 40.2s.
	for sec := 1; sec <= 60; sec++ {
		clk.Advance(time.Second)
		p := pick(t, b, ctx, "")
		p.Done(nil, lat[p.ID()])
		if p.ID() == "e1" {
			if sec != 41 {
				t.Fatalf("idle e1 retried after %ds want 41s", sec)
			}
			return
		}
	}
	t.Fatal("idle e1 never retried")
}

func TestPeakEWMAPeakAndDecay(t *testing.T) {
	clk := manual()
	b := mustNew(t, balancer.Config{Policy: balancer.PolicyPeakEWMA, Clock: clk, PeakEWMA: balancer.PeakEWMAConfig{Decay: time.Second}}, endpoints(1))
	ctx := context.Background()
	decayed := time.Duration(100e6 * math.Exp(-1))
	steps := []struct {
		advance time.Duration
		sample  time.Duration
		want    time.Duration
	}{
		{0, 10 * time.Millisecond, 10 * time.Millisecond},
		{time.Second, 100 * time.Millisecond, 100 * time.Millisecond}, // a peak replaces the estimate
		// one time constant later a 0-ish sample weighs 1-1/e
		{time.Second, time.Nanosecond, decayed},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		p := pick(t, b, ctx, "")
		p.Done(nil, s.sample)
		got := b.Stats()[0].Latency
		if d := got - s.want; d < -time.Microsecond || d > time.Microsecond {
			t.Fatalf("step %d: estimate %v want %v", i, got, s.want)
		}
	}
	// Zero latency is measured on the clock since Pick.
	p := pick(t, b, ctx, "")
	clk.Advance(500 * time.Millisecond)
	p.Done(nil, 0)
	if got := b.Stats()[0].Latency; got != 500*time.Millisecond {
		t.Fatalf("measured estimate %v want the 500ms peak", got)
	}
}
