package dashboard

import (
	"errors"
	"testing"
	"time"

	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/circuitbreaker"
)

func TestRegistry(t *testing.T) {
	var r Registry // the zero value is ready
	mk := func(name string) *circuitbreaker.Breaker {
		b, err := circuitbreaker.New(circuitbreaker.Config{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	inj, err := chaos.New(chaos.Config{Name: "faults"})
	if err != nil {
		t.Fatal(err)
	}
	adds := []struct {
		name string
		err  error
		want error
	}{
		{"breaker-b", r.AddBreaker(mk("b")), nil},
		{"breaker-a", r.AddBreaker(mk("a")), nil},
		{"duplicate", r.AddBreaker(mk("a")), ErrDuplicateName},
		{"unnamed", r.AddBreaker(mk("")), ErrNoName},
		{"nil-breaker", r.AddBreaker(nil), ErrNoName},
		{"injector", r.AddInjector(inj), nil},
		{"duplicate-injector", r.AddInjector(inj), ErrDuplicateName},
		{"nil-injector", r.AddInjector(nil), ErrNoName},
	}
	for _, a := range adds {
		if !errors.Is(a.err, a.want) || (a.want == nil && a.err != nil) {
			t.Errorf("%s: err = %v want %v", a.name, a.err, a.want)
		}
	}
	want := []Target{{KindBreaker, "a", "closed"}, {KindBreaker, "b", "closed"}, {KindChaos, "faults", "disabled"}}
	check := func(when string) {
		t.Helper()
		got := r.Targets()
		if len(got) != len(want) {
			t.Fatalf("%s: Targets() = %+v want %+v", when, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: Targets()[%d] = %+v want %+v", when, i, got[i], want[i])
			}
		}
	}
	check("at first")

	steps := []struct {
		name string
		do   func() error
		want error
	}{
		{"force-open a", func() error { return r.ForceOpen("a") }, nil},
		{"force-close b", func() error { return r.ForceClose("b") }, nil},
		{"chaos on", func() error { return r.SetChaos("faults", true) }, nil},
		{"unknown breaker", func() error { return r.Reset("faults") }, ErrUnknownTarget},
		{"unknown injector", func() error { return r.SetChaos("a", true) }, ErrUnknownTarget},
		{"unknown force-open", func() error { return r.ForceOpen("zzz") }, ErrUnknownTarget},
	}
	for _, s := range steps {
		if err := s.do(); !errors.Is(err, s.want) || (s.want == nil && err != nil) {
			t.Errorf("%s: err = %v want %v", s.name, err, s.want)
		}
	}
	want[0].State, want[2].State = "forced_open", "enabled"
	check("after the controls")
	if err := r.Reset("a"); err != nil {
		t.Fatal(err)
	}
	if err := r.SetChaos("faults", false); err != nil {
		t.Fatal(err)
	}
	want[0].State, want[2].State = "closed", "disabled"
	check("after reset")
}

// TestForceCloseKeepsTripping documents the choice of Breaker.Reset for
// force-close: the breaker admits calls at once but still trips.
func TestForceCloseKeepsTripping(t *testing.T) {
	e := newEnv(t, Config{})
	e.breaker.ForceOpen()
	if err := e.ctl.ForceClose("db"); err != nil {
		t.Fatal(err)
	}
	if got := e.breaker.State(); got != circuitbreaker.StateClosed {
		t.Fatalf("after ForceClose: %v want closed", got)
	}
	e.call(errBoom)
	e.call(errBoom)
	if got := e.breaker.State(); got != circuitbreaker.StateOpen {
		t.Errorf("after 2 failures: %v want open (force-close is not pinned)", got)
	}
	e.clk.Advance(time.Minute)
	if got := e.breaker.State(); got != circuitbreaker.StateHalfOpen {
		t.Errorf("after the open wait: %v want half_open", got)
	}
}
