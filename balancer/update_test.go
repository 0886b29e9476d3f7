package balancer_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience/balancer"
)

func TestUpdateKeepsStateByID(t *testing.T) {
	clk := manual()
	b := mustNew(t, balancer.Config{Clock: clk, TrackInFlight: true, Outlier: balancer.OutlierConfig{ConsecutiveFailures: 1, MaxEjectionPercent: 100}}, endpoints(3))
	held := pick(t, b, context.Background(), "") // e0 in flight
	failOn(t, b, "e1", 1)                        // e1 ejected
	eps := endpoints(4)
	eps[1].Metadata = map[string]string{"version": "v2"} // changed: state carries over
	if err := b.Update(eps); err != nil {
		t.Fatal(err)
	}
	st := b.Stats()
	if len(st) != 4 || st[0].InFlight != 1 || !st[1].Ejected || st[1].Endpoint.Metadata["version"] != "v2" || st[3].Ejected {
		t.Fatalf("stats after Update = %+v want e0 in flight, e1 ejected with new metadata", st)
	}
	held.Done(nil, 0)
	if got := b.Stats()[0].InFlight; got != 0 {
		t.Fatalf("in flight %d after Done want 0", got)
	}
	if got := b.Available(); got != 3 {
		t.Fatalf("Available() = %d want 3", got)
	}
	eps[0].Metadata = map[string]string{"mutated": "after"} // Update copied the endpoints
	if b.Stats()[0].Endpoint.Metadata != nil {
		t.Fatal("Update kept a reference to the caller's metadata")
	}
}

func TestPickResultAccessors(t *testing.T) {
	var zero balancer.Pick
	if zero.ID() != "" || zero.Addr() != "" || zero.Endpoint().Addr != "" {
		t.Fatal("zero Pick has an endpoint")
	}
	zero.Done(errBoom, time.Second) // does nothing
	b := mustNew(t, balancer.Config{}, []balancer.Endpoint{{Addr: "h:1", Zone: "z"}})
	p := pick(t, b, context.Background(), "")
	defer p.Done(nil, 0)
	if p.ID() != "h:1" || p.Addr() != "h:1" || p.Endpoint().Zone != "z" || p.Endpoint().Weight != 0 {
		t.Fatalf("Pick = %+v want the endpoint h:1 with ID defaulted to its Addr", p.Endpoint())
	}
}

// TestHammer picks and reports from many goroutines while the set changes,
// the clock moves and endpoints are ejected, for every policy, then checks
// that every in-flight count returned to zero (or is not counted, -1, for
// the policies that do not need the counts, unless TrackInFlight is set).
func TestHammer(t *testing.T) {
	tests := []struct {
		policy balancer.Policy
		track  bool // Config.TrackInFlight
		counts bool // whether Stats reports in-flight counts
	}{
		{balancer.PolicyRoundRobin, false, false},
		{balancer.PolicyRoundRobin, true, true},
		{balancer.PolicyRandom, false, false},
		{balancer.PolicyRandom, true, true},
		{balancer.PolicyWeightedRoundRobin, false, false},
		{balancer.PolicyWeightedRoundRobin, true, true},
		{balancer.PolicyLeastRequest, false, true},
		{balancer.PolicyPeakEWMA, false, true},
		{balancer.PolicyRingHash, false, true},
	}
	for _, tt := range tests {
		policy := tt.policy
		t.Run(fmt.Sprintf("%s/track=%v", policy, tt.track), func(t *testing.T) {
			clk := manual()
			probe := balancer.ProberFunc(func(_ context.Context, e balancer.Endpoint) error {
				if e.ID == "e3" {
					return errBoom
				}
				return nil
			})
			cfg := balancer.Config{
				Policy: policy, Clock: clk, PanicMode: policy == balancer.PolicyRandom, TrackInFlight: tt.track,
				Rules:       []balancer.Rule{{Name: "c", Percent: 10, Subset: map[string]string{"v": "2"}}},
				Zone:        balancer.ZoneConfig{Local: "a"},
				Outlier:     balancer.OutlierConfig{ConsecutiveFailures: 3, SuccessRateStdevFactor: 1, SuccessRateRequestVolume: 10, Interval: time.Second, MaxEjectionPercent: 50},
				HealthCheck: balancer.HealthCheckConfig{Prober: probe, Interval: time.Second},
			}
			eps := func(n int) []balancer.Endpoint {
				out := endpoints(n)
				for i := range out {
					out[i].Weight = i%3 + 1
					out[i].Zone = []string{"a", "b"}[i%2]
					out[i].Metadata = map[string]string{"v": fmt.Sprint(i % 2)}
				}
				return out
			}
			b := mustNew(t, cfg, eps(8))
			var wg sync.WaitGroup
			stop := make(chan struct{})
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ctx := context.Background()
					for i := range 3000 {
						p, err := b.Pick(ctx, fmt.Sprint(i%50))
						if err != nil {
							if !errors.Is(err, balancer.ErrNoEndpoint) {
								t.Errorf("Pick() = %v", err)
								return
							}
							continue
						}
						var cerr error
						if (g+i)%7 == 0 || p.ID() == "e5" {
							cerr = errBoom
						}
						p.Done(cerr, time.Duration(i%10)*time.Millisecond)
					}
				}()
			}
			var updater sync.WaitGroup
			updater.Add(1)
			go func() {
				defer updater.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if err := b.Update(eps(4 + rand.IntN(8))); err != nil {
						t.Errorf("Update() = %v", err)
					}
					clk.Advance(500 * time.Millisecond)
				}
			}()
			wg.Wait()
			close(stop)
			updater.Wait()
			want := int64(0)
			if !tt.counts {
				want = -1
			}
			for _, s := range b.Stats() {
				if s.InFlight != want {
					t.Errorf("%s has %d in flight after every Done want %d", s.Endpoint.ID, s.InFlight, want)
				}
			}
		})
	}
}
