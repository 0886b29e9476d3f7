package deadline_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/resilience-go/resilience/deadline"
)

func TestParseDeadlineMs(t *testing.T) {
	maxMs := time.Duration(math.MaxInt64/int64(time.Millisecond)) * time.Millisecond
	tests := []struct {
		name string
		in   string
		want time.Duration
		err  error
	}{
		{"plain", "1500", 1500 * time.Millisecond, nil},
		{"zero", "0", 0, nil},
		{"leading-zeros", "0007", 7 * time.Millisecond, nil},
		{"ows", " \t250\t ", 250 * time.Millisecond, nil},
		{"day", "86400000", 24 * time.Hour, nil},
		{"saturates", "99999999999999999999999999", maxMs, nil},
		{"empty", "", 0, deadline.ErrMalformed},
		{"only-space", "  ", 0, deadline.ErrMalformed},
		{"negative", "-5", 0, deadline.ErrMalformed},
		{"plus", "+5", 0, deadline.ErrMalformed},
		{"fraction", "1.5", 0, deadline.ErrMalformed},
		{"unit", "100ms", 0, deadline.ErrMalformed},
		{"inner-space", "1 0", 0, deadline.ErrMalformed},
		{"garbage-after-huge", "99999999999999999999x", 0, deadline.ErrMalformed},
		{"hex", "0x10", 0, deadline.ErrMalformed},
		{"unicode-digit", "١٢", 0, deadline.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := deadline.ParseDeadlineMs(tt.in)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Errorf("ParseDeadlineMs(%q) = %v, %v want %v, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestParseHops(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
		err  error
	}{
		{"one", "1", 1, nil},
		{"ows", " 3 ", 3, nil},
		{"saturates", "999999999999999999999", math.MaxInt32, nil},
		{"empty", "", 0, deadline.ErrMalformed},
		{"negative", "-1", 0, deadline.ErrMalformed},
		{"word", "two", 0, deadline.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := deadline.ParseHops(tt.in)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Errorf("ParseHops(%q) = %v, %v want %v, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestFormatDeadlineMs(t *testing.T) {
	tests := []struct {
		name string
		in   time.Duration
		want string
	}{
		{"whole", 1500 * time.Millisecond, "1500"},
		{"rounds-down", 1999*time.Microsecond + 999, "1"},
		{"sub-ms", 999 * time.Microsecond, "0"},
		{"negative", -time.Second, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deadline.FormatDeadlineMs(tt.in); got != tt.want {
				t.Errorf("FormatDeadlineMs(%v) = %q want %q", tt.in, got, tt.want)
			}
		})
	}
}
