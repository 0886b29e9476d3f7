package adaptive_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/clock"
)

func mustShedder(t *testing.T, cfg adaptive.ShedderConfig) *adaptive.Shedder {
	t.Helper()
	s, err := adaptive.NewShedder(cfg)
	if err != nil {
		t.Fatalf("NewShedder(%+v) = %v", cfg, err)
	}
	return s
}

func TestShedderColdStart(t *testing.T) {
	s := mustShedder(t, adaptive.ShedderConfig{TargetLatency: time.Second, InitialLimit: 4, MinLimit: 1, Clock: clock.NewManual(t0)})
	var ps []resilience.Permit
	for range 4 {
		p, err := s.AcquirePriority(adaptive.PriorityCritical)
		if err != nil {
			t.Fatalf("Acquire within InitialLimit = %v", err)
		}
		ps = append(ps, p)
	}
	if _, err := s.AcquirePriority(adaptive.PriorityCritical); !errors.Is(err, adaptive.ErrShed) || !errors.Is(err, resilience.ErrRejected) {
		t.Errorf("Acquire over InitialLimit = %v want ErrShed", err)
	}
	if got := s.Stats().Throughput; got != 0 {
		t.Errorf("Throughput before any window = %v want 0", got)
	}
	doneAll(ps, nil)
}

// TestShedderRemembersCapacity checks that a lull does not lower the limit
// (quiet windows say nothing about capacity) while a slower server does.
func TestShedderRemembersCapacity(t *testing.T) {
	clk := clock.NewManual(t0)
	target := 3 * simService
	s := mustShedder(t, adaptive.ShedderConfig{TargetLatency: target, Clock: clk})
	load := &simClass{name: "load", rate: 2 * simMaxRate}
	sim := newSimulation(clk, s, load)
	sim.run(5 * time.Second)
	busy := s.Limit()

	load.rate = 0.1 * simMaxRate
	sim.run(5 * time.Second)
	if quiet := s.Limit(); quiet < busy*3/4 {
		t.Errorf("Limit() fell from %d to %d during a lull; want it kept", busy, quiet)
	}

	sim.server.capacity = simCapacity / 2
	load.rate = 2 * simMaxRate
	sim.run(5 * time.Second)
	want := simMaxRate / 2 * target.Seconds()
	if got := float64(s.Limit()); got < 0.75*want || got > 1.25*want {
		t.Errorf("Limit() after the server halved = %.0f want %.0f ±25%%", got, want)
	}
	t.Logf("limit busy %d, after the server halved %d (want %.0f)", busy, s.Limit(), want)
}

func TestShedderShadow(t *testing.T) {
	clk := clock.NewManual(t0)
	rec := &recorder{}
	s := mustShedder(t, adaptive.ShedderConfig{TargetLatency: 3 * simService, Shadow: true, Listener: rec, Clock: clk})
	load := &simClass{name: "load", rate: 2 * simMaxRate}
	sim := newSimulation(clk, s, load)
	sim.run(2 * time.Second)
	st := s.Stats()
	if load.rejected != 0 || st.Rejected.Total() != 0 {
		t.Errorf("shadow shedder refused %d calls want 0", load.rejected)
	}
	if st.ShadowRejected == 0 || len(rec.ofKind(resilience.EventShadowRejected)) != int(st.ShadowRejected) {
		t.Errorf("ShadowRejected = %d with %d events; want the would-be refusals reported", st.ShadowRejected, len(rec.ofKind(resilience.EventShadowRejected)))
	}
	if st.InFlight <= st.Limit {
		t.Errorf("InFlight %d <= Limit %d: in shadow mode the overload must get through", st.InFlight, st.Limit)
	}
}

// TestShedderHammer admits and completes from many goroutines on the real
// clock with windows closing all the time, for the race detector.
func TestShedderHammer(t *testing.T) {
	s := mustShedder(t, adaptive.ShedderConfig{TargetLatency: time.Millisecond, Window: time.Microsecond, MinSamples: 1, MinLimit: 1, InitialLimit: 4})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3000 {
				p, err := s.AcquirePriority(adaptive.Priority((g+i)%5 - 2))
				if err != nil {
					if !errors.Is(err, adaptive.ErrShed) {
						t.Errorf("Acquire = %v", err)
					}
					continue
				}
				p.Done(nil)
			}
		}()
	}
	wg.Wait()
	if st := s.Stats(); st.InFlight != 0 || st.Limit < 1 || st.Windows == 0 {
		t.Errorf("Stats() = %+v want nothing in flight, a limit >= 1, windows closed", st)
	}
}
