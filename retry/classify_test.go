package retry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
)

type grpcError struct{ code uint32 }

func (e grpcError) Error() string    { return fmt.Sprintf("grpc code %d", e.code) }
func (e grpcError) GRPCCode() uint32 { return e.code }

type statusCodeError struct{ code int }

func (e statusCodeError) Error() string   { return "http" }
func (e statusCodeError) StatusCode() int { return e.code }

type afterOnly time.Duration

func (a afterOnly) Error() string             { return "later" }
func (a afterOnly) RetryAfter() time.Duration { return time.Duration(a) }

// netTimeout is the timeout error that a deadline on a net.Conn returns,
// wrapped as the net package does.
var netTimeout = &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}

func TestDefaultRetryIf(t *testing.T) {
	errBusiness := errors.New("bad input")
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", errBusiness, false},
		{"permanent", Permanent(&statusError{code: 503}), false},
		{"wrapped-permanent", fmt.Errorf("x: %w", Permanent(syscall.ECONNREFUSED)), false},
		{"canceled", context.Canceled, false},
		{"wrapped-canceled", fmt.Errorf("call: %w", context.Canceled), false},
		{"rejected", fmt.Errorf("circuitbreaker: open: %w", resilience.ErrRejected), false},
		{"deadline", context.DeadlineExceeded, true},
		{"wrapped-deadline", fmt.Errorf("attempt: %w", context.DeadlineExceeded), true},
		{"conn-refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, true},
		{"conn-reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"net-timeout", netTimeout, true},
		{"unexpected-eof", io.ErrUnexpectedEOF, false},
		{"eof", io.EOF, false},
		{"http-503", &statusError{code: 503}, true},
		{"http-429", &statusError{code: 429}, true},
		{"http-408", &statusError{code: 408}, true},
		{"http-425", &statusError{code: 425}, true},
		{"http-500", &statusError{code: 500}, true},
		{"http-502", &statusError{code: 502}, true},
		{"http-504", &statusError{code: 504}, true},
		{"http-501", &statusError{code: 501}, false},
		{"http-404", &statusError{code: 404}, false},
		{"http-400-with-retry-after", &statusError{code: 400, after: time.Second}, false},
		{"status-code-503", statusCodeError{503}, true},
		{"status-code-403", fmt.Errorf("w: %w", statusCodeError{403}), false},
		{"grpc-unavailable", grpcError{14}, true},
		{"grpc-resource-exhausted", grpcError{8}, true},
		{"grpc-aborted", grpcError{10}, true},
		{"grpc-deadline", grpcError{4}, true},
		{"grpc-invalid-argument", grpcError{3}, false},
		{"grpc-internal", grpcError{13}, false},
		{"retry-after-only", afterOnly(time.Second), true},
		{"retry-after-zero", afterOnly(0), false},
		{"joined-second-decides", errors.Join(errBusiness, grpcError{14}), true},
		{"joined-first-decides", errors.Join(grpcError{3}, grpcError{14}), false},
		{"outer-status-wins", fmt.Errorf("%w", &wrapStatus{code: 404, err: netTimeout}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DefaultRetryIf(tt.err); got != tt.want {
				t.Errorf("DefaultRetryIf(%v) = %v want %v", tt.err, got, tt.want)
			}
		})
	}
}

// wrapStatus carries a status and wraps a cause.
type wrapStatus struct {
	code int
	err  error
}

func (e *wrapStatus) Error() string   { return "wrapped status" }
func (e *wrapStatus) HTTPStatus() int { return e.code }
func (e *wrapStatus) Unwrap() error   { return e.err }

func TestPermanent(t *testing.T) {
	if Permanent(nil) != nil {
		t.Fatal("Permanent(nil) != nil")
	}
	base := io.EOF
	err := fmt.Errorf("op: %w", Permanent(base))
	if !IsPermanent(err) || !errors.Is(err, io.EOF) {
		t.Errorf("IsPermanent(%v) = %v, errors.Is(io.EOF) = %v want true, true", err, IsPermanent(err), errors.Is(err, io.EOF))
	}
	if err.Error() != "op: EOF" {
		t.Errorf("Error() = %q want %q", err.Error(), "op: EOF")
	}
	var se *statusError
	if !errors.As(Permanent(&statusError{code: 500}), &se) || se.code != 500 {
		t.Errorf("errors.As through Permanent failed: %v", se)
	}
	if IsPermanent(io.EOF) {
		t.Error("IsPermanent(io.EOF) = true")
	}
}

func TestRetryAfterHint(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want time.Duration
	}{
		{"none", io.EOF, 0},
		{"direct", &statusError{code: 429, after: 3 * time.Second}, 3 * time.Second},
		{"wrapped", fmt.Errorf("w: %w", afterOnly(time.Second)), time.Second},
		{"zero-skipped", fmt.Errorf("w: %w", &wrapStatus{code: 503, err: afterOnly(2 * time.Second)}), 2 * time.Second},
		{"negative-ignored", afterOnly(-time.Second), 0},
		{"joined", errors.Join(io.EOF, afterOnly(5*time.Second)), 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := retryAfter(tt.err); got != tt.want {
				t.Errorf("retryAfter(%v) = %v want %v", tt.err, got, tt.want)
			}
		})
	}
}
