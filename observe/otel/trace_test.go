package otel_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/fallback"
	"github.com/resilience-go/resilience/observe/otel"
	"github.com/resilience-go/resilience/retry"
	"github.com/resilience-go/resilience/timeout"
)

// recorded runs f inside a recording span and returns the span's events,
// formatted "name{key=value ...}" with attributes sorted, and its
// attributes.
func recorded(t *testing.T, f func(ctx context.Context)) (events []string, attrs map[string]string) {
	t.Helper()
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	defer tp.Shutdown(context.Background())
	ctx, span := tp.Tracer("test").Start(context.Background(), "call")
	f(ctx)
	span.End()
	ended := sr.Ended()
	if len(ended) != 1 {
		t.Fatalf("recorded %d spans want 1", len(ended))
	}
	for _, e := range ended[0].Events() {
		var kv []string
		for _, a := range e.Attributes {
			kv = append(kv, fmt.Sprintf("%s=%s", strings.TrimPrefix(string(a.Key), "resilience."), a.Value.Emit()))
		}
		events = append(events, e.Name+"{"+strings.Join(kv, " ")+"}")
	}
	attrs = map[string]string{}
	for _, a := range ended[0].Attributes() {
		attrs[string(a.Key)] = a.Value.Emit()
	}
	return events, attrs
}

func TestTraceRetries(t *testing.T) {
	clk := clock.NewManual(t0)
	rt := must(retry.New(retry.Config{
		Name: "r", MaxAttempts: 3, Clock: clk, RetryIf: func(error) bool { return true },
		Backoff: retry.BackoffConfig{Kind: retry.BackoffConstant, Initial: 100 * time.Millisecond},
	}))
	p := must(resilience.NewPipeline[int](otel.Trace[int](rt)...))
	calls := 0
	events, attrs := recorded(t, func(ctx context.Context) {
		done := make(chan resilience.Result[int], 1)
		go func() {
			done <- otel.Do(ctx, p, func(context.Context) (int, error) {
				calls++
				if calls < 3 {
					return 0, fmt.Errorf("flaky %d", calls)
				}
				return 42, nil
			})
		}()
		for range 2 {
			clk.WaitForTimers(1)
			clk.Advance(100 * time.Millisecond)
		}
		if r := <-done; r.Value != 42 || r.Err != nil || r.Attempts != 3 {
			t.Errorf("Do = %+v want 42 after 3 attempts", r)
		}
	})
	want := []string{
		"resilience.retry{policy=retry attempt=2 delay=0.1 error=flaky 1}",
		"resilience.retry{policy=retry attempt=3 delay=0.1 error=flaky 2}",
	}
	if fmt.Sprint(events) != fmt.Sprint(want) {
		t.Errorf("events =\n%v\nwant\n%v", events, want)
	}
	if attrs["resilience.attempts"] != "3" || attrs["resilience.degraded"] != "false" || attrs["resilience.rejected"] != "false" {
		t.Errorf("span attributes = %v want attempts 3, not degraded, not rejected", attrs)
	}
}

func TestTraceRejectionAndFallback(t *testing.T) {
	clk := clock.NewManual(t0)
	br := must(circuitbreaker.New(circuitbreaker.Config{Name: "db", ConsecutiveFailures: 1, OpenDuration: time.Minute, Clock: clk}))
	fb := must(fallback.New[string](fallback.Config{Name: "fb"}, fallback.Stub("cached", "stale")))
	rt := must(retry.New(retry.Config{Name: "r", MaxAttempts: 1, Clock: clk, RetryIf: func(error) bool { return true }}))
	p := must(resilience.NewPipeline[string](otel.Trace[string](fb, br, rt)...))
	call := func(context.Context) (string, error) { return "", errors.New("down") }

	events, attrs := recorded(t, func(ctx context.Context) {
		// Fails and trips the breaker; the fallback serves only transient
		// errors (fallback.OnTransient), and an exhausted retry is not one.
		if r := otel.Do(ctx, p, call); r.Err == nil || r.Degraded {
			t.Errorf("first Do = %+v want the retry's error, not degraded", r)
		}
		r := otel.Do(ctx, p, call)
		if r.Value != "stale" || !r.Degraded {
			t.Errorf("Do on an open breaker = %+v want the degraded fallback", r)
		}
	})
	want := []string{
		"resilience.retry_stopped{policy=retry attempt=1 error=retry: max_attempts after 1 attempts: down}",
		"resilience.state_change{policy=circuitbreaker name=db from=closed to=open}",
		"resilience.rejected{policy=circuitbreaker name=db error=" + circuitbreaker.ErrOpen.Error() + "}",
		"resilience.fallback{policy=fallback error=" + circuitbreaker.ErrOpen.Error() + "}",
	}
	if fmt.Sprint(events) != fmt.Sprint(want) {
		t.Errorf("events =\n%v\nwant\n%v", strings.Join(events, "\n"), strings.Join(want, "\n"))
	}
	if attrs["resilience.degraded"] != "true" || attrs["resilience.rejected"] != "false" {
		t.Errorf("span attributes = %v want degraded, not rejected (the fallback served)", attrs)
	}
}

func TestTraceTimeout(t *testing.T) {
	clk := clock.NewManual(t0)
	to := must(timeout.New(timeout.Config{Name: "t", Timeout: time.Second, Clock: clk}))
	p := must(resilience.NewPipeline[int](otel.Trace[int](to)...))
	events, _ := recorded(t, func(ctx context.Context) {
		_, err := p.Execute(ctx, func(ctx context.Context) (int, error) {
			clk.Advance(2 * time.Second) // the call outlives its bound
			<-ctx.Done()
			return 0, ctx.Err()
		})
		if !errors.Is(err, timeout.ErrTimeout) {
			t.Errorf("Execute = %v want ErrTimeout", err)
		}
	})
	if len(events) != 1 || !strings.HasPrefix(events[0], "resilience.timeout{policy=timeout") {
		t.Errorf("events = %v want one resilience.timeout", events)
	}
}

func TestTraceWithoutSpan(t *testing.T) {
	clk := clock.NewManual(t0)
	br := must(circuitbreaker.New(circuitbreaker.Config{Name: "db", ConsecutiveFailures: 1, OpenDuration: time.Minute, Clock: clk}))
	p := must(resilience.NewPipeline[int](otel.Trace[int](br)...))
	for range 2 {
		r := otel.Do(context.Background(), p, func(context.Context) (int, error) { return 0, errors.New("down") })
		if r.Err == nil {
			t.Fatal("Do = nil error want the call's failure or ErrOpen")
		}
	}
	if !raceEnabled {
		ctx := context.Background()
		if n := testing.AllocsPerRun(100, func() { _, _ = p.Execute(ctx, func(context.Context) (int, error) { return 0, nil }) }); n != 0 {
			t.Errorf("rejected Execute without a span allocates %v times want 0", n)
		}
	}
}

func TestTraceKeepsStageKinds(t *testing.T) {
	clk := clock.NewManual(t0)
	rp := must(retry.New(retry.Config{Name: "r", MaxAttempts: 3, Clock: clk, Backoff: retry.BackoffConfig{Kind: retry.BackoffNone}}))
	rr := retry.OnResult(rp, func(v int) bool { return v <= 0 }) // a ResultRetrier[int]
	wrapped := otel.Trace[int](rr, nil, "not a policy")
	if _, ok := wrapped[0].(resilience.ResultRetrier[int]); !ok {
		t.Errorf("Trace(ResultRetrier) = %T, not a ResultRetrier[int]", wrapped[0])
	}
	if wrapped[1] != nil || wrapped[2] != "not a policy" {
		t.Errorf("Trace passed %v, %v want nil and the string unchanged", wrapped[1], wrapped[2])
	}
	p := must(resilience.NewPipeline[int](wrapped[0]))
	n := 0
	v, err := p.Execute(context.Background(), func(context.Context) (int, error) { n++; return n - 2, nil })
	if v != 1 || err != nil || n != 3 {
		t.Errorf("Execute = %v, %v after %d calls want 1, nil after 3 (results <= 0 retried)", v, err, n)
	}
	events, _ := recorded(t, func(ctx context.Context) {
		m := 0
		_, _ = p.Execute(ctx, func(context.Context) (int, error) { m++; return m - 2, nil })
	})
	want := []string{
		"resilience.retry{policy=retry attempt=2 delay=0 error=}",
		"resilience.retry{policy=retry attempt=3 delay=0 error=}",
	}
	if fmt.Sprint(events) != fmt.Sprint(want) {
		t.Errorf("events = %v want %v", events, want)
	}
}
