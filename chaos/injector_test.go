package chaos_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/clock"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newManual() *clock.Manual { return clock.NewManual(t0) }

func mustNew(t testing.TB, cfg chaos.Config) *chaos.Injector {
	t.Helper()
	inj, err := chaos.New(cfg)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	return inj
}

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

func (r *recorder) details() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.events))
	for i, e := range r.events {
		out[i] = e.Detail
	}
	return out
}

func TestInjectedErrorsAreDependencyFailures(t *testing.T) {
	tests := []struct {
		name   string
		fault  chaos.Fault
		status int
		code   uint32
		text   string
	}{
		{"error defaults", chaos.Fault{Name: "db-down", Kind: chaos.KindError, Probability: 1}, 503, 14, `chaos: injected error fault "db-down"`},
		{"abort with status", chaos.Fault{Name: "teapot", Kind: chaos.KindAbort, Probability: 1, HTTPStatus: 418, Message: "short and stout"}, 418, 9, `chaos: injected abort fault "teapot": short and stout`},
		{"abort with gRPC code", chaos.Fault{Name: "gone", Kind: chaos.KindAbort, Probability: 1, GRPCCode: 5}, 404, 5, `chaos: injected abort fault "gone"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inj := mustNew(t, chaos.Config{Faults: []chaos.Fault{tt.fault}, Enabled: true, Seed: 1})
			p, err := inj.Acquire(context.Background())
			p.Done(err) // harmless
			var fe *chaos.FaultError
			if !errors.As(err, &fe) {
				t.Fatalf("Acquire() = %v want a *FaultError", err)
			}
			if !errors.Is(err, chaos.ErrInjected) {
				t.Error("errors.Is(err, ErrInjected) = false")
			}
			if errors.Is(err, resilience.ErrRejected) {
				t.Error("an injected fault matches resilience.ErrRejected; breakers would not count it")
			}
			if got := resilience.Classify(err); got != resilience.OutcomeFailure {
				t.Errorf("Classify(err) = %v want failure", got)
			}
			if fe.HTTPStatus() != tt.status || fe.GRPCCode() != tt.code || fe.Error() != tt.text {
				t.Errorf("fault error = %d/%d %q want %d/%d %q", fe.HTTPStatus(), fe.GRPCCode(), fe.Error(), tt.status, tt.code, tt.text)
			}
		})
	}
}

func TestRuntimeToggling(t *testing.T) {
	inj := mustNew(t, chaos.Config{Faults: []chaos.Fault{{Name: "boom", Kind: chaos.KindError, Probability: 1}}})
	ctx := context.Background()
	steps := []struct {
		action  string
		wantErr bool
	}{
		{"start disabled", false},
		{"enable", true},
		{"enable again", true},
		{"disable", false},
		{"enable", true},
		{"clear faults", false},
		{"set faults", true},
	}
	for i, s := range steps {
		switch s.action {
		case "enable", "enable again":
			inj.Enable()
		case "disable":
			inj.Disable()
		case "clear faults":
			if err := inj.SetFaults(nil); err != nil {
				t.Fatal(err)
			}
		case "set faults":
			if err := inj.SetFaults([]chaos.Fault{{Kind: chaos.KindAbort, HTTPStatus: 500, Probability: 1}}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := inj.Acquire(ctx)
		if (err != nil) != s.wantErr {
			t.Fatalf("step %d (%s): Acquire() = %v want error %v", i, s.action, err, s.wantErr)
		}
		if err := func() error { _, err := inj.Acquire(chaos.WithFault(ctx, "boom")); return err }(); !inj.Enabled() && err != nil {
			t.Fatalf("step %d (%s): a disabled injector fired a triggered fault: %v", i, s.action, err)
		}
	}
}

func TestLatencyWaitsOnTheClock(t *testing.T) {
	m := newManual()
	inj := mustNew(t, chaos.Config{Clock: m, Enabled: true, Seed: 7, Faults: []chaos.Fault{
		{Name: "slow", Kind: chaos.KindLatency, Latency: 2 * time.Second, Probability: 1},
		{Name: "slower", Kind: chaos.KindLatency, Latency: time.Second, Probability: 1},
	}})
	done := make(chan error, 1)
	go func() {
		_, err := inj.Acquire(context.Background())
		done <- err
	}()
	m.WaitForTimers(1)
	m.Advance(2999 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Acquire returned %v after 2.999s; the two faults add up to 3s", err)
	default:
	}
	m.Advance(time.Millisecond)
	if err := <-done; err != nil {
		t.Fatalf("Acquire() = %v want nil after the delay", err)
	}

	cause := errors.New("client went away")
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() {
		_, err := inj.Acquire(ctx)
		done <- err
	}()
	m.WaitForTimers(1)
	cancel(cause)
	if err := <-done; !errors.Is(err, cause) {
		t.Fatalf("Acquire(cancelled) = %v want %v", err, cause)
	}
	if s := inj.Stats(); s.Calls != 2 || s.Delayed != 2 || s.Errors != 0 {
		t.Errorf("Stats() = %+v want 2 calls, 2 delayed", s)
	}
}

func TestSeededDecisionsRepeat(t *testing.T) {
	faults := []chaos.Fault{
		{Name: "a", Kind: chaos.KindError, Probability: 0.3},
		{Name: "b", Kind: chaos.KindAbort, HTTPStatus: 500, Probability: 0.3},
	}
	run := func(seed uint64) string {
		inj := mustNew(t, chaos.Config{Faults: faults, Enabled: true, Seed: seed})
		var s []byte
		for range 200 {
			_, err := inj.Acquire(context.Background())
			var fe *chaos.FaultError
			switch {
			case err == nil:
				s = append(s, '.')
			case errors.As(err, &fe):
				s = append(s, fe.Fault[0])
			}
		}
		return string(s)
	}
	first, again, other := run(42), run(42), run(43)
	if first != again {
		t.Errorf("seed 42 gave different sequences:\n%s\n%s", first, again)
	}
	if first == other {
		t.Errorf("seeds 42 and 43 gave the same sequence %s", first)
	}
	if inj := mustNew(t, chaos.Config{Seed: 42}); inj.Seed() != 42 {
		t.Errorf("Seed() = %d want 42", inj.Seed())
	}
}
