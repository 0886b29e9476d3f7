package retry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// script is a call that fails with errs in turn (the last one repeats),
// takes latency on the test's clock, and records each attempt's number.
type script struct {
	errs     []error
	latency  time.Duration
	clk      *jumpClock
	onCall   func(n int)
	attempts []int
}

func (s *script) call(ctx context.Context) error {
	n := len(s.attempts)
	s.attempts = append(s.attempts, resilience.AttemptFromContext(ctx))
	if s.latency > 0 {
		s.clk.Advance(s.latency)
	}
	if s.onCall != nil {
		s.onCall(n + 1)
	}
	return s.errs[min(n, len(s.errs)-1)]
}

// deadlineCtx has a deadline on the test's manual clock but is never done.
type deadlineCtx struct {
	context.Context
	dl time.Time
}

func (c deadlineCtx) Deadline() (time.Time, bool) { return c.dl, true }

func TestPolicyOutcomes(t *testing.T) {
	const ms = time.Millisecond
	e503 := &statusError{code: 503}
	slow503 := &statusError{code: 503, after: 20 * time.Second}
	errBusiness := errors.New("bad input")
	constant := BackoffConfig{Kind: BackoffConstant, Initial: 100 * ms}
	exponential := BackoffConfig{Kind: BackoffExponential, Initial: 100 * ms, Max: time.Second}
	tests := []struct {
		name      string
		cfg       Config
		budget    *BudgetConfig
		errs      []error
		latency   time.Duration
		deadline  time.Duration // after t0; zero means none
		wantCalls int
		wantSleep []time.Duration
		wantIs    []error // errors.Is must hold for each
		wantNotIs []error // errors.Is must fail for each
		wantNil   bool
		wantKinds []string
	}{
		{name: "first-success", cfg: Config{Backoff: exponential}, errs: []error{nil},
			wantCalls: 1, wantNil: true},
		{name: "retry-then-success", cfg: Config{Backoff: exponential}, errs: []error{e503, e503, nil},
			wantCalls: 3, wantSleep: []time.Duration{100 * ms, 200 * ms}, wantNil: true,
			wantKinds: []string{"retry", "retry"}},
		{name: "exhausted", cfg: Config{Backoff: exponential}, errs: []error{e503},
			wantCalls: 3, wantSleep: []time.Duration{100 * ms, 200 * ms}, wantIs: []error{ErrExhausted, e503},
			wantKinds: []string{"retry", "retry", "exhausted:max_attempts"}},
		{name: "single-attempt", cfg: Config{MaxAttempts: 1}, errs: []error{e503},
			wantCalls: 1, wantIs: []error{ErrExhausted, e503}, wantKinds: []string{"exhausted:max_attempts"}},
		{name: "not-retryable", cfg: Config{Backoff: exponential}, errs: []error{errBusiness},
			wantCalls: 1, wantIs: []error{errBusiness}, wantNotIs: []error{ErrExhausted}},
		{name: "permanent", cfg: Config{Backoff: exponential, RetryIf: func(error) bool { return true }},
			errs: []error{Permanent(e503)}, wantCalls: 1, wantIs: []error{e503}, wantNotIs: []error{ErrExhausted}},
		{name: "custom-retry-if", cfg: Config{Backoff: constant, RetryIf: func(err error) bool { return errors.Is(err, errBusiness) }},
			errs: []error{errBusiness, nil}, wantCalls: 2, wantSleep: []time.Duration{100 * ms}, wantNil: true,
			wantKinds: []string{"retry"}},
		{name: "per-attempt-timeout-retried", cfg: Config{Backoff: constant},
			errs:      []error{fmt.Errorf("attempt: %w", context.DeadlineExceeded), nil},
			wantCalls: 2, wantSleep: []time.Duration{100 * ms}, wantNil: true, wantKinds: []string{"retry"}},
		{name: "retry-after-longer-than-backoff", cfg: Config{Backoff: exponential},
			errs:      []error{&statusError{code: 429, after: 700 * ms}, nil},
			wantCalls: 2, wantSleep: []time.Duration{700 * ms}, wantNil: true, wantKinds: []string{"retry"}},
		{name: "retry-after-shorter-than-backoff", cfg: Config{Backoff: constant},
			errs:      []error{&statusError{code: 429, after: 10 * ms}, nil},
			wantCalls: 2, wantSleep: []time.Duration{100 * ms}, wantNil: true, wantKinds: []string{"retry"}},
		{name: "retry-after-above-cap", cfg: Config{Backoff: exponential},
			errs: []error{slow503}, wantCalls: 1,
			wantIs: []error{slow503}, wantNotIs: []error{ErrExhausted}, wantKinds: []string{"retry_skipped:retry_after"}},
		{name: "max-elapsed", cfg: Config{Backoff: constant, MaxAttempts: 10, MaxElapsed: 250 * ms},
			errs: []error{e503}, wantCalls: 3, wantSleep: []time.Duration{100 * ms, 100 * ms},
			wantIs: []error{ErrExhausted, e503}, wantKinds: []string{"retry", "retry", "exhausted:max_elapsed"}},
		{name: "retry-after-beyond-max-elapsed", cfg: Config{Backoff: constant, MaxElapsed: time.Second},
			errs: []error{&statusError{code: 503, after: 2 * time.Second}}, wantCalls: 1,
			wantIs: []error{ErrExhausted}, wantKinds: []string{"exhausted:max_elapsed"}},
		{name: "deadline-too-close", cfg: Config{Backoff: constant, MaxAttempts: 10}, deadline: 150 * ms,
			errs: []error{e503}, wantCalls: 2, wantSleep: []time.Duration{100 * ms},
			wantIs: []error{e503}, wantNotIs: []error{ErrExhausted}, wantKinds: []string{"retry", "retry_skipped:deadline"}},
		{name: "deadline-counts-attempt-latency", cfg: Config{Backoff: BackoffConfig{Kind: BackoffConstant, Initial: 50 * ms}},
			deadline: 240 * ms, latency: 100 * ms, errs: []error{e503}, wantCalls: 1,
			wantIs: []error{e503}, wantKinds: []string{"retry_skipped:deadline"}},
		{name: "deadline-room-enough", cfg: Config{Backoff: BackoffConfig{Kind: BackoffConstant, Initial: 50 * ms}},
			deadline: 260 * ms, latency: 100 * ms, errs: []error{e503, nil}, wantCalls: 2,
			wantSleep: []time.Duration{50 * ms}, wantNil: true, wantKinds: []string{"retry"}},
		{name: "budget-spent", cfg: Config{Backoff: constant}, budget: &BudgetConfig{Ratio: 0.5, MinPerSecond: 0.001},
			errs: []error{e503}, wantCalls: 1, wantIs: []error{e503}, wantNotIs: []error{ErrExhausted},
			wantKinds: []string{"retry_skipped:budget"}},
		{name: "budget-one-retry", cfg: Config{Backoff: constant}, budget: &BudgetConfig{Ratio: 1, MinPerSecond: 0.001},
			errs: []error{e503}, wantCalls: 2, wantSleep: []time.Duration{100 * ms}, wantIs: []error{e503},
			wantNotIs: []error{ErrExhausted}, wantKinds: []string{"retry", "retry_skipped:budget"}},
		{name: "no-wait", cfg: Config{Backoff: BackoffConfig{Kind: BackoffNone}}, errs: []error{e503, e503, nil},
			wantCalls: 3, wantNil: true, wantKinds: []string{"retry", "retry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newJumpClock()
			rec := &recorder{}
			cfg := tt.cfg
			cfg.Clock, cfg.Listener, cfg.Random = clk, rec, fixedRandom(0.5)
			if tt.budget != nil {
				bc := *tt.budget
				bc.Clock = clk
				b, err := NewBudget(bc)
				if err != nil {
					t.Fatal(err)
				}
				cfg.Budget = b
			}
			p, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tt.deadline > 0 {
				ctx = deadlineCtx{Context: ctx, dl: t0.Add(tt.deadline)}
			}
			s := &script{errs: tt.errs, latency: tt.latency, clk: clk}
			err = Do(ctx, p, s.call)

			if len(s.attempts) != tt.wantCalls {
				t.Errorf("calls = %d want %d", len(s.attempts), tt.wantCalls)
			}
			for i, n := range s.attempts {
				if n != i+1 {
					t.Errorf("attempt %d saw AttemptFromContext = %d", i+1, n)
				}
			}
			if got := clk.Sleeps(); !slices.Equal(got, tt.wantSleep) {
				t.Errorf("sleeps = %v want %v", got, tt.wantSleep)
			}
			if tt.wantNil && err != nil {
				t.Errorf("Do() = %v want nil", err)
			}
			for _, target := range tt.wantIs {
				if !errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = false want true", err, target)
				}
			}
			for _, target := range tt.wantNotIs {
				if errors.Is(err, target) {
					t.Errorf("errors.Is(%v, %v) = true want false", err, target)
				}
			}
			if got := rec.kinds(); !slices.Equal(got, tt.wantKinds) {
				t.Errorf("events = %v want %v", got, tt.wantKinds)
			}
		})
	}
}

func TestPolicyEventFields(t *testing.T) {
	clk := newJumpClock()
	rec := &recorder{}
	e503 := &statusError{code: 503}
	p, err := New(Config{
		Name: "db", Clock: clk, Listener: rec, MaxAttempts: 2,
		Backoff: BackoffConfig{Kind: BackoffConstant, Initial: 30 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	s := &script{errs: []error{e503}, latency: 5 * time.Millisecond, clk: clk}
	err = Do(context.Background(), p, s.call)
	var ex *ExhaustedError
	if !errors.As(err, &ex) || ex.Attempts != 2 || ex.Reason != "max_attempts" || ex.Err != e503 {
		t.Fatalf("Do() = %#v want ExhaustedError{2, e503, max_attempts}", err)
	}
	want := []resilience.Event{
		{Kind: resilience.EventRetry, Policy: "retry", Name: "db", Attempt: 2, Delay: 30 * time.Millisecond, Latency: 5 * time.Millisecond, Err: e503},
		{Kind: resilience.EventExhausted, Policy: "retry", Name: "db", Attempt: 2, Latency: 5 * time.Millisecond, Err: e503, Detail: "max_attempts"},
	}
	if got := rec.Events(); !slices.Equal(got, want) {
		t.Errorf("events =\n%+v\nwant\n%+v", got, want)
	}
	st := p.Stats()
	if st.Retries != 1 || st.Exhausted != 1 || st.Skipped != 0 || st.AttemptLatency != 5*time.Millisecond {
		t.Errorf("Stats() = %+v want 1 retry, 1 exhausted, latency 5ms", st)
	}
}

func TestPolicyCallerContextNotRetried(t *testing.T) {
	tests := []struct {
		name string
		make func() (context.Context, context.CancelFunc)
		want error
	}{
		{"canceled", func() (context.Context, context.CancelFunc) { return context.WithCancel(context.Background()) }, context.Canceled},
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithDeadline(context.Background(), time.Now().Add(time.Hour))
		}, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newJumpClock()
			p, err := New(Config{Clock: clk, RetryIf: func(error) bool { return true }})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := tt.make()
			defer cancel()
			calls := 0
			err = Do(ctx, p, func(context.Context) error {
				calls++
				cancel() // the caller gives up during the attempt
				return fmt.Errorf("call: %w", tt.want)
			})
			if calls != 1 || !errors.Is(err, tt.want) || errors.Is(err, ErrExhausted) {
				t.Errorf("Do() = %v after %d calls want %v after 1", err, calls, tt.want)
			}
		})
	}
}

func TestWaitCancelAbortsSleep(t *testing.T) {
	clk := clock.NewManual(t0)
	p, err := New(Config{Clock: clk, Backoff: BackoffConfig{Kind: BackoffConstant, Initial: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e503 := &statusError{code: 503}
	done := make(chan error, 1)
	calls := 0
	go func() { done <- Do(ctx, p, func(context.Context) error { calls++; return e503 }) }()
	clk.WaitForTimers(1) // the backoff sleep has started
	cancel()
	err = <-done
	if calls != 1 || !errors.Is(err, context.Canceled) || !errors.Is(err, e503) || errors.Is(err, ErrExhausted) {
		t.Errorf("Do() = %v after %d calls want Canceled and e503 after 1", err, calls)
	}
	if n := clk.Timers(); n != 0 {
		t.Errorf("Timers() = %d after the sleep was aborted want 0", n)
	}
}

func TestWaitSleepsOnClock(t *testing.T) {
	clk := clock.NewManual(t0)
	p, err := New(Config{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Wait(context.Background(), time.Second, nil) }()
	clk.WaitForTimers(1)
	clk.Advance(999 * time.Millisecond)
	select {
	case err := <-done:
		t.Fatalf("Wait returned %v before its delay", err)
	default:
	}
	clk.Advance(time.Millisecond)
	if err := <-done; err != nil {
		t.Errorf("Wait() = %v want nil", err)
	}
}
