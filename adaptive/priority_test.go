package adaptive_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/adaptive"
)

func TestParsePriority(t *testing.T) {
	tests := []struct {
		in      string
		want    adaptive.Priority
		wantErr bool
	}{
		{"sheddable", adaptive.PrioritySheddable, false},
		{"low", adaptive.PriorityLow, false},
		{"normal", adaptive.PriorityNormal, false},
		{"high", adaptive.PriorityHigh, false},
		{"critical", adaptive.PriorityCritical, false},
		{"  CRITICAL ", adaptive.PriorityCritical, false},
		{"Sheddable", adaptive.PrioritySheddable, false},
		{"CRITICAL_PLUS", adaptive.PriorityCritical, false},
		{"SHEDDABLE_PLUS", adaptive.PriorityLow, false},
		{"-2", adaptive.PrioritySheddable, false},
		{"0", adaptive.PriorityNormal, false},
		{"+2", adaptive.PriorityCritical, false},
		{"2", adaptive.PriorityCritical, false},
		{"", adaptive.PriorityNormal, true},
		{"3", adaptive.PriorityNormal, true},
		{"-3", adaptive.PriorityNormal, true},
		{"urgent", adaptive.PriorityNormal, true},
		{"normal,high", adaptive.PriorityNormal, true},
		{strings.Repeat("x", 1000), adaptive.PriorityNormal, true},
	}
	for _, tt := range tests {
		name := tt.in
		if len(name) > 20 {
			name = name[:20]
		}
		t.Run(name, func(t *testing.T) {
			got, err := adaptive.ParsePriority(tt.in)
			if got != tt.want || (err != nil) != tt.wantErr {
				t.Fatalf("ParsePriority(%q) = %v, %v want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
			if err != nil {
				if !errors.Is(err, adaptive.ErrInvalidPriority) {
					t.Errorf("ParsePriority(%q) error %v does not match ErrInvalidPriority", tt.in, err)
				}
				if len(err.Error()) > 200 {
					t.Errorf("ParsePriority error is %d bytes long; it must not echo huge input", len(err.Error()))
				}
			}
		})
	}
}

func TestPriorityText(t *testing.T) {
	for p := adaptive.PrioritySheddable; p <= adaptive.PriorityCritical; p++ {
		b, err := p.MarshalText()
		if err != nil {
			t.Fatalf("%v.MarshalText() = %v", p, err)
		}
		var q adaptive.Priority
		if err := q.UnmarshalText(b); err != nil || q != p {
			t.Errorf("UnmarshalText(%q) = %v, %v want %v", b, q, err, p)
		}
		if p.String() != string(b) {
			t.Errorf("String() = %q want %q", p.String(), b)
		}
	}
	if _, err := adaptive.Priority(7).MarshalText(); err == nil {
		t.Errorf("Priority(7).MarshalText() = nil error want one")
	}
	if got := adaptive.Priority(7).String(); got != "priority(7)" {
		t.Errorf("Priority(7).String() = %q", got)
	}
	var cfg struct {
		P adaptive.Priority `json:"p"`
	}
	if err := json.Unmarshal([]byte(`{"p":"high"}`), &cfg); err != nil || cfg.P != adaptive.PriorityHigh {
		t.Errorf("json.Unmarshal high = %v, %v", cfg.P, err)
	}
	if err := json.Unmarshal([]byte(`{"p":"bogus"}`), &cfg); err == nil {
		t.Errorf("json.Unmarshal bogus = nil error want one")
	}
}

func TestPriorityIndexClamps(t *testing.T) {
	tests := []struct {
		p    adaptive.Priority
		want int
	}{{-100, 0}, {adaptive.PrioritySheddable, 0}, {adaptive.PriorityNormal, 2}, {adaptive.PriorityCritical, 4}, {100, 4}}
	for _, tt := range tests {
		if got := tt.p.Index(); got != tt.want {
			t.Errorf("Priority(%d).Index() = %d want %d", tt.p, got, tt.want)
		}
	}
}

func TestPriorityContext(t *testing.T) {
	ctx := context.Background()
	if got := adaptive.PriorityFromContext(ctx); got != adaptive.PriorityNormal {
		t.Errorf("PriorityFromContext(Background) = %v want normal", got)
	}
	ctx = adaptive.WithPriority(ctx, adaptive.PriorityLow)
	if got := adaptive.PriorityFromContext(ctx); got != adaptive.PriorityLow {
		t.Errorf("PriorityFromContext = %v want low", got)
	}
}

// FuzzParsePriority checks that ParsePriority never panics, accepts only
// valid priorities, and that what it accepts round-trips through
// MarshalText.
func FuzzParsePriority(f *testing.F) {
	for _, s := range []string{"critical", " low ", "SHEDDABLE_PLUS", "-2", "+1", "", "3", "nörmal", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := adaptive.ParsePriority(s)
		if err != nil {
			if p != adaptive.PriorityNormal || !errors.Is(err, adaptive.ErrInvalidPriority) {
				t.Fatalf("ParsePriority(%q) = %v, %v want normal and ErrInvalidPriority", s, p, err)
			}
			return
		}
		if p < adaptive.PrioritySheddable || p > adaptive.PriorityCritical {
			t.Fatalf("ParsePriority(%q) = %d, out of range", s, p)
		}
		b, err := p.MarshalText()
		if err != nil {
			t.Fatalf("%v.MarshalText() = %v", p, err)
		}
		if q, err := adaptive.ParsePriority(string(b)); err != nil || q != p {
			t.Fatalf("round trip of %q: %v, %v want %v", s, q, err, p)
		}
	})
}
