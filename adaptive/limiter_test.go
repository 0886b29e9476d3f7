package adaptive_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/clock"
)

// recorder is a Listener that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []resilience.Event
}

func (r *recorder) OnEvent(e resilience.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) ofKind(k resilience.EventKind) []resilience.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var es []resilience.Event
	for _, e := range r.events {
		if e.Kind == k {
			es = append(es, e)
		}
	}
	return es
}

func mustLimiter(t testing.TB, cfg adaptive.Config) *adaptive.Limiter {
	t.Helper()
	l, err := adaptive.New(cfg)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	return l
}

// fill acquires calls of priority p until one is refused and returns the
// permits it got.
func fill(l *adaptive.Limiter, p adaptive.Priority) ([]resilience.Permit, error) {
	var ps []resilience.Permit
	for range 10000 {
		pm, err := l.AcquirePriority(p)
		if err != nil {
			return ps, err
		}
		ps = append(ps, pm)
	}
	return ps, nil
}

func doneAll(ps []resilience.Permit, err error) {
	for _, p := range ps {
		p.Done(err)
	}
}

func TestLimiterPriorityShares(t *testing.T) {
	tests := []struct {
		p    adaptive.Priority
		want int // admitted of a limit of 10 with the default shares
	}{
		{adaptive.PrioritySheddable, 5},
		{adaptive.PriorityLow, 7},
		{adaptive.PriorityNormal, 9},
		{adaptive.PriorityHigh, 10},
		{adaptive.PriorityCritical, 10},
	}
	for _, tt := range tests {
		t.Run(tt.p.String(), func(t *testing.T) {
			l := mustLimiter(t, adaptive.Config{InitialLimit: 10, Clock: clock.NewManual(t0)})
			ps, err := fill(l, tt.p)
			if len(ps) != tt.want || !errors.Is(err, adaptive.ErrLimitExceeded) || !errors.Is(err, resilience.ErrRejected) {
				t.Fatalf("admitted %d calls of %v then %v; want %d then ErrLimitExceeded", len(ps), tt.p, err, tt.want)
			}
			if got := l.Allowance(tt.p); got != tt.want {
				t.Errorf("Allowance(%v) = %d want %d", tt.p, got, tt.want)
			}
			// Calls below in importance are refused; above, admitted up to their share.
			if tt.p > adaptive.PrioritySheddable {
				if _, err := l.AcquirePriority(tt.p - 1); err == nil {
					t.Errorf("a %v call was admitted with %d in flight", tt.p-1, tt.want)
				}
			}
			if got := l.Stats().Rejected.Get(tt.p); got != 1 {
				t.Errorf("Stats().Rejected.Get(%v) = %d want 1", tt.p, got)
			}
			doneAll(ps, nil)
			if got := l.InFlight(); got != 0 {
				t.Errorf("InFlight() = %d want 0", got)
			}
		})
	}
}

func TestLimiterDoneTwiceIsIgnored(t *testing.T) {
	l := mustLimiter(t, adaptive.Config{InitialLimit: 1, Clock: clock.NewManual(t0)})
	p, _ := l.AcquirePriority(adaptive.PriorityCritical)
	p.Done(nil)
	p.Done(nil)
	if got := l.InFlight(); got != 0 {
		t.Fatalf("InFlight() after a double Done = %d want 0", got)
	}
	p, _ = l.AcquirePriority(adaptive.PriorityCritical)
	if _, err := l.AcquirePriority(adaptive.PriorityCritical); !errors.Is(err, adaptive.ErrLimitExceeded) {
		t.Errorf("second Acquire at limit 1 = %v want ErrLimitExceeded: a double Done must not free a slot", err)
	}
	p.Done(nil)
}

func TestLimiterAcquireReadsPriorityFromContext(t *testing.T) {
	l := mustLimiter(t, adaptive.Config{InitialLimit: 2, Clock: clock.NewManual(t0)})
	ctx := adaptive.WithPriority(context.Background(), adaptive.PriorityCritical)
	p1, err1 := l.Acquire(ctx)
	p2, err2 := l.Acquire(ctx)
	if err1 != nil || err2 != nil {
		t.Fatalf("two critical Acquires with limit 2 = %v, %v want nil", err1, err2)
	}
	if _, err := l.Acquire(context.Background()); !errors.Is(err, adaptive.ErrLimitExceeded) {
		t.Errorf("normal Acquire with limit full = %v want ErrLimitExceeded", err)
	}
	p1.Done(nil)
	p2.Done(nil)
}

func TestLimiterShadow(t *testing.T) {
	rec := &recorder{}
	l := mustLimiter(t, adaptive.Config{InitialLimit: 2, Shadow: true, Listener: rec, Clock: clock.NewManual(t0)})
	var ps []resilience.Permit
	for i := range 5 {
		p, err := l.AcquirePriority(adaptive.PriorityCritical)
		if err != nil {
			t.Fatalf("shadow Acquire #%d = %v want nil", i, err)
		}
		ps = append(ps, p)
	}
	if got := l.InFlight(); got != 5 {
		t.Errorf("InFlight() = %d want 5", got)
	}
	st := l.Stats()
	if st.ShadowRejected != 3 || st.Rejected.Total() != 0 {
		t.Errorf("Stats() = %+v want ShadowRejected 3, no rejections", st)
	}
	if got := len(rec.ofKind(resilience.EventShadowRejected)); got != 3 {
		t.Errorf("%d shadow_rejected events want 3", got)
	}
	doneAll(ps, nil)
}

// drive runs n calls of the given round-trip time and error, all at once.
// With Window <= rtt and MinSamples n, they make exactly one window. It
// returns the limit after.
func drive(clk *clock.Manual, l *adaptive.Limiter, n int, rtt time.Duration, err error) int {
	ps := make([]resilience.Permit, 0, n)
	for range n {
		p, e := l.AcquirePriority(adaptive.PriorityCritical)
		if e == nil {
			ps = append(ps, p)
		}
	}
	clk.Advance(rtt)
	doneAll(ps, err)
	return l.Limit()
}

func TestLimiterOutcomes(t *testing.T) {
	slow := 300 * time.Millisecond
	tests := []struct {
		name string
		err  error
		rtt  time.Duration
		want int
	}{
		{"success-grows", nil, 10 * time.Millisecond, 11},
		{"marked-success-grows", resilience.MarkSuccess(errors.New("not found")), 10 * time.Millisecond, 11},
		{"deadline-is-drop", context.DeadlineExceeded, 10 * time.Millisecond, 9},
		{"wrapped-deadline-is-drop", fmt.Errorf("call: %w", context.DeadlineExceeded), 10 * time.Millisecond, 9},
		{"downstream-rejection-is-drop", fmt.Errorf("upstream said: %w", resilience.ErrRejected), 10 * time.Millisecond, 9},
		{"slow-success-is-drop", nil, slow, 9},
		{"other-failure-no-sample", errors.New("500"), 10 * time.Millisecond, 10},
		{"cancel-no-sample", context.Canceled, 10 * time.Millisecond, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewManual(t0)
			l := mustLimiter(t, adaptive.Config{
				Algorithm: adaptive.AlgorithmAIMD, InitialLimit: 10, Window: 10 * time.Millisecond, MinSamples: 5,
				AIMD: adaptive.AIMDConfig{Timeout: 200 * time.Millisecond}, Clock: clk,
			})
			if got := drive(clk, l, 5, tt.rtt, tt.err); got != tt.want {
				t.Errorf("Limit() after a window of 5 calls ending in %v after %v = %d want %d", tt.err, tt.rtt, got, tt.want)
			}
		})
	}
}

func TestLimiterAppLimited(t *testing.T) {
	for _, alg := range adaptive.Algorithms() {
		t.Run(string(alg), func(t *testing.T) {
			clk := clock.NewManual(t0)
			l := mustLimiter(t, adaptive.Config{Algorithm: alg, InitialLimit: 40, Window: 10 * time.Millisecond, MinSamples: 5, Clock: clk})
			for range 20 {
				drive(clk, l, 5, 10*time.Millisecond, nil) // 5 of 40 in use
			}
			if got := l.Limit(); got != 40 {
				t.Errorf("Limit() after windows using 5 of 40 = %d want 40: demand, not the limit, held concurrency", got)
			}
		})
	}
}

func TestLimiterProbeRemeasuresBaseline(t *testing.T) {
	clk := clock.NewManual(t0)
	rec := &recorder{}
	l := mustLimiter(t, adaptive.Config{InitialLimit: 40, Window: 20 * time.Millisecond, MinSamples: 20,
		ProbeInterval: time.Second, Listener: rec, Clock: clk})
	// 20 calls of 20ms at a time: no queueing, the baseline is 20ms.
	before := l.Limit()
	for !l.Stats().Probing {
		before = l.Limit()
		drive(clk, l, 20, 20*time.Millisecond, nil)
		if clk.Now().Sub(t0) > 2*time.Second {
			t.Fatalf("no probe after 2s with ProbeInterval 1s")
		}
	}
	st := l.Stats()
	if st.Baseline != 20*time.Millisecond || st.Limit != before/2 {
		t.Fatalf("probe started: Stats() = %+v want Baseline 20ms, Limit halved to %d", st, before/2)
	}
	// The dependency got slower: every call now takes 50ms, at any load.
	drive(clk, l, 20, 50*time.Millisecond, nil) // drain window
	if !l.Stats().Probing {
		t.Fatalf("probe ended after one window; want a drain and a measure window")
	}
	drive(clk, l, 20, 50*time.Millisecond, nil) // measure window
	st = l.Stats()
	if st.Probing || st.Baseline != 50*time.Millisecond || st.Limit != before {
		t.Errorf("after the probe: Stats() = %+v want Baseline 50ms (re-measured upward), Limit %d restored", st, before)
	}
	var probes []string
	for _, e := range rec.ofKind(resilience.EventStateChange) {
		if e.Detail != "" {
			probes = append(probes, e.Detail+":"+e.From+"->"+e.To)
		}
	}
	want := []string{fmt.Sprintf("probe:%d->%d", before, before/2), fmt.Sprintf("probe done:%d->%d", before/2, before)}
	if fmt.Sprint(probes) != fmt.Sprint(want) {
		t.Errorf("probe events = %v want %v", probes, want)
	}
}

func TestLimiterAIMDDoesNotProbe(t *testing.T) {
	clk := clock.NewManual(t0)
	l := mustLimiter(t, adaptive.Config{Algorithm: adaptive.AlgorithmAIMD, Window: 10 * time.Millisecond, MinSamples: 10,
		ProbeInterval: 100 * time.Millisecond, Clock: clk})
	for range 30 {
		drive(clk, l, 10, 10*time.Millisecond, nil)
		if st := l.Stats(); st.Probing || st.Baseline != 0 {
			t.Fatalf("AIMD Stats() = %+v want no probe and no baseline", st)
		}
	}
}

func TestLimiterEvents(t *testing.T) {
	clk := clock.NewManual(t0)
	rec := &recorder{}
	l := mustLimiter(t, adaptive.Config{Name: "api", Algorithm: adaptive.AlgorithmAIMD, InitialLimit: 2, MinSamples: 1, Listener: rec, Clock: clk})
	p, _ := l.AcquirePriority(adaptive.PriorityCritical)
	if _, err := l.AcquirePriority(adaptive.PriorityLow); err == nil {
		t.Fatal("low call admitted at its share")
	}
	clk.Advance(150 * time.Millisecond)
	p.Done(errors.New("boom"))
	p, _ = l.AcquirePriority(adaptive.PriorityCritical)
	clk.Advance(5 * time.Millisecond)
	p.Done(nil)

	rej := rec.ofKind(resilience.EventRejected)
	if len(rej) != 1 || rej[0].Detail != "low" || !errors.Is(rej[0].Err, adaptive.ErrLimitExceeded) || rej[0].Name != "api" || rej[0].Policy != "adaptive" {
		t.Errorf("rejected events = %+v want one for a low call", rej)
	}
	fail := rec.ofKind(resilience.EventFailure)
	if len(fail) != 1 || fail[0].Latency != 150*time.Millisecond {
		t.Errorf("failure events = %+v want one with latency 150ms", fail)
	}
	ok := rec.ofKind(resilience.EventSuccess)
	if len(ok) != 1 || ok[0].Latency != 5*time.Millisecond {
		t.Errorf("success events = %+v want one with latency 5ms", ok)
	}
	// The success closed a window in which a call was refused: +1.
	sc := rec.ofKind(resilience.EventStateChange)
	if len(sc) != 1 || sc[0].From != "2" || sc[0].To != "3" {
		t.Errorf("state change events = %+v want one 2 -> 3", sc)
	}
}
