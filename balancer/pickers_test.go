package balancer_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/balancer"
)

func TestRoundRobinExactCycles(t *testing.T) {
	for _, n := range []int{1, 2, 5, 100} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			b := mustNew(t, balancer.Config{Policy: balancer.PolicyRoundRobin}, endpoints(n))
			for cycle := range 3 {
				for i := range n {
					want := fmt.Sprintf("e%d", i)
					if got := pickID(t, b, ""); got != want {
						t.Fatalf("cycle %d pick %d = %s want %s", cycle, i, got, want)
					}
				}
			}
		})
	}
}

func TestRoundRobinContinuesAcrossUpdates(t *testing.T) {
	b := mustNew(t, balancer.Config{}, endpoints(4))
	pickID(t, b, "") // e0
	pickID(t, b, "") // e1
	if err := b.Update(endpoints(4)); err != nil {
		t.Fatal(err)
	}
	if got := pickID(t, b, ""); got != "e2" {
		t.Fatalf("pick after an update = %s want e2: the position must survive updates", got)
	}
}

func TestSmoothWeightedRoundRobinSequence(t *testing.T) {
	tests := []struct {
		name    string
		weights []int
		want    string // one letter per endpoint, a = e0
	}{
		{"nginx-5-1-1", []int{5, 1, 1}, "aabacaa"},
		{"scaled-10-2-2", []int{10, 2, 2}, "aabacaa"},
		{"equal", []int{1, 1, 1}, "abc"},
		{"zero-is-one", []int{0, 0}, "ab"},
		{"4-2-1", []int{4, 2, 1}, "abacaba"},
		{"3-1", []int{3, 1}, "aaba"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eps := endpoints(len(tt.weights))
			for i, w := range tt.weights {
				eps[i].Weight = w
			}
			b := mustNew(t, balancer.Config{Policy: balancer.PolicyWeightedRoundRobin}, eps)
			for round := range 3 {
				var got strings.Builder
				for range len(tt.want) {
					id := pickID(t, b, "")
					got.WriteByte(byte('a' + id[1] - '0'))
				}
				if got.String() != tt.want {
					t.Fatalf("round %d: sequence for weights %v = %s want %s", round, tt.weights, got.String(), tt.want)
				}
			}
		})
	}
}

func TestRandomDistribution(t *testing.T) {
	tests := []struct {
		name    string
		weights []int
	}{
		{"uniform-10", []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}},
		{"weighted-1-2-3-4", []int{1, 2, 3, 4}},
		{"weighted-heavy", []int{100, 1}},
	}
	const picks = 100000
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eps := endpoints(len(tt.weights))
			total := 0
			for i, w := range tt.weights {
				eps[i].Weight = w
				total += w
			}
			b := mustNew(t, balancer.Config{Policy: balancer.PolicyRandom, Seed: 42}, eps)
			counts := map[string]int{}
			for range picks {
				counts[pickID(t, b, "")]++
			}
			for i, w := range tt.weights {
				p := float64(w) / float64(total)
				want := p * picks
				sigma := math.Sqrt(picks * p * (1 - p))
				got := counts[fmt.Sprintf("e%d", i)]
				if math.Abs(float64(got)-want) > 5*sigma+1 {
					t.Errorf("e%d (weight %d) picked %d times want %.0f ± %.0f", i, w, got, want, 5*sigma)
				}
			}
		})
	}
}

func TestRandomSeedIsReproducible(t *testing.T) {
	seq := func() string {
		b := mustNew(t, balancer.Config{Policy: balancer.PolicyRandom, Seed: 7}, endpoints(10))
		var s strings.Builder
		for range 20 {
			s.WriteString(pickID(t, b, ""))
		}
		return s.String()
	}
	if a, b := seq(), seq(); a != b {
		t.Fatalf("two balancers with Seed 7 picked %s and %s", a, b)
	}
}

func TestLeastRequestPrefersLessLoaded(t *testing.T) {
	tests := []struct {
		name      string
		weight0   int  // weight of the loaded endpoint e0
		wantAvoid bool // whether e0 (10 in flight) must never be picked
	}{
		{"equal-weights", 1, true},
		// (10+1)/100 in flight per unit of weight beats (0+1)/1.
		{"heavy-endpoint", 100, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eps := endpoints(10)
			eps[0].Weight = tt.weight0
			b := mustNew(t, balancer.Config{Policy: balancer.PolicyLeastRequest, Seed: 1}, eps[:1])
			for range 10 {
				pick(t, b, context.Background(), "") // held: e0 has 10 in flight
			}
			if err := b.Update(eps); err != nil {
				t.Fatal(err)
			}
			e0 := 0
			for range 1000 {
				if pickID(t, b, "") == "e0" {
					e0++
				}
			}
			if tt.wantAvoid && e0 != 0 {
				t.Fatalf("loaded e0 picked %d times of 1000 want 0", e0)
			}
			// e0 is one of the two candidates about 2/10 of the time, and
			// then wins against an idle weight-1 endpoint.
			if !tt.wantAvoid && (e0 < 100 || e0 > 300) {
				t.Fatalf("heavy e0 picked %d times of 1000 want about 200", e0)
			}
		})
	}
}

func TestLeastRequestBalancesHeldCalls(t *testing.T) {
	b := mustNew(t, balancer.Config{Policy: balancer.PolicyLeastRequest, Seed: 3}, endpoints(10))
	for range 1000 {
		pick(t, b, context.Background(), "")
	}
	for _, s := range b.Stats() {
		if s.InFlight < 95 || s.InFlight > 105 {
			t.Errorf("%s has %d in flight want 100 ± 5: the power of two choices keeps loads close", s.Endpoint.ID, s.InFlight)
		}
	}
}
