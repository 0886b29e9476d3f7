package circuitbreaker

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

var (
	t0      = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	errBoom = errors.New("boom")
	ctx     = context.Background()
)

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

// transitions returns the state changes seen so far as "from>to".
func (r *recorder) transitions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		if e.Kind == resilience.EventStateChange {
			out = append(out, e.From+">"+e.To)
		}
	}
	return out
}

func (r *recorder) count(k resilience.EventKind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// newTest returns a breaker on a manual clock.
func newTest(t testing.TB, cfg Config) (*Breaker, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(t0)
	cfg.Clock = clk
	b, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	return b, clk
}

// call runs one call that returns err and reports whether it was admitted.
func call(t testing.TB, b *Breaker, err error) bool {
	t.Helper()
	p, aerr := b.Acquire(ctx)
	if aerr != nil {
		if !errors.Is(aerr, resilience.ErrRejected) {
			t.Fatalf("Acquire() = %v, want nil or a rejection", aerr)
		}
		return false
	}
	p.Done(err)
	return true
}

// slowCall runs one call lasting d on clk.
func slowCall(t testing.TB, b *Breaker, clk *clock.Manual, d time.Duration, err error) bool {
	t.Helper()
	p, aerr := b.Acquire(ctx)
	if aerr != nil {
		return false
	}
	clk.Advance(d)
	p.Done(err)
	return true
}

// calls runs n calls that return err.
func calls(t testing.TB, b *Breaker, n int, err error) {
	t.Helper()
	for range n {
		call(t, b, err)
	}
}

func wantState(t testing.TB, b *Breaker, want State) {
	t.Helper()
	if got := b.State(); got != want {
		t.Fatalf("b.State() = %v want %v (metrics %+v)", got, want, b.Metrics())
	}
}

// seq returns a Random that yields vs in turn, then repeats the last.
func seq(vs ...float64) func() float64 {
	var mu sync.Mutex
	i := 0
	return func() float64 {
		mu.Lock()
		defer mu.Unlock()
		v := vs[min(i, len(vs)-1)]
		i++
		return v
	}
}
