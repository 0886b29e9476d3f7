package httpx

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The RateLimit header fields follow draft-ietf-httpapi-ratelimit-headers-10
// (September 2025), whose syntax is unchanged since -09 and in the editor's
// copy after -10: both fields are Structured Field Lists (RFC 9651) of
// items named by an sf-string, e.g.
//
//	RateLimit-Policy: "default";q=100;w=60
//	RateLimit: "default";r=0;t=3
//
// Earlier drafts (up to -06) used RateLimit-Limit, RateLimit-Remaining and
// RateLimit-Reset instead; they are not produced or parsed here.

// Header names of the RateLimit draft.
const (
	// HeaderRateLimit carries the service limits of a response.
	HeaderRateLimit = "RateLimit"
	// HeaderRateLimitPolicy carries the quota policies of a server.
	HeaderRateLimitPolicy = "RateLimit-Policy"
)

// ErrMalformedRateLimit is matched by the errors of ParseRateLimit and
// ParseRateLimitPolicy. The draft says clients must ignore a malformed
// field: treat the error as "no information".
var ErrMalformedRateLimit = errors.New("httpx: malformed RateLimit field")

// QuotaPolicy is one item of a RateLimit-Policy field: a quota a server
// enforces.
type QuotaPolicy struct {
	// Name identifies the policy, e.g. "default".
	Name string
	// Quota is the "q" parameter: the quota units allowed per Window.
	Quota int64
	// Unit is the "qu" parameter: "requests" (the default, also when
	// empty), "content-bytes" or "concurrent-requests".
	Unit string
	// Window is the "w" parameter in whole seconds; zero when absent.
	Window time.Duration
	// PartitionKey is the "pk" parameter; nil when absent.
	PartitionKey []byte
}

// ServiceLimit is one item of a RateLimit field: what is left of a quota.
type ServiceLimit struct {
	// Policy names the quota policy the limit belongs to.
	Policy string
	// Remaining is the "r" parameter: the quota units still available.
	Remaining int64
	// Reset is the "t" parameter in whole seconds: the effective window,
	// within which the client should use no more than Remaining units.
	// Meaningful only when HasReset is set.
	Reset time.Duration
	// HasReset reports whether the item had a "t" parameter.
	HasReset bool
	// PartitionKey is the "pk" parameter; nil when absent.
	PartitionKey []byte
}

// ParseRateLimitPolicy parses a RateLimit-Policy field value. Several field
// lines form one list: join them with ", " (RateLimitPolicyFromHeader does).
// Parameters other than q, qu, w and pk are ignored, as the draft asks.
// Any syntax error, a member that is not an sf-string with parameters, or
// a q, qu, w or pk of the wrong type or range fails the whole field with an
// error matching ErrMalformedRateLimit.
func ParseRateLimitPolicy(v string) ([]QuotaPolicy, error) {
	members, err := parseSFList(v)
	if err != nil {
		return nil, malformed("RateLimit-Policy", err)
	}
	out := make([]QuotaPolicy, 0, len(members))
	for i := range members {
		m := &members[i]
		if m.val.kind != sfString {
			return nil, malformed("RateLimit-Policy", errors.New("member is not a string"))
		}
		p := QuotaPolicy{Name: m.val.s}
		q, ok := m.param("q")
		if !ok || q.kind != sfInteger || q.i < 0 {
			return nil, malformed("RateLimit-Policy", errors.New(`"q" must be a non-negative integer`))
		}
		p.Quota = q.i
		if qu, ok := m.param("qu"); ok {
			if qu.kind != sfString {
				return nil, malformed("RateLimit-Policy", errors.New(`"qu" must be a string`))
			}
			p.Unit = qu.s
		}
		if w, ok := m.param("w"); ok {
			if w.kind != sfInteger || w.i <= 0 {
				return nil, malformed("RateLimit-Policy", errors.New(`"w" must be a positive integer`))
			}
			p.Window = seconds(w.i)
		}
		if p.PartitionKey, err = partitionKey(m); err != nil {
			return nil, malformed("RateLimit-Policy", err)
		}
		out = append(out, p)
	}
	return out, nil
}

// ParseRateLimit parses a RateLimit field value; see ParseRateLimitPolicy
// for joining field lines and for errors. Parameters other than r, t and pk
// are ignored.
func ParseRateLimit(v string) ([]ServiceLimit, error) {
	members, err := parseSFList(v)
	if err != nil {
		return nil, malformed("RateLimit", err)
	}
	out := make([]ServiceLimit, 0, len(members))
	for i := range members {
		m := &members[i]
		if m.val.kind != sfString {
			return nil, malformed("RateLimit", errors.New("member is not a string"))
		}
		l := ServiceLimit{Policy: m.val.s}
		r, ok := m.param("r")
		if !ok || r.kind != sfInteger || r.i < 0 {
			return nil, malformed("RateLimit", errors.New(`"r" must be a non-negative integer`))
		}
		l.Remaining = r.i
		if t, ok := m.param("t"); ok {
			if t.kind != sfInteger || t.i < 0 {
				return nil, malformed("RateLimit", errors.New(`"t" must be a non-negative integer`))
			}
			l.Reset, l.HasReset = seconds(t.i), true
		}
		if l.PartitionKey, err = partitionKey(m); err != nil {
			return nil, malformed("RateLimit", err)
		}
		out = append(out, l)
	}
	return out, nil
}

// RateLimitFromHeader parses every RateLimit field line of h as one list.
// No field gives an empty result and no error.
func RateLimitFromHeader(h http.Header) ([]ServiceLimit, error) {
	return ParseRateLimit(strings.Join(h.Values(HeaderRateLimit), ", "))
}

// RateLimitPolicyFromHeader parses every RateLimit-Policy field line of h
// as one list. No field gives an empty result and no error.
func RateLimitPolicyFromHeader(h http.Header) ([]QuotaPolicy, error) {
	return ParseRateLimitPolicy(strings.Join(h.Values(HeaderRateLimitPolicy), ", "))
}

func partitionKey(m *sfMember) ([]byte, error) {
	pk, ok := m.param("pk")
	if !ok {
		return nil, nil
	}
	if pk.kind != sfBytes {
		return nil, errors.New(`"pk" must be a byte sequence`)
	}
	if pk.b == nil {
		return []byte{}, nil
	}
	return pk.b, nil
}

func malformed(field string, err error) error {
	return fmt.Errorf("%w: %s: %v", ErrMalformedRateLimit, field, err)
}

// seconds converts a non-negative count of seconds (at most 15 digits) to a
// Duration, saturating.
func seconds(n int64) time.Duration {
	if n > maxDelaySeconds {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(n) * time.Second
}

// FormatQuotaPolicy returns the RateLimit-Policy item for a quota of quota
// requests per window, e.g. `"default";q=100;w=60`. The window is rounded
// up to whole seconds and left out when it is not positive. name must be
// printable ASCII; other bytes are dropped.
func FormatQuotaPolicy(name string, quota int64, window time.Duration) string {
	return string(appendQuotaPolicy(nil, name, quota, ceilSeconds(window)))
}

// FormatServiceLimit returns the RateLimit item for remaining units of the
// policy name, available within reset (rounded up to whole seconds), e.g.
// `"default";r=0;t=3`. A negative reset leaves out "t".
func FormatServiceLimit(name string, remaining int64, reset time.Duration) string {
	t := int64(-1)
	if reset >= 0 {
		t = ceilSeconds(reset)
	}
	return string(appendServiceLimit(nil, name, remaining, t))
}

func appendQuotaPolicy(b []byte, name string, quota, window int64) []byte {
	b = appendSFString(b, printable(name))
	b = append(b, ";q="...)
	b = strconv.AppendInt(b, clampSF(quota), 10)
	if window > 0 {
		b = append(b, ";w="...)
		b = strconv.AppendInt(b, clampSF(window), 10)
	}
	return b
}

// appendServiceLimit appends an item; t < 0 leaves out the "t" parameter.
func appendServiceLimit(b []byte, name string, remaining, t int64) []byte {
	b = appendSFString(b, printable(name))
	b = append(b, ";r="...)
	b = strconv.AppendInt(b, clampSF(remaining), 10)
	if t >= 0 {
		b = append(b, ";t="...)
		b = strconv.AppendInt(b, clampSF(t), 10)
	}
	return b
}

// maxSFInteger is the largest sf-integer: 15 digits.
const maxSFInteger = 999_999_999_999_999

func clampSF(n int64) int64 { return min(max(n, 0), maxSFInteger) }

func ceilSeconds(d time.Duration) int64 {
	if d <= 0 {
		return 0
	}
	return int64((d-1)/time.Second) + 1
}

func printable(s string) string {
	if validSFString(s) {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x20 && s[i] <= 0x7e {
			b = append(b, s[i])
		}
	}
	return string(b)
}
