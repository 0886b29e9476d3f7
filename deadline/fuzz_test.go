package deadline_test

import (
	"errors"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/resilience-go/resilience/deadline"
)

// FuzzParseHTTP feeds arbitrary header values to the HTTP parsers and to a
// Server: nothing panics, and whatever is admitted stays within the
// server's bounds.
func FuzzParseHTTP(f *testing.F) {
	for _, s := range [][2]string{
		{"1500", "2"}, {"", ""}, {"0", "0"}, {"-1", "-1"}, {"86400000", "1"},
		{"99999999999999999999", "99999999999999999999"}, {" 12\t", " 3 "}, {"1.5", "x"}, {"+7", "1e3"},
	} {
		f.Add(s[0], s[1])
	}
	s, err := deadline.NewServer(deadline.ServerConfig{Max: 10 * time.Second, Min: time.Millisecond, MaxHops: 16})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, budget, hops string) {
		d, err := deadline.ParseDeadlineMs(budget)
		if err == nil && (d < 0 || d%time.Millisecond != 0) {
			t.Fatalf("ParseDeadlineMs(%q) = %v: negative or not whole milliseconds", budget, d)
		}
		if err != nil && !errors.Is(err, deadline.ErrMalformed) {
			t.Fatalf("ParseDeadlineMs(%q) error %v want ErrMalformed", budget, err)
		}
		if err == nil {
			if back, err := deadline.ParseDeadlineMs(deadline.FormatDeadlineMs(d)); err != nil || back != d {
				t.Fatalf("ParseDeadlineMs(FormatDeadlineMs(%v)) = %v, %v", d, back, err)
			}
		}
		if n, err := deadline.ParseHops(hops); err == nil && (n < 0 || n > math.MaxInt32) {
			t.Fatalf("ParseHops(%q) = %d out of range", hops, n)
		}
		in, err := s.AdmitHTTP(http.Header{deadline.HeaderDeadlineMs: {budget}, deadline.HeaderHops: {hops}})
		switch {
		case err == nil:
			if !in.Bounded || in.Budget < time.Millisecond || in.Budget > 10*time.Second || in.Hops > 16 || in.Hops < 0 {
				t.Fatalf("AdmitHTTP(%q, %q) = %+v outside the server's bounds", budget, hops, in)
			}
		case errors.Is(err, deadline.ErrBudgetExhausted), errors.Is(err, deadline.ErrTooManyHops):
		default:
			t.Fatalf("AdmitHTTP(%q, %q) error %v", budget, hops, err)
		}
	})
}

// FuzzParseGRPCTimeout checks that the grpc-timeout parser never panics,
// accepts only the protocol's syntax, and that re-encoding what it parsed
// decodes to the same value within one unit of rounding.
func FuzzParseGRPCTimeout(f *testing.F) {
	for _, s := range []string{"1S", "0n", "99999999H", "100000000n", "1500m", "-1S", "+1S", "1s", "", "S", " 1S", "00000001u"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		d, err := deadline.ParseGRPCTimeout(v)
		if err != nil {
			if !errors.Is(err, deadline.ErrMalformed) {
				t.Fatalf("ParseGRPCTimeout(%q) error %v want ErrMalformed", v, err)
			}
			return
		}
		if len(v) < 2 || len(v) > 9 || d < 0 {
			t.Fatalf("ParseGRPCTimeout(%q) = %v accepted outside the syntax", v, d)
		}
		for i := 0; i < len(v)-1; i++ {
			if v[i] < '0' || v[i] > '9' {
				t.Fatalf("ParseGRPCTimeout(%q) accepted a non-digit", v)
			}
		}
		checkRoundTrip(t, d)
	})
}

// FuzzFormatGRPCTimeout checks the encoder for every duration: at most 8
// digits and a unit, the finest unit that fits, and a round trip within one
// unit.
func FuzzFormatGRPCTimeout(f *testing.F) {
	for _, d := range []int64{0, -1, 1, 99999999, 100000000, 100000001, int64(time.Hour), math.MaxInt64, math.MinInt64} {
		f.Add(d)
	}
	f.Fuzz(func(t *testing.T, d int64) {
		checkRoundTrip(t, time.Duration(d))
	})
}

// FuzzConfigValidate checks that Validate accepts exactly the configs New
// builds, and that a built Propagator never grants more than it has.
func FuzzConfigValidate(f *testing.F) {
	f.Add(0.0, 0.0, 0.0, int64(0), int64(0), 0, int64(time.Second), 3)
	f.Add(0.2, 0.1, 0.3, int64(time.Millisecond), int64(-1), 8, int64(math.MaxInt64), 100)
	f.Add(math.NaN(), math.Inf(1), -1.0, int64(-5), int64(5), -1, int64(-1), -1)
	f.Fuzz(func(t *testing.T, base, perHop, max float64, reserve, floor int64, maxHops int, remaining int64, hops int) {
		cfg := deadline.Config{AlphaBase: base, AlphaPerHop: perHop, AlphaMax: max, Reserve: time.Duration(reserve), Floor: time.Duration(floor), MaxHops: maxHops}
		verr := cfg.Validate()
		p, err := deadline.New(cfg)
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate() = %v but New() = %v", verr, err)
		}
		if err != nil {
			return
		}
		if a := p.Alpha(hops); a < 0 || a >= 1 || math.IsNaN(a) {
			t.Fatalf("Alpha(%d) = %v outside [0, 1)", hops, a)
		}
		got, err := p.Decay(time.Duration(remaining), hops)
		if err == nil && (got <= 0 || got > time.Duration(remaining)) {
			t.Fatalf("Decay(%v, %d) = %v outside (0, remaining]", time.Duration(remaining), hops, got)
		}
	})
}

// FuzzServerConfigValidate checks that NewServer accepts exactly the
// configs Validate accepts, and that admitted budgets respect them.
func FuzzServerConfigValidate(f *testing.F) {
	f.Add(int64(0), int64(0), int64(0), 0, "1500")
	f.Add(int64(-1), int64(time.Second), int64(time.Millisecond), 4, "86400000")
	f.Add(int64(time.Hour), int64(-1), int64(time.Minute), -2, "x")
	f.Fuzz(func(t *testing.T, def, max, min int64, maxHops int, budget string) {
		cfg := deadline.ServerConfig{Default: time.Duration(def), Max: time.Duration(max), Min: time.Duration(min), MaxHops: maxHops}
		verr := cfg.Validate()
		s, err := deadline.NewServer(cfg)
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate() = %v but NewServer() = %v", verr, err)
		}
		if err != nil {
			return
		}
		limit := cfg.Max
		if limit == 0 {
			limit = deadline.DefaultServerMax
		}
		in, err := s.AdmitHTTP(http.Header{deadline.HeaderDeadlineMs: {budget}})
		if err == nil && in.Bounded && (in.Budget > limit || in.Budget < cfg.Min || in.Budget <= 0) {
			t.Fatalf("AdmitHTTP(%q) = %+v outside [Min, Max] of %+v", budget, in, cfg)
		}
	})
}
