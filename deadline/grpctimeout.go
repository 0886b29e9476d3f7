package deadline

import (
	"math"
	"strconv"
	"time"
)

// The gRPC metadata keys that carry a request's budget. GRPCTimeoutKey is
// the standard header defined by the gRPC over HTTP/2 protocol, which
// grpc-go sets and reads itself from the context's deadline; GRPCHopsKey is
// ours and carries the same decimal hop count as HeaderHops. gRPC metadata
// keys are lower case.
const (
	GRPCTimeoutKey = "grpc-timeout"
	GRPCHopsKey    = "resilience-hops"
)

// maxTimeoutValue is the largest TimeoutValue: the protocol allows at most 8
// ASCII digits.
const maxTimeoutValue = 99999999

// grpcUnits lists the TimeoutUnits from finest to coarsest.
var grpcUnits = [...]struct {
	unit byte
	d    time.Duration
}{
	{'n', time.Nanosecond},
	{'u', time.Microsecond},
	{'m', time.Millisecond},
	{'S', time.Second},
	{'M', time.Minute},
	{'H', time.Hour},
}

// ParseGRPCTimeout parses a grpc-timeout value as the gRPC over HTTP/2
// protocol defines it:
//
//	Timeout      → "grpc-timeout" TimeoutValue TimeoutUnit
//	TimeoutValue → {positive integer as ASCII string of at most 8 digits}
//	TimeoutUnit  → Hour / Minute / Second / Millisecond / Microsecond / Nanosecond
//	Hour → "H"  Minute → "M"  Second → "S"  Millisecond → "m"  Microsecond → "u"  Nanosecond → "n"
//
// Like grpc-go it accepts a zero value ("0n", which grpc-go sends for an
// expired deadline) and saturates hour values that overflow a
// time.Duration. It returns ErrMalformed for anything else (no sign, no
// white space, no more than 8 digits) and does not allocate.
func ParseGRPCTimeout(v string) (time.Duration, error) {
	if len(v) < 2 || len(v) > 9 {
		return 0, ErrMalformed
	}
	unit := unitDuration(v[len(v)-1])
	if unit == 0 {
		return 0, ErrMalformed
	}
	n, ok := parseDigits(v[:len(v)-1], maxTimeoutValue)
	if !ok {
		return 0, ErrMalformed
	}
	if n > math.MaxInt64/int64(unit) {
		return time.Duration(math.MaxInt64), nil
	}
	return time.Duration(n) * unit, nil
}

// FormatGRPCTimeout formats d as a grpc-timeout value, in the finest unit
// whose value fits in 8 digits, rounding up to that unit as grpc-go does,
// so the output is byte for byte what grpc-go sends for the same deadline.
// Zero and negative durations format as "0n".
func FormatGRPCTimeout(d time.Duration) string {
	var buf [10]byte
	return string(AppendGRPCTimeout(buf[:0], d))
}

// AppendGRPCTimeout appends FormatGRPCTimeout(d) to b; it does not allocate
// when b has room for 9 more bytes.
func AppendGRPCTimeout(b []byte, d time.Duration) []byte {
	if d <= 0 {
		return append(b, '0', 'n')
	}
	for _, u := range grpcUnits {
		n := int64(d / u.d)
		if d%u.d != 0 {
			n++
		}
		if n <= maxTimeoutValue {
			b = strconv.AppendInt(b, n, 10)
			return append(b, u.unit)
		}
	}
	// Unreachable: MaxInt64 nanoseconds is about 2.6 million hours.
	return append(b, '0', 'n')
}

func unitDuration(c byte) time.Duration {
	for _, u := range grpcUnits {
		if u.unit == c {
			return u.d
		}
	}
	return 0
}
