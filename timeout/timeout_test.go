package timeout

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

func TestErrTimeoutMatches(t *testing.T) {
	if !errors.Is(ErrTimeout, context.DeadlineExceeded) || !errors.Is(ErrTimeout, ErrTimeout) {
		t.Error("ErrTimeout must match itself and context.DeadlineExceeded")
	}
	if errors.Is(context.DeadlineExceeded, ErrTimeout) || errors.Is(ErrTimeout, context.Canceled) {
		t.Error("context.DeadlineExceeded must not match ErrTimeout, nor ErrTimeout Canceled")
	}
	if te, ok := ErrTimeout.(interface{ Timeout() bool }); !ok || !te.Timeout() {
		t.Error("ErrTimeout must report Timeout() true")
	}
	to, err := New(Config{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if to.cause == ErrTimeout || !errors.Is(to.cause, ErrTimeout) || !errors.Is(to.cause, context.DeadlineExceeded) {
		t.Error("a Timeout's cause must be its own value matching ErrTimeout")
	}
}

func TestExecuteOutcomes(t *testing.T) {
	const limit = 100 * time.Millisecond
	errBusiness := errors.New("bad input")
	tests := []struct {
		name           string
		callerDeadline time.Duration // 0: none
		work           time.Duration // how far fn moves the clock
		cancel         bool          // the caller cancels during fn
		ret            string        // "nil", "business" or "ctx"
		want           error         // the exact error Execute returns
		wantEvents     int
		wantSameCtx    bool // fn runs in the caller's context (no timer)
	}{
		{name: "fast-success", work: 10 * time.Millisecond, ret: "nil", want: nil},
		{name: "fast-error", work: 10 * time.Millisecond, ret: "business", want: errBusiness},
		{name: "expiry-honoured", work: 150 * time.Millisecond, ret: "ctx", want: ErrTimeout, wantEvents: 1},
		{name: "expiry-ignored-success", work: 150 * time.Millisecond, ret: "nil", want: ErrTimeout, wantEvents: 1},
		{name: "expiry-ignored-error", work: 150 * time.Millisecond, ret: "business", want: ErrTimeout, wantEvents: 1},
		{name: "exactly-at-limit", work: limit, ret: "ctx", want: ErrTimeout, wantEvents: 1},
		{name: "just-before-limit", work: limit - 1, ret: "ctx", want: nil},
		{name: "caller-canceled", work: 10 * time.Millisecond, cancel: true, ret: "ctx", want: context.Canceled},
		{name: "caller-deadline-sooner", callerDeadline: 50 * time.Millisecond, work: 60 * time.Millisecond, ret: "ctx",
			want: context.DeadlineExceeded, wantSameCtx: true},
		{name: "caller-deadline-equal", callerDeadline: limit, work: 150 * time.Millisecond, ret: "ctx",
			want: context.DeadlineExceeded, wantSameCtx: true},
		{name: "caller-deadline-later", callerDeadline: time.Second, work: 150 * time.Millisecond, ret: "ctx",
			want: ErrTimeout, wantEvents: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewManual(t0)
			rec := &recorder{}
			to, err := New(Config{Name: "db", Timeout: limit, Clock: clk, Listener: rec})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.callerDeadline > 0 {
				outer, err := New(Config{Timeout: tt.callerDeadline, Clock: clk})
				if err != nil {
					t.Fatal(err)
				}
				octx, ocancel, _ := outer.Enter(ctx)
				defer ocancel()
				ctx = octx
			}
			timersBefore := clk.Timers()
			var sameCtx bool
			var timersDuring int
			err = to.Execute(ctx, func(inner context.Context) error {
				sameCtx = inner == ctx
				timersDuring = clk.Timers()
				if dl, ok := inner.Deadline(); !sameCtx && (!ok || !dl.Equal(t0.Add(limit))) {
					t.Errorf("inner.Deadline() = %v, %v want %v", dl, ok, t0.Add(limit))
				}
				if tt.cancel {
					cancel()
				}
				clk.Advance(tt.work)
				switch tt.ret {
				case "business":
					return errBusiness
				case "ctx":
					return inner.Err()
				}
				return nil
			})
			if err != tt.want {
				t.Errorf("Execute() = %v want %v", err, tt.want)
			}
			if sameCtx != tt.wantSameCtx {
				t.Errorf("fn got the caller's context: %v want %v", sameCtx, tt.wantSameCtx)
			}
			if tt.wantSameCtx && timersDuring != timersBefore {
				t.Errorf("timers during fn = %d want %d: the caller's sooner deadline must skip the timer", timersDuring, timersBefore)
			}
			wantTimers := timersBefore // the caller's own timer, if it has not fired
			if tt.callerDeadline > 0 && tt.callerDeadline <= tt.work {
				wantTimers = 0
			}
			if n := clk.Timers(); n != wantTimers {
				t.Errorf("timers after Execute = %d want %d: the timer must be stopped", n, wantTimers)
			}
			events := rec.Events()
			if len(events) != tt.wantEvents {
				t.Fatalf("events = %+v want %d", events, tt.wantEvents)
			}
			for _, e := range events {
				if e.Kind != resilience.EventTimeout || e.Policy != "timeout" || e.Name != "db" || e.Latency != limit {
					t.Errorf("event = %+v want an EventTimeout from db with Latency %v", e, limit)
				}
			}
		})
	}
}

func TestClockContext(t *testing.T) {
	clk := clock.NewManual(t0)
	to, err := New(Config{Timeout: time.Second, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	inner, cancel, err := to.Enter(context.Background())
	if err != nil || cancel == nil {
		t.Fatalf("Enter() = %v, %v want a cancel func", cancel, err)
	}
	defer cancel()
	child, childCancel := context.WithCancel(inner)
	defer childCancel()
	if dl, ok := inner.Deadline(); !ok || !dl.Equal(t0.Add(time.Second)) {
		t.Errorf("Deadline() = %v, %v want %v", dl, ok, t0.Add(time.Second))
	}
	if dl, ok := child.Deadline(); !ok || !dl.Equal(t0.Add(time.Second)) {
		t.Errorf("child Deadline() = %v, %v want %v", dl, ok, t0.Add(time.Second))
	}
	clk.Advance(time.Second - 1)
	if inner.Err() != nil || child.Err() != nil {
		t.Fatalf("Err() = %v, child %v before the deadline", inner.Err(), child.Err())
	}
	clk.Advance(1)
	<-inner.Done()
	<-child.Done()
	if inner.Err() != context.DeadlineExceeded {
		t.Errorf("Err() = %v want context.DeadlineExceeded", inner.Err())
	}
	for _, c := range []context.Context{inner, child} {
		if cause := context.Cause(c); !errors.Is(cause, ErrTimeout) || !errors.Is(cause, context.DeadlineExceeded) {
			t.Errorf("Cause(%v) = %v want an error matching ErrTimeout", c, cause)
		}
	}
	if err := to.Exit(context.Background(), inner, inner.Err()); err != ErrTimeout {
		t.Errorf("Exit() = %v want ErrTimeout", err)
	}
}

func TestCancelStopsClockTimer(t *testing.T) {
	clk := clock.NewManual(t0)
	to, err := New(Config{Timeout: time.Second, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	inner, cancel, _ := to.Enter(context.Background())
	if clk.Timers() != 1 {
		t.Fatalf("Timers() = %d after Enter want 1", clk.Timers())
	}
	cancel()
	if clk.Timers() != 0 || inner.Err() != context.Canceled {
		t.Errorf("after cancel: Timers() = %d, Err() = %v want 0, Canceled", clk.Timers(), inner.Err())
	}
	if err := to.Exit(context.Background(), inner, inner.Err()); err != context.Canceled {
		t.Errorf("Exit() after cancel = %v want context.Canceled", err)
	}
}

// TestNestedTimeouts checks that an inner Timeout passes the outer one's
// expiry through and that only the outer maps it to ErrTimeout.
func TestNestedTimeouts(t *testing.T) {
	clk := clock.NewManual(t0)
	rec := &recorder{}
	outer, err := New(Config{Name: "overall", Timeout: 100 * time.Millisecond, Clock: clk, Listener: rec})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := New(Config{Name: "attempt", Timeout: 80 * time.Millisecond, Clock: clk, Listener: rec})
	if err != nil {
		t.Fatal(err)
	}
	var innerErr error
	err = outer.Execute(context.Background(), func(ctx context.Context) error {
		clk.Advance(50 * time.Millisecond)
		// The inner limit (80ms) is later than what remains (50ms): skipped.
		innerErr = inner.Execute(ctx, func(ctx context.Context) error {
			clk.Advance(60 * time.Millisecond)
			return ctx.Err()
		})
		return innerErr
	})
	if innerErr != context.DeadlineExceeded || err != ErrTimeout {
		t.Errorf("inner = %v, outer = %v want DeadlineExceeded, ErrTimeout", innerErr, err)
	}
	if ev := rec.Events(); len(ev) != 1 || ev[0].Name != "overall" {
		t.Errorf("events = %+v want one from overall", ev)
	}
}

func TestCooperativeRunsInCallerGoroutine(t *testing.T) {
	clk := clock.NewManual(t0)
	to, err := New(Config{Timeout: time.Second, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	caller := goid()
	var ran int
	v, err := Do(context.Background(), to, func(ctx context.Context) (int, error) {
		ran = goid()
		clk.Advance(2 * time.Second) // ignores ctx and overruns
		return 7, nil
	})
	if ran != caller {
		t.Errorf("fn ran in goroutine %d want the caller's %d", ran, caller)
	}
	if v != 7 || err != ErrTimeout {
		t.Errorf("Do() = %d, %v want 7, ErrTimeout", v, err)
	}
	defer func() {
		if r := recover(); r != "boom" {
			t.Errorf("recover() = %v want the panic of fn", r)
		}
	}()
	_ = to.Execute(context.Background(), func(context.Context) error { panic("boom") })
}

func TestPipelineScope(t *testing.T) {
	clk := clock.NewManual(t0)
	to, err := New(Config{Timeout: time.Second, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := resilience.NewPipeline[string](to)
	if err != nil {
		t.Fatal(err)
	}
	v, err := pl.Execute(context.Background(), func(ctx context.Context) (string, error) {
		clk.Advance(time.Second)
		<-ctx.Done()
		return "late", ctx.Err()
	})
	if v != "late" || err != ErrTimeout {
		t.Errorf("Execute() = %q, %v want late, ErrTimeout", v, err)
	}
	if clk.Timers() != 0 {
		t.Errorf("Timers() = %d after Execute want 0", clk.Timers())
	}
}
