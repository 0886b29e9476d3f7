package retry

import (
	"context"
	"net/http"
	"testing"

	"github.com/resilience-go/resilience"
)

func TestSetAttemptHeader(t *testing.T) {
	tests := []struct {
		name    string
		attempt int // 0: no attempt in ctx
		before  []string
		want    []string // nil: absent
	}{
		{"first-attempt", 0, nil, nil},
		{"first-attempt-clears-forwarded", 0, []string{"3"}, nil},
		{"explicit-first", 1, []string{"3"}, nil},
		{"retry", 2, nil, []string{"2"}},
		{"replaces", 7, []string{"3", "4"}, []string{"7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.before != nil {
				h[AttemptHeader] = tt.before
			}
			ctx := context.Background()
			if tt.attempt > 0 {
				ctx = resilience.WithAttempt(ctx, tt.attempt)
			}
			SetAttemptHeader(h, ctx)
			got, ok := h[AttemptHeader]
			if (tt.want == nil) == ok || len(got) != len(tt.want) || (ok && got[0] != tt.want[0]) {
				t.Errorf("header = %q (present %v) want %q", got, ok, tt.want)
			}
			if tt.want != nil {
				if n, ok := AttemptFromHeader(h); !ok || n != tt.attempt {
					t.Errorf("AttemptFromHeader() = %d, %v want %d, true", n, ok, tt.attempt)
				}
			}
		})
	}
}

func TestAttemptFromHeader(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   int
		wantOK bool
	}{
		{"absent", nil, 0, false},
		{"one", []string{"1"}, 1, true},
		{"two", []string{"2"}, 2, true},
		{"spaces", []string{" \t12 "}, 12, true},
		{"leading-zeros", []string{"007"}, 7, true},
		{"max", []string{"1048576"}, 1 << 20, true},
		{"above-max", []string{"1048577"}, 0, false},
		{"zero", []string{"0"}, 0, false},
		{"negative", []string{"-2"}, 0, false},
		{"plus", []string{"+2"}, 0, false},
		{"empty", []string{""}, 0, false},
		{"blank", []string{"   "}, 0, false},
		{"hex", []string{"0x2"}, 0, false},
		{"float", []string{"2.0"}, 0, false},
		{"overflow", []string{"99999999999999999999999"}, 0, false},
		{"first-value-wins", []string{"3", "4"}, 3, true},
		{"inner-space", []string{"1 2"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.values != nil {
				h[AttemptHeader] = tt.values
			}
			if n, ok := AttemptFromHeader(h); n != tt.want || ok != tt.wantOK {
				t.Errorf("AttemptFromHeader(%q) = %d, %v want %d, %v", tt.values, n, ok, tt.want, tt.wantOK)
			}
		})
	}
}
