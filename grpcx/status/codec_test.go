package status_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/protoadapt"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/errcode"
	gstatus "github.com/resilience-go/resilience/grpcx/status"
	"github.com/resilience-go/resilience/ratelimit"
)

func newCodec(t testing.TB, cfg gstatus.Config) *gstatus.Codec {
	t.Helper()
	c, err := gstatus.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// overTheWire marshals st as grpc-go sends it in grpc-status-details-bin
// and parses it back.
func overTheWire(t testing.TB, st *status.Status) *status.Status {
	t.Helper()
	b, err := proto.Marshal(st.Proto())
	if err != nil {
		t.Fatalf("proto.Marshal: %v", err)
	}
	var p spb.Status
	if err := proto.Unmarshal(b, &p); err != nil {
		t.Fatalf("proto.Unmarshal: %v", err)
	}
	return status.FromProto(&p)
}

func errorInfo(t testing.TB, st *status.Status) *errdetails.ErrorInfo {
	t.Helper()
	for _, d := range st.Details() {
		if ei, ok := d.(*errdetails.ErrorInfo); ok {
			return ei
		}
	}
	t.Fatalf("status %v has no ErrorInfo", st)
	return nil
}

// TestBusinessErrorRoundTrip checks that a business error comes back to
// the client as the same typed error, without its internal cause.
func TestBusinessErrorRoundTrip(t *testing.T) {
	reg := newRegistry(t)
	codec := newCodec(t, gstatus.Config{Registry: reg})
	sent := reg.Wrap(errors.New("secret: sql: no rows in users"), codeUserNotFound, "42").
		WithDetail("field", "id").
		WithDetail("id", int64(9007199254740993)).
		WithMetadata("region", "eu").
		WithRetryAfter(3 * time.Second)

	st := codec.FromError(fmt.Errorf("handler: %w", sent))
	if st.Code() != codes.NotFound || st.Message() != "user 42 not found" {
		t.Fatalf("FromError = %v want NotFound \"user 42 not found\"", st)
	}
	ei := errorInfo(t, st)
	if ei.GetReason() != "USER_NOT_FOUND" || ei.GetDomain() != gstatus.DefaultDomain ||
		ei.GetMetadata()[gstatus.CodeKey] != "10001" || ei.GetMetadata()["region"] != "eu" {
		t.Errorf("ErrorInfo = %v want reason USER_NOT_FOUND, domain %s, code 10001, region eu", ei, gstatus.DefaultDomain)
	}
	if strings.Contains(fmt.Sprint(st.Proto()), "secret") {
		t.Errorf("status %v leaks the internal cause", st.Proto())
	}

	err := codec.ToError(overTheWire(t, st))
	var got *errcode.Error
	if !errors.As(err, &got) {
		t.Fatalf("ToError = %T %v; errors.As(*errcode.Error) fails", err, err)
	}
	if got.Code != codeUserNotFound || got.Message != "user 42 not found" {
		t.Errorf("code %d message %q want %d %q", got.Code, got.Message, codeUserNotFound, "user 42 not found")
	}
	if got.Details["field"] != "id" || got.Details["id"] != json.Number("9007199254740993") {
		t.Errorf("Details = %v want field=id and id=9007199254740993 exactly", got.Details)
	}
	if got.Metadata["region"] != "eu" || len(got.Metadata) != 1 {
		t.Errorf("Metadata = %v want only region=eu", got.Metadata)
	}
	if got.RetryAfter() != 3*time.Second {
		t.Errorf("RetryAfter = %v want 3s", got.RetryAfter())
	}
	if got.Definition().Name != "USER_NOT_FOUND" || got.Unwrap() != nil {
		t.Errorf("Definition().Name = %q, cause %v; want USER_NOT_FOUND and no cause", got.Definition().Name, got.Unwrap())
	}
	if !errors.Is(err, reg.New(codeUserNotFound)) {
		t.Errorf("errors.Is(err, New(%d)) = false", codeUserNotFound)
	}
	if status.Code(err) != codes.NotFound {
		t.Errorf("status.Code = %v want NotFound", status.Code(err))
	}
	if resilience.Classify(err) != resilience.OutcomeSuccess {
		t.Errorf("Classify = %v want success: a business answer", resilience.Classify(err))
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("client error %q leaks the internal cause", err)
	}
}

// TestToErrorDecoding checks how clients decode what they receive.
func TestToErrorDecoding(t *testing.T) {
	reg := newRegistry(t)
	info := func(reason, code string, md ...string) *errdetails.ErrorInfo {
		m := map[string]string{gstatus.CodeKey: code}
		for i := 0; i+1 < len(md); i += 2 {
			m[md[i]] = md[i+1]
		}
		return &errdetails.ErrorInfo{Reason: reason, Domain: gstatus.DefaultDomain, Metadata: m}
	}
	for _, tc := range []struct {
		name       string
		registry   *errcode.Registry // the client's
		code       codes.Code
		details    []protoadapt.MessageV1
		wantCode   int // 0: not a business error
		wantName   string
		wantMD     map[string]string
		wantRetry  time.Duration
		wantOutcom resilience.Outcome
	}{
		{"errorinfo-only", reg, codes.NotFound, []protoadapt.MessageV1{info("USER_NOT_FOUND", "10001", "k", "v")},
			codeUserNotFound, "USER_NOT_FOUND", map[string]string{"k": "v"}, 0, resilience.OutcomeSuccess},
		{"unnamed-code", reg, codes.Aborted, []protoadapt.MessageV1{info("CODE_10002", "10002")},
			codeUnnamed, "", nil, 0, resilience.OutcomeSuccess},
		{"unknown-to-client", &errcode.Registry{}, codes.Unavailable, []protoadapt.MessageV1{info("DB_DOWN", "20001")},
			codeDBDown, "DB_DOWN", nil, 0, resilience.OutcomeFailure},
		{"retry-info", reg, codes.Unavailable, []protoadapt.MessageV1{info("DB_DOWN", "20001"),
			&errdetails.RetryInfo{RetryDelay: durationpb.New(2 * time.Second)}},
			codeDBDown, "DB_DOWN", nil, 2 * time.Second, resilience.OutcomeFailure},
		{"malformed-wire-falls-back", reg, codes.NotFound, []protoadapt.MessageV1{info("USER_NOT_FOUND", "10001"),
			wrapperspb.String("{not json")}, codeUserNotFound, "USER_NOT_FOUND", nil, 0, resilience.OutcomeSuccess},
		{"non-object-details-dropped", reg, codes.NotFound, []protoadapt.MessageV1{info("USER_NOT_FOUND", "10001"),
			wrapperspb.String(`{"code":10001,"details":[1,2]}`)}, codeUserNotFound, "USER_NOT_FOUND", nil, 0, resilience.OutcomeSuccess},
		{"other-domain", reg, codes.NotFound, []protoadapt.MessageV1{&errdetails.ErrorInfo{Reason: "X", Domain: "example.com"}},
			0, "", nil, 0, resilience.OutcomeSuccess},
		{"no-details", reg, codes.Internal, nil, 0, "", nil, 0, resilience.OutcomeFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &spb.Status{Code: int32(tc.code), Message: "msg"}
			st := status.FromProto(p)
			for _, d := range tc.details {
				var err error
				if st, err = st.WithDetails(d); err != nil {
					t.Fatal(err)
				}
			}
			err := newCodec(t, gstatus.Config{Registry: tc.registry}).ToError(overTheWire(t, st))
			if status.Code(err) != tc.code {
				t.Errorf("status.Code = %v want %v", status.Code(err), tc.code)
			}
			e, ok := errcode.From(err)
			if ok != (tc.wantCode != 0) {
				t.Fatalf("errcode.From(%v) ok = %v want %v", err, ok, tc.wantCode != 0)
			}
			if !ok {
				return
			}
			if e.Code != tc.wantCode || e.Definition().Name != tc.wantName || e.Message != "msg" {
				t.Errorf("code %d name %q message %q; want %d %q \"msg\"", e.Code, e.Definition().Name, e.Message, tc.wantCode, tc.wantName)
			}
			if fmt.Sprint(e.Metadata) != fmt.Sprint(tc.wantMD) {
				t.Errorf("Metadata = %v want %v", e.Metadata, tc.wantMD)
			}
			if e.RetryAfter() != tc.wantRetry {
				t.Errorf("RetryAfter = %v want %v", e.RetryAfter(), tc.wantRetry)
			}
			if got := resilience.Classify(err); got != tc.wantOutcom {
				t.Errorf("Classify = %v want %v", got, tc.wantOutcom)
			}
		})
	}
	if err := gstatus.ToError(nil); err != nil {
		t.Errorf("ToError(nil) = %v want nil", err)
	}
	if err := gstatus.ToError(status.New(codes.OK, "")); err != nil {
		t.Errorf("ToError(OK) = %v want nil", err)
	}
}

// TestFromErrorOtherErrors checks the statuses of errors that are not
// business errors: nothing internal leaks.
func TestFromErrorOtherErrors(t *testing.T) {
	fault := &chaos.FaultError{Fault: "f", Kind: chaos.KindAbort, Code: uint32(codes.PermissionDenied)}
	for _, tc := range []struct {
		name     string
		expose   bool
		err      error
		wantCode codes.Code
		wantMsg  string
	}{
		{"plain", false, errors.New("secret: disk full"), codes.Unknown, "internal error"},
		{"plain-exposed", true, errors.New("secret: disk full"), codes.Unknown, "secret: disk full"},
		{"breaker-open", false, circuitbreaker.ErrOpen, codes.Unavailable, circuitbreaker.ErrOpen.Error()},
		{"rate-limited", false, fmt.Errorf("api: %w", ratelimit.ErrLimited), codes.ResourceExhausted, "api: " + ratelimit.ErrLimited.Error()},
		{"deadline", false, context.DeadlineExceeded, codes.DeadlineExceeded, "context deadline exceeded"},
		{"canceled", false, context.Canceled, codes.Canceled, "context canceled"},
		{"status", false, status.Error(codes.NotFound, "no such user"), codes.NotFound, "no such user"},
		{"coder", false, fault, codes.PermissionDenied, "PermissionDenied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newCodec(t, gstatus.Config{Expose: tc.expose}).FromError(tc.err)
			if st.Code() != tc.wantCode || st.Message() != tc.wantMsg {
				t.Errorf("FromError(%v) = %v %q want %v %q", tc.err, st.Code(), st.Message(), tc.wantCode, tc.wantMsg)
			}
		})
	}
	if st := gstatus.FromError(nil); st != nil {
		t.Errorf("FromError(nil) = %v want nil", st)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		domain string
		ok     bool
	}{
		{"", true}, {"errors.example.com", true}, {"bad domain", false}, {"tab\t", false}, {"é", false},
	} {
		_, err := gstatus.New(gstatus.Config{Domain: tc.domain})
		if (err == nil) != tc.ok {
			t.Errorf("New(Domain %q) = %v want ok %v", tc.domain, err, tc.ok)
		}
	}
}
