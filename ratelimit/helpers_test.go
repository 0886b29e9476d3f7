package ratelimit

import (
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// t0 is in the real present, so contexts with deadlines on the manual
// timeline are not already expired in real time.
var t0 = time.Now()

func newLimiter(t *testing.T, cfg Config) (*Limiter, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(t0)
	if cfg.Clock == nil {
		cfg.Clock = clk
	} else {
		clk = cfg.Clock.(*clock.Manual)
	}
	lim, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	return lim, clk
}

// allowStep is one row of an x/time/rate-style table: at offset at from
// t0, AllowN(n) must return ok.
type allowStep struct {
	at time.Duration
	n  int
	ok bool
}

func runAllow(t *testing.T, lim interface{ AllowN(int) bool }, clk *clock.Manual, steps []allowStep) {
	t.Helper()
	for i, s := range steps {
		clk.Set(t0.Add(s.at))
		if got := lim.AllowN(s.n); got != s.ok {
			t.Errorf("step %d: lim.AllowN(%v, %v) = %v want %v", i, s.at, s.n, got, s.ok)
		}
	}
}

// recorder is a Listener that keeps the events it receives.
type recorder struct {
	mu     sync.Mutex
	events []resilience.Event
}

func (r *recorder) OnEvent(e resilience.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) kinds() []resilience.EventKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ks []resilience.EventKind
	for _, e := range r.events {
		ks = append(ks, e.Kind)
	}
	return ks
}
