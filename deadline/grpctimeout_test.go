package deadline_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/resilience-go/resilience/deadline"
)

func TestParseGRPCTimeout(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want time.Duration
		err  error
	}{
		{"nanos", "50000000n", 50 * time.Millisecond, nil},
		{"micros", "1000000u", time.Second, nil},
		{"millis", "1500m", 1500 * time.Millisecond, nil},
		{"seconds", "30S", 30 * time.Second, nil},
		{"minutes", "2M", 2 * time.Minute, nil},
		{"hours", "1H", time.Hour, nil},
		{"zero", "0n", 0, nil},
		{"eight-digits", "99999999S", 99999999 * time.Second, nil},
		{"hours-saturate", "99999999H", math.MaxInt64, nil},
		{"leading-zeros", "00000001S", time.Second, nil},
		{"nine-digits", "100000000n", 0, deadline.ErrMalformed},
		{"empty", "", 0, deadline.ErrMalformed},
		{"unit-only", "S", 0, deadline.ErrMalformed},
		{"no-unit", "100", 0, deadline.ErrMalformed},
		{"bad-unit", "100s", 0, deadline.ErrMalformed},
		{"ms-spelled", "100ms", 0, deadline.ErrMalformed},
		{"negative", "-1S", 0, deadline.ErrMalformed},
		{"plus", "+1S", 0, deadline.ErrMalformed},
		{"space", " 1S", 0, deadline.ErrMalformed},
		{"fraction", "1.5S", 0, deadline.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := deadline.ParseGRPCTimeout(tt.in)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Errorf("ParseGRPCTimeout(%q) = %v, %v want %v, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

// TestFormatGRPCTimeout checks values whose encoding grpc-go
// (internal/grpcutil.EncodeDuration) produces: the finest unit whose value,
// rounded up, fits in 8 digits.
func TestFormatGRPCTimeout(t *testing.T) {
	tests := []struct {
		name string
		in   time.Duration
		want string
	}{
		{"negative", -time.Second, "0n"},
		{"zero", 0, "0n"},
		{"one-ns", 1, "1n"},
		{"max-nanos", 99999999, "99999999n"},
		{"first-micros", 100000000, "100000u"},
		{"rounds-up", 100000001, "100001u"},
		{"50ms", 50 * time.Millisecond, "50000000n"},
		{"1s", time.Second, "1000000u"},
		{"1.5s", 1500 * time.Millisecond, "1500000u"},
		{"300s", 300 * time.Second, "300000m"},
		{"day", 24 * time.Hour, "86400000m"},
		{"28h", 28 * time.Hour, "100800S"},
		{"five-years", 5 * 365 * 24 * time.Hour, "2628000M"},
		{"max", math.MaxInt64, "2562048H"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deadline.FormatGRPCTimeout(tt.in); got != tt.want {
				t.Errorf("FormatGRPCTimeout(%v) = %q want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestGRPCTimeoutRoundTrip checks the round-trip property on a spread of
// durations: decoding the encoding gives back at least the duration and at
// most one unit of the chosen encoding more.
func TestGRPCTimeoutRoundTrip(t *testing.T) {
	d := time.Duration(1)
	for d > 0 && d < math.MaxInt64/3 {
		for _, v := range []time.Duration{d - 1, d, d + 1, d*3 - 1} {
			checkRoundTrip(t, v)
		}
		d *= 3
	}
	checkRoundTrip(t, math.MaxInt64)
}

func checkRoundTrip(t *testing.T, d time.Duration) {
	t.Helper()
	enc := deadline.FormatGRPCTimeout(d)
	got, err := deadline.ParseGRPCTimeout(enc)
	if err != nil {
		t.Fatalf("ParseGRPCTimeout(FormatGRPCTimeout(%v) = %q) error %v", d, enc, err)
	}
	if len(enc) > 9 {
		t.Fatalf("FormatGRPCTimeout(%v) = %q, longer than 8 digits and a unit", d, enc)
	}
	if d <= 0 {
		if got != 0 {
			t.Fatalf("round trip of %v = %v want 0", d, got)
		}
		return
	}
	unit := unitOf(t, enc)
	if got < d || (got-d >= unit && got != math.MaxInt64) {
		t.Fatalf("round trip of %v via %q = %v, want within [d, d+%v)", d, enc, got, unit)
	}
	if unit > 1 {
		// The finest unit was chosen: one unit finer would not fit.
		f := finerUnit(unit)
		n := int64(d / f)
		if d%f != 0 {
			n++
		}
		if n <= 99999999 {
			t.Fatalf("FormatGRPCTimeout(%v) = %q but %d of the finer unit fits", d, enc, n)
		}
	}
}

func unitOf(t *testing.T, enc string) time.Duration {
	t.Helper()
	switch enc[len(enc)-1] {
	case 'n':
		return time.Nanosecond
	case 'u':
		return time.Microsecond
	case 'm':
		return time.Millisecond
	case 'S':
		return time.Second
	case 'M':
		return time.Minute
	case 'H':
		return time.Hour
	}
	t.Fatalf("unknown unit in %q", enc)
	return 0
}

func finerUnit(u time.Duration) time.Duration {
	switch u {
	case time.Microsecond:
		return time.Nanosecond
	case time.Millisecond:
		return time.Microsecond
	case time.Second:
		return time.Millisecond
	case time.Minute:
		return time.Second
	}
	return time.Minute
}
