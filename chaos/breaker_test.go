package chaos_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/circuitbreaker"
)

// TestBreakerOpensUnderInjectedFaults is the scenario chaos exists for: an
// outage injected under a circuit breaker opens it, and once the faults
// stop the breaker probes, closes and lets traffic through again.
func TestBreakerOpensUnderInjectedFaults(t *testing.T) {
	m := newManual()
	b, err := circuitbreaker.New(circuitbreaker.Config{ConsecutiveFailures: 5, OpenDuration: time.Second, HalfOpenProbes: 1, Clock: m})
	if err != nil {
		t.Fatal(err)
	}
	inj := mustNew(t, chaos.Config{Name: "payments", Clock: m, Seed: 1, Faults: []chaos.Fault{
		{Name: "outage", Kind: chaos.KindError, Probability: 1},
	}})
	ctx := context.Background()
	reached := 0 // calls that got through to the dependency
	call := func() error {
		return b.Execute(ctx, func(ctx context.Context) error {
			p, err := inj.Acquire(ctx)
			if err != nil {
				return err
			}
			defer p.Done(nil)
			reached++
			return nil
		})
	}
	expect := func(step string, wantErr error, want circuitbreaker.State) {
		t.Helper()
		err := call()
		if wantErr == nil && err != nil || wantErr != nil && !errors.Is(err, wantErr) {
			t.Fatalf("%s: call() = %v want %v", step, err, wantErr)
		}
		if got := b.State(); got != want {
			t.Fatalf("%s: State() = %v want %v", step, got, want)
		}
	}

	for range 10 {
		expect("healthy", nil, circuitbreaker.StateClosed)
	}
	inj.Enable()
	for range 4 {
		expect("outage, below the threshold", chaos.ErrInjected, circuitbreaker.StateClosed)
	}
	expect("fifth injected failure trips", chaos.ErrInjected, circuitbreaker.StateOpen)
	decided := inj.Stats().Calls
	expect("open breaker rejects", circuitbreaker.ErrOpen, circuitbreaker.StateOpen)
	if inj.Stats().Calls != decided {
		t.Fatal("an open breaker let a call through to the injector")
	}

	// A probe during the outage fails and re-opens the breaker.
	m.Advance(b.RemainingOpen())
	if got := b.State(); got != circuitbreaker.StateHalfOpen {
		t.Fatalf("after the open wait: State() = %v want half_open", got)
	}
	expect("probe during the outage", chaos.ErrInjected, circuitbreaker.StateOpen)

	// The faults stop; the next probe succeeds and closes the breaker.
	inj.Disable()
	expect("still open after the outage", circuitbreaker.ErrOpen, circuitbreaker.StateOpen)
	m.Advance(b.RemainingOpen())
	before := reached
	expect("probe after the outage", nil, circuitbreaker.StateClosed)
	for range 10 {
		expect("recovered", nil, circuitbreaker.StateClosed)
	}
	if got := reached - before; got != 11 {
		t.Errorf("%d calls reached the dependency after recovery; want 11", got)
	}
	if s := inj.Stats(); s.Errors != 6 {
		t.Errorf("injector failed %d calls; want 6 (5 to trip, 1 failed probe)", s.Errors)
	}
}

// With a probabilistic fault and a seed, the breaker trips at the same call
// in every run, and a pipeline with the injector inside the breaker shows
// the same behaviour as Execute.
func TestBreakerTripsDeterministicallyUnderRandomFaults(t *testing.T) {
	trippedAt := func() int {
		m := newManual()
		b, err := circuitbreaker.New(circuitbreaker.Config{ConsecutiveFailures: 5, OpenDuration: time.Second, HalfOpenProbes: 1, Clock: m})
		if err != nil {
			t.Fatal(err)
		}
		inj := mustNew(t, chaos.Config{Enabled: true, Clock: m, Seed: 2026, Faults: []chaos.Fault{
			{Name: "flaky", Kind: chaos.KindAbort, HTTPStatus: 503, Probability: 0.7},
		}})
		p, err := resilience.NewPipeline[string](b, inj)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 1000; i++ {
			_, err := p.Execute(context.Background(), func(context.Context) (string, error) { return "ok", nil })
			if errors.Is(err, circuitbreaker.ErrOpen) {
				return i
			}
			if err != nil && !errors.Is(err, chaos.ErrInjected) {
				t.Fatalf("call %d: %v", i, err)
			}
		}
		t.Fatal("the breaker never opened under a 70% fault rate")
		return 0
	}
	first := trippedAt()
	if again := trippedAt(); again != first {
		t.Errorf("with the same seed the breaker opened at call %d, then at %d", first, again)
	}
	if first < 6 {
		t.Errorf("the breaker rejected call %d; at least 5 failures must come first", first)
	}
}
