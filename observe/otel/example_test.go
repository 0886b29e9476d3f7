package otel_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/fallback"
	"github.com/resilience-go/resilience/observe/otel"
)

func ExampleTrace() {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	br, _ := circuitbreaker.New(circuitbreaker.Config{Name: "db", ConsecutiveFailures: 1, OpenDuration: time.Minute, Clock: clk})
	fb, _ := fallback.New[string](fallback.Config{Name: "fb"}, fallback.Stub("default", "n/a"))
	p, _ := resilience.NewPipeline[string](otel.Trace[string](fb, br)...)

	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	defer tp.Shutdown(context.Background())
	ctx, span := tp.Tracer("example").Start(context.Background(), "GET /user")

	call := func(context.Context) (string, error) { return "", errors.New("connection refused") }
	otel.Do(ctx, p, call)      // fails (not transient: no fallback); the breaker opens
	r := otel.Do(ctx, p, call) // rejected: the fallback serves
	span.End()

	fmt.Println("value:", r.Value, "degraded:", r.Degraded)
	for _, e := range sr.Ended()[0].Events() {
		fmt.Println(e.Name)
	}
	// Output:
	// value: n/a degraded: true
	// resilience.state_change
	// resilience.rejected
	// resilience.fallback
}
