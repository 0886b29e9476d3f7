package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/resilience-go/resilience"
)

type businessError struct{ code int }

func (e businessError) Error() string                         { return fmt.Sprintf("business error %d", e.code) }
func (e businessError) ResilienceOutcome() resilience.Outcome { return resilience.OutcomeSuccess }

func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want resilience.Outcome
	}{
		{"nil", nil, resilience.OutcomeSuccess},
		{"plain", errBoom, resilience.OutcomeFailure},
		{"deadline", context.DeadlineExceeded, resilience.OutcomeFailure},
		{"canceled", context.Canceled, resilience.OutcomeIgnored},
		{"wrapped-canceled", fmt.Errorf("call: %w", context.Canceled), resilience.OutcomeIgnored},
		{"marked-success", resilience.MarkSuccess(errBoom), resilience.OutcomeSuccess},
		{"marked-ignored", resilience.MarkIgnored(errBoom), resilience.OutcomeIgnored},
		{"wrapped-marked", fmt.Errorf("ctx: %w", resilience.MarkSuccess(errBoom)), resilience.OutcomeSuccess},
		{"reporter", businessError{404}, resilience.OutcomeSuccess},
		{"joined-reporter", errors.Join(errBoom, businessError{1}), resilience.OutcomeSuccess},
		{"joined-plain", errors.Join(errBoom, errors.New("x")), resilience.OutcomeFailure},
		{"marked-beats-canceled", resilience.MarkSuccess(context.Canceled), resilience.OutcomeSuccess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := resilience.Classify(tt.err); got != tt.want {
				t.Fatalf("Classify(%v) = %v want %v", tt.err, got, tt.want)
			}
		})
	}
}

func TestMarkKeepsChain(t *testing.T) {
	err := resilience.MarkSuccess(errBoom)
	if !errors.Is(err, errBoom) || err.Error() != errBoom.Error() {
		t.Fatalf("MarkSuccess(errBoom) = %v; errors.Is = %v", err, errors.Is(err, errBoom))
	}
	if resilience.MarkSuccess(nil) != nil || resilience.MarkIgnored(nil) != nil {
		t.Fatal("marking nil must stay nil")
	}
	var be businessError
	if !errors.As(resilience.MarkIgnored(businessError{3}), &be) || be.code != 3 {
		t.Fatalf("errors.As through MarkIgnored lost the business error")
	}
}

func TestOutcomeAndEventKindStrings(t *testing.T) {
	for o, want := range map[resilience.Outcome]string{
		resilience.OutcomeSuccess: "success", resilience.OutcomeFailure: "failure",
		resilience.OutcomeIgnored: "ignored", resilience.Outcome(99): "unknown",
	} {
		if got := o.String(); got != want {
			t.Errorf("Outcome(%d).String() = %q want %q", o, got, want)
		}
	}
	seen := map[string]bool{}
	for k := resilience.EventSuccess; k <= resilience.EventPanic; k++ {
		s := k.String()
		if s == "unknown" || seen[s] {
			t.Errorf("EventKind(%d).String() = %q: missing or duplicate", k, s)
		}
		seen[s] = true
	}
	if resilience.EventKind(0).String() != "unknown" || resilience.EventKind(200).String() != "unknown" {
		t.Error("out-of-range kinds must be unknown")
	}
}

func TestListeners(t *testing.T) {
	if resilience.Listeners() != nil || resilience.Listeners(nil, nil) != nil {
		t.Fatal("Listeners of nothing must be nil, to keep the zero-cost path")
	}
	var got []string
	a := resilience.ListenerFunc(func(e resilience.Event) { got = append(got, "a:"+e.Kind.String()) })
	b := resilience.ListenerFunc(func(e resilience.Event) { got = append(got, "b:"+e.Kind.String()) })
	if l := resilience.Listeners(nil, a); l == nil {
		t.Fatal("Listeners(nil, a) = nil")
	}
	resilience.Listeners(a, nil, b).OnEvent(resilience.Event{Kind: resilience.EventRejected})
	if fmt.Sprint(got) != "[a:rejected b:rejected]" {
		t.Fatalf("fan-out delivered %v", got)
	}
}

func BenchmarkClassifyFailure(b *testing.B) {
	err := fmt.Errorf("wrapped: %w", errBoom)
	b.ReportAllocs()
	for b.Loop() {
		_ = resilience.Classify(err)
	}
}
