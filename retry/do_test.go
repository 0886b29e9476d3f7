package retry

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
)

func TestDoValue(t *testing.T) {
	clk := newJumpClock()
	p, err := New(Config{Clock: clk, Backoff: BackoffConfig{Kind: BackoffConstant, Initial: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	e503 := &statusError{code: 503}
	calls := 0
	v, err := DoValue(context.Background(), p, func(ctx context.Context) (string, error) {
		calls++
		if resilience.AttemptFromContext(ctx) < 3 {
			return "partial", e503
		}
		return "ok", nil
	})
	if v != "ok" || err != nil || calls != 3 {
		t.Errorf("DoValue() = %q, %v after %d calls want ok, nil after 3", v, err, calls)
	}
	v, err = DoValue(context.Background(), p, func(ctx context.Context) (string, error) { return "last", e503 })
	if v != "last" || !errors.Is(err, ErrExhausted) || !errors.Is(err, e503) {
		t.Errorf("DoValue() = %q, %v want last, exhausted e503", v, err)
	}
}

func TestDoNilPolicy(t *testing.T) {
	calls := 0
	err := Do(context.Background(), nil, func(context.Context) error {
		calls++
		return errors.New("not retryable")
	})
	if err == nil || calls != 1 {
		t.Errorf("Do(nil policy) = %v after %d calls want the error after 1", err, calls)
	}
	v, err := DoValue(context.Background(), nil, func(context.Context) (int, error) { return 4, nil })
	if v != 4 || err != nil {
		t.Errorf("DoValue(nil policy) = %d, %v want 4, nil", v, err)
	}
}

func TestOnResult(t *testing.T) {
	tests := []struct {
		name       string
		results    []int
		wantValue  int
		wantCalls  int
		wantExhaus bool
	}{
		{"accepted-first", []int{5}, 5, 1, false},
		{"retried-until-accepted", []int{0, 0, 5}, 5, 3, false},
		{"never-accepted", []int{0, 0, 0, 0}, 0, 3, true},
	}
	for _, tt := range tests {
		for _, via := range []string{"pipeline", "do"} {
			t.Run(tt.name+"/"+via, func(t *testing.T) {
				clk := newJumpClock()
				p, err := New(Config{Clock: clk, Backoff: BackoffConfig{Kind: BackoffConstant, Initial: time.Second}})
				if err != nil {
					t.Fatal(err)
				}
				rp := OnResult(p, func(v int) bool { return v == 0 })
				calls := 0
				fn := func(context.Context) (int, error) {
					calls++
					return tt.results[calls-1], nil
				}
				var v int
				if via == "pipeline" {
					pl, perr := resilience.NewPipeline[int](rp)
					if perr != nil {
						t.Fatal(perr)
					}
					v, err = pl.Execute(context.Background(), fn)
				} else {
					v, err = DoResult(context.Background(), rp, fn)
				}
				if v != tt.wantValue || calls != tt.wantCalls || errors.Is(err, ErrExhausted) != tt.wantExhaus {
					t.Errorf("= %d, %v after %d calls want %d, exhausted %v after %d", v, err, calls, tt.wantValue, tt.wantExhaus, tt.wantCalls)
				}
				if tt.wantExhaus {
					var ex *ExhaustedError
					if !errors.As(err, &ex) || ex.Err != nil || ex.Attempts != 3 {
						t.Errorf("error = %#v want ExhaustedError with nil Err after 3 attempts", err)
					}
				}
			})
		}
	}
}

func TestPipelineAttempts(t *testing.T) {
	clk := newJumpClock()
	rec := &recorder{}
	p, err := New(Config{Clock: clk, Listener: rec, Backoff: BackoffConfig{Kind: BackoffExponential, Initial: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := resilience.NewPipeline[string](p)
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	res := pl.Do(context.Background(), func(ctx context.Context) (string, error) {
		seen = append(seen, resilience.AttemptFromContext(ctx))
		if len(seen) < 3 {
			return "", &statusError{code: 502}
		}
		return "done", nil
	})
	if res.Value != "done" || res.Err != nil || res.Attempts != 3 || !slices.Equal(seen, []int{1, 2, 3}) {
		t.Errorf("Do() = %+v, attempts seen %v want done after [1 2 3]", res, seen)
	}
	if got := clk.Sleeps(); !slices.Equal(got, []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}) {
		t.Errorf("sleeps = %v want [10ms 20ms]", got)
	}
}
