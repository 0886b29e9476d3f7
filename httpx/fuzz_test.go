package httpx

import (
	"math"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/resilience-go/resilience/timeout"
)

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "120", " 7 ", "-1", "1.5", "99999999999999999999",
		"Fri, 31 Dec 1999 23:59:59 GMT", "Friday, 31-Dec-99 23:59:59 GMT", "Fri Dec 31 23:59:59 1999", "soon", ""} {
		f.Add(s)
	}
	now := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := ParseRetryAfter(v, now)
		if !ok {
			if d != 0 {
				t.Fatalf("ParseRetryAfter(%q) = %v, false; want 0 with false", v, d)
			}
			return
		}
		if d < 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, want >= 0", v, d)
		}
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 && n <= maxDelaySeconds && v[0] != '+' {
			if d != time.Duration(n)*time.Second {
				t.Fatalf("ParseRetryAfter(%q) = %v, want %ds", v, d, n)
			}
		}
	})
}

// FuzzParseRateLimit parses both fields; whatever parses must survive a
// format and parse round trip unchanged (names that are printable, values
// in range).
func FuzzParseRateLimit(f *testing.F) {
	for _, s := range []string{`"default";r=50;t=30`, `"default";q=100;w=60`, `"a";r=1, "b";r=0;t=3`,
		`"peruser";q=65535;qu="content-bytes";w=10;pk=:cHsdsRa894==:`, `("a" "b");q=1`, `"a";r=?0`,
		`"a";x=%"caf%c3%a9";r=1`, `"a";d=@1659578233;r=2`, `"a\"";r=1.25`, `tok;r=1`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if limits, err := ParseRateLimit(v); err == nil {
			var h http.Header = http.Header{}
			for _, l := range limits {
				reset := time.Duration(-1)
				if l.HasReset {
					reset = l.Reset
				}
				if l.Reset == time.Duration(math.MaxInt64) {
					return // saturated: does not round-trip
				}
				h.Add(HeaderRateLimit, FormatServiceLimit(l.Policy, l.Remaining, reset))
			}
			again, err := RateLimitFromHeader(h)
			if err != nil {
				t.Fatalf("re-parsing %v: %v", h, err)
			}
			for i := range limits {
				limits[i].PartitionKey = nil // not formatted
			}
			if len(limits) > 0 && !reflect.DeepEqual(again, limits) {
				t.Fatalf("round trip of %q: %+v, want %+v", v, again, limits)
			}
		}
		if policies, err := ParseRateLimitPolicy(v); err == nil {
			for _, p := range policies {
				if p.Quota < 0 || p.Window < 0 {
					t.Fatalf("ParseRateLimitPolicy(%q) = %+v: negative values", v, p)
				}
				if p.Window == time.Duration(math.MaxInt64) {
					continue
				}
				s := FormatQuotaPolicy(p.Name, p.Quota, p.Window)
				again, err := ParseRateLimitPolicy(s)
				if err != nil || len(again) != 1 || again[0].Name != p.Name || again[0].Quota != p.Quota || again[0].Window != p.Window {
					t.Fatalf("round trip of %+v via %q: %+v, %v", p, s, again, err)
				}
			}
		}
	})
}

// FuzzClientConfigValidate checks that validation never panics and that
// NewRoundTripper agrees with it.
func FuzzClientConfigValidate(f *testing.F) {
	f.Add(0, int64(0), 0, int64(0))
	f.Add(-1, int64(-5), -3, int64(-1))
	f.Add(1<<20, int64(1<<40), 5, int64(time.Second))
	f.Fuzz(func(t *testing.T, maxKeys int, maxDrain int64, attempts int, tmo int64) {
		cfg := ClientConfig{MaxKeys: maxKeys, MaxDrain: maxDrain}
		if attempts != 0 {
			cfg.Retry = retryNow(attempts)
		}
		if tmo != 0 {
			cfg.AttemptTimeout = &timeout.Config{Timeout: time.Duration(tmo)}
		}
		err := cfg.Validate()
		_, nerr := NewRoundTripper(cfg)
		if (err == nil) != (nerr == nil) {
			t.Fatalf("Validate = %v but NewRoundTripper = %v", err, nerr)
		}
		if err == nil && (maxKeys < 0 || attempts < 0 || tmo < 0) {
			t.Fatalf("Validate accepted %+v", cfg)
		}
	})
}
