package httpx

import (
	"math"
	"net/http"
	"strings"
	"time"
)

// maxDelaySeconds is the largest delay-seconds value that fits a
// time.Duration; larger values saturate.
const maxDelaySeconds = int64(math.MaxInt64 / int64(time.Second))

// ParseRetryAfter parses a Retry-After header value (RFC 9110, section
// 10.2.3): either delay-seconds, a non-negative decimal integer, or an
// HTTP-date, which is converted into a delay from now (use the clock of the
// policy that will wait). A date in the past gives 0. Surrounding spaces and
// tabs are ignored; delays beyond the longest time.Duration saturate. It
// reports false for anything else: an empty, negative, fractional or
// garbled value.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.Trim(v, " \t")
	if v == "" {
		return 0, false
	}
	if s, ok := parseDelaySeconds(v); ok {
		if s > maxDelaySeconds {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(s) * time.Second, true
	}
	if c := v[0]; c < 'A' || c > 'Z' { // every HTTP-date starts with a day name
		return 0, false
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now) // saturates rather than overflowing
	if d < 0 {
		d = 0
	}
	return d, true
}

// parseDelaySeconds parses 1*DIGIT, saturating at MaxInt64.
func parseDelaySeconds(v string) (int64, bool) {
	var n int64
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (math.MaxInt64-9)/10 {
			n = math.MaxInt64 // keep validating the digits
			continue
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
