package errcode_test

import (
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/errcode"
)

func TestErrorText(t *testing.T) {
	reg := newShopRegistry(t)
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"plain", reg.New(codeUserNotFound, "u-1"), "errcode 10001 USER_NOT_FOUND: user u-1 not found"},
		{"with cause", reg.Wrap(io.ErrUnexpectedEOF, codeGatewayError), "errcode 30003 PAYMENT_GATEWAY_ERROR: the payment failed: unexpected EOF"},
		{"unregistered", reg.Newf(42, "odd"), "errcode 42: odd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q want %q", got, tt.want)
			}
		})
	}
}

func TestErrorIsAsAndUnwrap(t *testing.T) {
	reg := newShopRegistry(t)
	cause := errors.New("connection refused")
	e := reg.Wrap(cause, codeGatewayUnavailable)
	wrapped := fmt.Errorf("charging order o-1: %w", e)
	joined := errors.Join(errors.New("other"), wrapped)

	tests := []struct {
		name   string
		err    error
		target error
		want   bool
	}{
		{"same code", wrapped, reg.New(codeGatewayUnavailable), true},
		{"same code through Join", joined, reg.New(codeGatewayUnavailable), true},
		{"different code", wrapped, reg.New(codeGatewayError), false},
		{"internal cause", wrapped, cause, true},
		{"zero code never matches", reg.Newf(0, "x"), reg.Newf(0, "x"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := errors.Is(tt.err, tt.target); got != tt.want {
				t.Errorf("errors.Is(%v, %v) = %v want %v", tt.err, tt.target, got, tt.want)
			}
		})
	}
	if got, ok := errcode.From(joined); !ok || got != e {
		t.Errorf("From(joined) = %v, %v want the *Error", got, ok)
	}
	if got := errcode.CodeOf(wrapped); got != codeGatewayUnavailable {
		t.Errorf("CodeOf(wrapped) = %d want %d", got, codeGatewayUnavailable)
	}
	if got := errcode.CodeOf(cause); got != 0 {
		t.Errorf("CodeOf(plain error) = %d want 0", got)
	}
	if got := errcode.CodeOf(nil); got != 0 {
		t.Errorf("CodeOf(nil) = %d want 0", got)
	}
	var target *errcode.Error
	if !errors.As(wrapped, &target) || target.Code != codeGatewayUnavailable {
		t.Errorf("errors.As(wrapped) = %v", target)
	}
}

// asOnly hides an *Error behind an As method, the other way errors.As finds
// values.
type asOnly struct{ e *errcode.Error }

func (a asOnly) Error() string { return "as-only" }
func (a asOnly) As(target any) bool {
	if p, ok := target.(**errcode.Error); ok {
		*p = a.e
		return true
	}
	return false
}

func TestFromHonoursAsMethods(t *testing.T) {
	reg := newShopRegistry(t)
	e := reg.New(codeOutOfStock, "x")
	if got, ok := errcode.From(asOnly{e}); !ok || got != e {
		t.Errorf("From(asOnly) = %v, %v want %v, true", got, ok, e)
	}
}

func TestWithMethodsCopy(t *testing.T) {
	reg := newShopRegistry(t)
	base := reg.New(codeInvalidEmail, "bob@")
	e := base.WithDetail("field", "email").
		WithDetails(map[string]any{"hint": "add a domain"}).
		WithMetadata("tenant", "acme").
		WithRetryAfter(2 * time.Second).
		WithCause(io.EOF)

	if base.Details != nil || base.Metadata != nil || base.RetryAfter() != 0 || base.Unwrap() != nil {
		t.Fatalf("With methods modified the original: %+v", base)
	}
	if e.Details["field"] != "email" || e.Details["hint"] != "add a domain" {
		t.Errorf("Details = %v", e.Details)
	}
	if e.Metadata["tenant"] != "acme" {
		t.Errorf("Metadata = %v", e.Metadata)
	}
	if e.RetryAfter() != 2*time.Second {
		t.Errorf("RetryAfter() = %v want 2s", e.RetryAfter())
	}
	if !errors.Is(e, io.EOF) {
		t.Error("WithCause: errors.Is(e, io.EOF) = false")
	}
	again := e.WithDetail("field", "name")
	if e.Details["field"] != "email" {
		t.Errorf("WithDetail changed the receiver's Details to %v", e.Details)
	}
	if again.Details["field"] != "name" {
		t.Errorf("WithDetail did not override: %v", again.Details)
	}
	if got := e.WithRetryAfter(-time.Second).RetryAfter(); got != 0 {
		t.Errorf("WithRetryAfter(-1s).RetryAfter() = %v want 0", got)
	}
	if d := e.Definition(); d.Name != "INVALID_EMAIL" || d.Code != codeInvalidEmail {
		t.Errorf("Definition() = %+v", d)
	}
}

func TestLiteralErrorFailsSafe(t *testing.T) {
	e := &errcode.Error{Code: 12, Message: "built by hand"}
	if e.HTTPStatus() != 500 || errcode.GRPCCode(e.GRPCCode()) != errcode.GRPCInternal ||
		resilience.Classify(e) != resilience.OutcomeFailure {
		t.Errorf("literal *Error maps to %d/%d/%v; want 500/Internal/failure",
			e.HTTPStatus(), e.GRPCCode(), resilience.Classify(e))
	}
	rec := httptest.NewRecorder()
	errcode.WriteProblem(rec, e)
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":12`) {
		t.Errorf("WriteProblem(literal) = %d %s", rec.Code, rec.Body)
	}
}

func TestGRPCMappings(t *testing.T) {
	for c := errcode.GRPCOK; c <= errcode.MaxGRPCCode; c++ {
		status := errcode.HTTPStatusFor(c)
		if status < 200 || status > 599 {
			t.Errorf("HTTPStatusFor(%v) = %d, not a valid status", c, status)
		}
	}
	tests := []struct {
		grpc errcode.GRPCCode
		name string
		http int
	}{
		{errcode.GRPCOK, "OK", 200},
		{errcode.GRPCCanceled, "Canceled", 499},
		{errcode.GRPCInvalidArgument, "InvalidArgument", 400},
		{errcode.GRPCDeadlineExceeded, "DeadlineExceeded", 504},
		{errcode.GRPCNotFound, "NotFound", 404},
		{errcode.GRPCAlreadyExists, "AlreadyExists", 409},
		{errcode.GRPCPermissionDenied, "PermissionDenied", 403},
		{errcode.GRPCResourceExhausted, "ResourceExhausted", 429},
		{errcode.GRPCFailedPrecondition, "FailedPrecondition", 400},
		{errcode.GRPCUnimplemented, "Unimplemented", 501},
		{errcode.GRPCInternal, "Internal", 500},
		{errcode.GRPCUnavailable, "Unavailable", 503},
		{errcode.GRPCUnauthenticated, "Unauthenticated", 401},
		{17, "Code(17)", 500},
	}
	for _, tt := range tests {
		if got := tt.grpc.String(); got != tt.name {
			t.Errorf("GRPCCode(%d).String() = %q want %q", uint32(tt.grpc), got, tt.name)
		}
		if got := errcode.HTTPStatusFor(tt.grpc); got != tt.http {
			t.Errorf("HTTPStatusFor(%v) = %d want %d", tt.grpc, got, tt.http)
		}
	}
	inverse := []struct {
		http int
		grpc errcode.GRPCCode
	}{
		{200, errcode.GRPCOK}, {204, errcode.GRPCOK}, {400, errcode.GRPCInvalidArgument},
		{401, errcode.GRPCUnauthenticated}, {402, errcode.GRPCFailedPrecondition},
		{403, errcode.GRPCPermissionDenied}, {404, errcode.GRPCNotFound},
		{408, errcode.GRPCDeadlineExceeded}, {409, errcode.GRPCAborted},
		{412, errcode.GRPCFailedPrecondition}, {416, errcode.GRPCOutOfRange},
		{429, errcode.GRPCResourceExhausted}, {499, errcode.GRPCCanceled},
		{500, errcode.GRPCInternal}, {501, errcode.GRPCUnimplemented},
		{502, errcode.GRPCUnavailable}, {503, errcode.GRPCUnavailable},
		{504, errcode.GRPCDeadlineExceeded}, {599, errcode.GRPCInternal},
		{302, errcode.GRPCUnknown}, {0, errcode.GRPCUnknown}, {999, errcode.GRPCUnknown},
	}
	for _, tt := range inverse {
		if got := errcode.GRPCCodeFor(tt.http); got != tt.grpc {
			t.Errorf("GRPCCodeFor(%d) = %v want %v", tt.http, got, tt.grpc)
		}
	}
}
