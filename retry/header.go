package retry

import (
	"context"
	"strconv"

	"github.com/resilience-go/resilience"
)

// AttemptHeader is the HTTP header that tells a server which attempt a
// request is: "2" on the first retry, "3" on the second. First attempts
// carry no header (where Envoy's x-envoy-attempt-count would read 1), so
// the common case costs nothing. Servers can use it to shed retries first
// when overloaded, and logs to tell retries apart.
const AttemptHeader = "Resilience-Attempt"

// GRPCPreviousAttemptsKey is the gRPC metadata key that carries the number
// of previous attempts of an RPC (the attempt number minus one), as grpc-go
// and the gRPC retry design (A6) name it. grpcx sets it from the context.
const GRPCPreviousAttemptsKey = "grpc-previous-rpc-attempts"

// maxHeaderAttempt bounds the attempt numbers AttemptFromHeader accepts.
const maxHeaderAttempt = 1 << 20

// SetAttemptHeader sets AttemptHeader in h, an http.Header such as
// req.Header, from the attempt number that resilience.WithAttempt put in
// ctx, as a Pipeline does for every retry. On a first attempt it removes the
// header, so that a value copied from an incoming request is not forwarded.
// (h is typed as http.Header's underlying map so that this package does not
// import net/http.)
func SetAttemptHeader(h map[string][]string, ctx context.Context) {
	n := resilience.AttemptFromContext(ctx)
	if n <= 1 {
		delete(h, AttemptHeader)
		return
	}
	h[AttemptHeader] = []string{strconv.Itoa(n)}
}

// AttemptFromHeader returns the attempt number in the AttemptHeader of h,
// an http.Header such as req.Header. It reports false when the header is
// absent or is not a decimal number from 1 to 2^20, surrounding spaces and
// tabs allowed.
func AttemptFromHeader(h map[string][]string) (int, bool) {
	v := h[AttemptHeader]
	if len(v) == 0 {
		return 0, false
	}
	return parseAttempt(v[0])
}

func parseAttempt(s string) (int, bool) {
	for len(s) > 0 && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	if len(s) == 0 || len(s) > 7 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 || n > maxHeaderAttempt {
		return 0, false
	}
	return n, true
}
