package circuitbreaker

import (
	"errors"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
)

// knob is a Random whose next value the test sets.
type knob struct {
	mu sync.Mutex
	v  float64
	n  int
}

func (k *knob) set(v float64) { k.mu.Lock(); k.v = v; k.mu.Unlock() }
func (k *knob) rand() float64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.n++
	return k.v
}

func TestAdaptiveProbability(t *testing.T) {
	tests := []struct {
		name              string
		k                 float64
		accepts, failures int
		want              float64 // max(0, (req − K·acc)/(req+1))
	}{
		{"all-failing-k2", 2, 0, 10, 10.0 / 11},
		{"20pct-k2", 2, 2, 8, 6.0 / 11},
		{"half-k2-no-throttle", 2, 5, 5, 0},
		{"half-k1.5", 1.5, 5, 5, 2.5 / 11},
		{"30pct-k1", 1, 3, 7, 7.0 / 11},
		{"healthy", 2, 100, 0, 0},
		{"k3", 3, 10, 90, 70.0 / 101},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &knob{v: 0.999999}
			b, _ := newTest(t, Config{Mode: ModeAdaptive, AdaptiveK: tt.k, MinimumCalls: 1, Random: r.rand})
			calls(t, b, tt.accepts, nil)
			calls(t, b, tt.failures, errBoom)
			m := b.Metrics()
			if math.Abs(m.RejectProbability-tt.want) > 1e-12 {
				t.Fatalf("RejectProbability = %v want %v", m.RejectProbability, tt.want)
			}
			if m.State != StateClosed || m.Mode != ModeAdaptive {
				t.Errorf("State, Mode = %v, %v want closed, adaptive", m.State, m.Mode)
			}
			if tt.want == 0 {
				r.set(0)
				if !call(t, b, nil) {
					t.Fatalf("Acquire() rejected with probability 0")
				}
				return
			}
			// Just above p: admitted. Just below: rejected, and the rejection
			// counts as a request that was not accepted.
			r.set(tt.want + 1e-9)
			if p, err := b.Acquire(ctx); err != nil {
				t.Fatalf("Acquire() with Random %v > p %v = %v want admitted", tt.want+1e-9, tt.want, err)
			} else {
				p.Done(resilience.MarkIgnored(errBoom))
			}
			r.set(tt.want - 1e-9)
			if _, err := b.Acquire(ctx); !errors.Is(err, ErrOpen) {
				t.Fatalf("Acquire() with Random %v < p %v = %v want ErrOpen", tt.want-1e-9, tt.want, err)
			}
			req := float64(tt.accepts + tt.failures + 1)
			want := max(0, (req-tt.k*float64(tt.accepts))/(req+1))
			m = b.Metrics()
			if math.Abs(m.RejectProbability-want) > 1e-12 || m.Rejected != 1 {
				t.Errorf("after a rejection: RejectProbability, Rejected = %v, %d want %v, 1", m.RejectProbability, m.Rejected, want)
			}
			if m.FailuresTotal != uint64(tt.failures) {
				t.Errorf("FailuresTotal = %d want %d (throttled calls are not failures)", m.FailuresTotal, tt.failures)
			}
		})
	}
}

func TestAdaptiveMinimumCallsAndWindow(t *testing.T) {
	r := &knob{v: 0}
	b, clk := newTest(t, Config{Mode: ModeAdaptive, MinimumCalls: 5, AdaptiveWindow: 10 * time.Second, Random: r.rand})
	calls(t, b, 4, errBoom)
	if !call(t, b, errBoom) { // 4 requests < 5: no throttling yet
		t.Fatalf("throttled below MinimumCalls")
	}
	if call(t, b, nil) { // 5 requests, 0 accepts: p = 5/6 > 0 = Random
		t.Fatalf("not throttled at 5 failing requests")
	}
	clk.Advance(10 * time.Second) // the window forgets
	if !call(t, b, nil) {
		t.Fatalf("throttled after the window expired")
	}
	if got := b.State(); got != StateClosed {
		t.Errorf("State() = %v want closed", got)
	}
	b.ForceOpen()
	if call(t, b, nil) {
		t.Errorf("forced-open adaptive breaker admitted a call")
	}
	b.MetricsOnly()
	calls(t, b, 20, errBoom)
	if !call(t, b, nil) {
		t.Errorf("metrics-only adaptive breaker throttled")
	}
}
