package deadline

import (
	"math"
	"strconv"
	"time"
)

// The HTTP headers, in canonical form, that carry a request's budget
// between processes:
//
//	Resilience-Deadline-Ms: 1500
//	Resilience-Hops: 2
//
// Resilience-Deadline-Ms is the time the receiver may spend on the request,
// in whole milliseconds, relative to when it receives it (a duration, not a
// timestamp, so that clock skew between hosts does not matter). Senders
// round down, so they never grant more than they have.
//
// Resilience-Hops is how many hops the request has travelled, the receiving
// one included: an edge client that has not received the request from
// anyone sends 1. It is sent even when the sender has no deadline.
//
// Both values are 1 or more ASCII digits, optionally surrounded by spaces
// or tabs; no sign, no fraction, no unit. Only the first value of each
// header is read.
const (
	HeaderDeadlineMs = "Resilience-Deadline-Ms"
	HeaderHops       = "Resilience-Hops"
)

// maxMillis is the largest whole number of milliseconds a time.Duration can
// hold; longer values saturate to it (and servers clamp them to Max).
const maxMillis = math.MaxInt64 / int64(time.Millisecond)

// maxHopValue is where parsed hop counts saturate.
const maxHopValue = math.MaxInt32

// ParseDeadlineMs parses a Resilience-Deadline-Ms value. A value too large
// for a time.Duration saturates to the largest whole number of milliseconds
// it can hold. It returns ErrMalformed for anything that is not ASCII
// digits with optional surrounding spaces or tabs; it does not allocate.
func ParseDeadlineMs(v string) (time.Duration, error) {
	ms, ok := parseDigits(trimOWS(v), maxMillis)
	if !ok {
		return 0, ErrMalformed
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// ParseHops parses a Resilience-Hops value, with the same syntax as
// ParseDeadlineMs. Values above math.MaxInt32 saturate.
func ParseHops(v string) (int, error) {
	n, ok := parseDigits(trimOWS(v), maxHopValue)
	if !ok {
		return 0, ErrMalformed
	}
	return int(n), nil
}

// FormatDeadlineMs formats d as a Resilience-Deadline-Ms value, rounding
// down to whole milliseconds; a negative d formats as "0".
func FormatDeadlineMs(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return strconv.FormatInt(int64(d/time.Millisecond), 10)
}

// parseDigits parses a non-empty string of ASCII digits, saturating at max.
func parseDigits(s string, max int64) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (max-int64(c-'0'))/10 {
			n = max // keep scanning: the rest must still be digits
			continue
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// trimOWS removes the optional white space (spaces and tabs) that HTTP
// allows around a field value.
func trimOWS(s string) string {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
