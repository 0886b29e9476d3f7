package circuitbreaker

import (
	"context"
	"errors"
	"testing"

	"github.com/resilience-go/resilience"
)

func TestExecute(t *testing.T) {
	b, _ := newTest(t, Config{ConsecutiveFailures: 2})
	ran := 0
	fn := func(err error) func(context.Context) error {
		return func(context.Context) error { ran++; return err }
	}
	if err := b.Execute(ctx, fn(nil)); err != nil {
		t.Fatalf("Execute(ok) = %v", err)
	}
	if err := b.Execute(ctx, fn(errBoom)); !errors.Is(err, errBoom) {
		t.Fatalf("Execute(fail) = %v want errBoom", err)
	}
	_ = b.Execute(ctx, fn(errBoom))
	if err := b.Execute(ctx, fn(nil)); !errors.Is(err, ErrOpen) {
		t.Fatalf("Execute() while open = %v want ErrOpen", err)
	}
	if ran != 3 {
		t.Errorf("fn ran %d times want 3", ran)
	}
}

func TestDo(t *testing.T) {
	b, _ := newTest(t, Config{ConsecutiveFailures: 1})
	v, err := Do(ctx, b, func(context.Context) (int, error) { return 42, nil })
	if v != 42 || err != nil {
		t.Fatalf("Do(ok) = %v, %v want 42, nil", v, err)
	}
	v, err = Do(ctx, b, func(context.Context) (int, error) { return 7, errBoom })
	if v != 7 || !errors.Is(err, errBoom) {
		t.Fatalf("Do(fail) = %v, %v want 7, errBoom", v, err)
	}
	v, err = Do(ctx, b, func(context.Context) (int, error) { t.Fatal("ran while open"); return 1, nil })
	if v != 0 || !errors.Is(err, ErrOpen) {
		t.Fatalf("Do() while open = %v, %v want 0, ErrOpen", v, err)
	}
}

func TestPanicRecordedAndRepanicked(t *testing.T) {
	tests := []struct {
		name string
		run  func(b *Breaker)
	}{
		{"execute", func(b *Breaker) { _ = b.Execute(ctx, func(context.Context) error { panic("kaboom") }) }},
		{"do", func(b *Breaker) { _, _ = Do(ctx, b, func(context.Context) (int, error) { panic("kaboom") }) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			b, _ := newTest(t, Config{ConsecutiveFailures: 1, Listener: rec})
			func() {
				defer func() {
					if r := recover(); r != "kaboom" {
						t.Errorf("recovered %v want the original panic value", r)
					}
				}()
				tt.run(b)
			}()
			wantState(t, b, StateOpen)
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if e := rec.events[0]; e.Kind != resilience.EventFailure || !errors.Is(e.Err, resilience.ErrPanicked) {
				t.Errorf("first event = %+v want a failure with ErrPanicked", e)
			}
		})
	}
}

func TestPipelineComposition(t *testing.T) {
	b, _ := newTest(t, Config{ConsecutiveFailures: 1})
	p, err := resilience.NewPipeline[string](b)
	if err != nil {
		t.Fatalf("NewPipeline(b) = %v", err)
	}
	if _, err := p.Execute(ctx, func(context.Context) (string, error) { return "", errBoom }); !errors.Is(err, errBoom) {
		t.Fatalf("pipeline Execute = %v want errBoom", err)
	}
	if _, err := p.Execute(ctx, func(context.Context) (string, error) { return "x", nil }); !errors.Is(err, ErrOpen) {
		t.Fatalf("pipeline Execute while open = %v want ErrOpen", err)
	}
}
