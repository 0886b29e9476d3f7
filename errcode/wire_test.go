package errcode_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/errcode"
)

func TestWireRoundTrip(t *testing.T) {
	reg := newShopRegistry(t)
	secret := errors.New("dial tcp 10.0.0.7:443: connection refused")
	tests := []struct {
		name string
		err  *errcode.Error
	}{
		{"bare", reg.New(codeOrderNotFound, "o-1")},
		{"everything", reg.Wrap(secret, codeGatewayUnavailable).
			WithDetails(map[string]any{"gateway": "stripe", "attempt": 3}).
			WithMetadata("region", "eu").WithRetryAfter(2 * time.Second)},
		{"unregistered", reg.Newf(4242, "odd")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.err.ToWire()
			if strings.Contains(string(w.Details)+w.Message, "refused") {
				t.Fatalf("the cause leaked into %+v", w)
			}
			// The wire form travels as JSON in some transports.
			b, err := json.Marshal(w)
			if err != nil {
				t.Fatal(err)
			}
			var w2 errcode.Wire
			if err := json.Unmarshal(b, &w2); err != nil {
				t.Fatal(err)
			}
			got, err := reg.FromWire(w2)
			if err != nil {
				t.Fatalf("FromWire(%+v) = %v", w2, err)
			}
			if !errors.Is(got, tt.err) && tt.err.Code != 0 {
				t.Errorf("errors.Is(%v, %v) = false", got, tt.err)
			}
			if got.Message != tt.err.Message || got.GRPCCode() != tt.err.GRPCCode() ||
				got.HTTPStatus() != tt.err.HTTPStatus() || got.RetryAfter() != tt.err.RetryAfter() {
				t.Errorf("FromWire = %v (%d/%d, %v) want %v (%d/%d, %v)",
					got, got.GRPCCode(), got.HTTPStatus(), got.RetryAfter(),
					tt.err, tt.err.GRPCCode(), tt.err.HTTPStatus(), tt.err.RetryAfter())
			}
			if !reflect.DeepEqual(normalize(t, got.Details), normalize(t, tt.err.Details)) ||
				!reflect.DeepEqual(got.Metadata, tt.err.Metadata) {
				t.Errorf("details/metadata = %v %v want %v %v", got.Details, got.Metadata, tt.err.Details, tt.err.Metadata)
			}
			if resilience.Classify(got) != resilience.Classify(tt.err) {
				t.Errorf("Classify = %v want %v", resilience.Classify(got), resilience.Classify(tt.err))
			}
		})
	}
}

func TestFromWireUnknownCodes(t *testing.T) {
	var empty errcode.Registry
	tests := []struct {
		name      string
		w         errcode.Wire
		http      int
		grpc      errcode.GRPCCode
		outcome   resilience.Outcome
		retryable bool
	}{
		{"not found", errcode.Wire{Code: 5, GRPCCode: 5}, 404, errcode.GRPCNotFound, resilience.OutcomeSuccess, false},
		{"unavailable", errcode.Wire{Code: 6, GRPCCode: 14}, 503, errcode.GRPCUnavailable, resilience.OutcomeFailure, true},
		{"explicit status kept", errcode.Wire{Code: 7, GRPCCode: 9, HTTPStatus: 402}, 402, errcode.GRPCFailedPrecondition, resilience.OutcomeSuccess, false},
		{"invalid status replaced", errcode.Wire{GRPCCode: 13, HTTPStatus: 1234}, 500, errcode.GRPCInternal, resilience.OutcomeFailure, false},
		{"code above 16 is Unknown", errcode.Wire{GRPCCode: 99}, 500, errcode.GRPCUnknown, resilience.OutcomeFailure, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := empty.FromWire(tt.w)
			if err != nil {
				t.Fatal(err)
			}
			if e.HTTPStatus() != tt.http || errcode.GRPCCode(e.GRPCCode()) != tt.grpc ||
				resilience.Classify(e) != tt.outcome || e.Retryable() != tt.retryable {
				t.Errorf("FromWire(%+v) = %d/%v %v retryable=%v want %d/%v %v %v", tt.w,
					e.HTTPStatus(), errcode.GRPCCode(e.GRPCCode()), resilience.Classify(e), e.Retryable(),
					tt.http, tt.grpc, tt.outcome, tt.retryable)
			}
		})
	}
}

func TestFromWireErrors(t *testing.T) {
	tests := []struct {
		name    string
		details string
		want    error
	}{
		{"array", `[1]`, errcode.ErrMalformed},
		{"not JSON", `{oops`, errcode.ErrMalformed},
		{"two objects", `{}{}`, errcode.ErrMalformed},
		{"too large", `{"a":"` + strings.Repeat("x", errcode.MaxDocumentSize) + `"}`, errcode.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := errcode.FromWire(errcode.Wire{Code: 1, GRPCCode: 3, Details: json.RawMessage(tt.details)})
			if !errors.Is(err, tt.want) || e != nil {
				t.Errorf("FromWire(details %.20s) = %v, %v want %v", tt.details, e, err, tt.want)
			}
		})
	}
	e := errcode.New(1).WithDetail("ch", make(chan int))
	if w := e.ToWire(); w.Details != nil {
		t.Errorf("ToWire kept unencodable details: %s", w.Details)
	}
}

func FuzzFromWire(f *testing.F) {
	f.Add(10001, "USER_NOT_FOUND", "user not found", uint32(5), 404, []byte(`{"id":"u-1"}`), int64(0))
	f.Add(0, "", "", uint32(99), -1, []byte(`null`), int64(-5))
	f.Add(30002, "X", "down", uint32(14), 0, []byte(`{"n":1e400}`), int64(time.Second))
	reg := newShopRegistry(f)
	f.Fuzz(func(t *testing.T, code int, name, msg string, grpc uint32, status int, details []byte, after int64) {
		w := errcode.Wire{Code: code, Name: name, Message: msg, GRPCCode: grpc, HTTPStatus: status,
			Details: details, RetryAfter: time.Duration(after)}
		e, err := reg.FromWire(w)
		if err != nil {
			if !errors.Is(err, errcode.ErrMalformed) && !errors.Is(err, errcode.ErrTooLarge) {
				t.Fatalf("FromWire error %v matches no sentinel", err)
			}
			return
		}
		if e.GRPCCode() > uint32(errcode.MaxGRPCCode) || e.HTTPStatus() < 100 || e.HTTPStatus() > 599 || e.RetryAfter() < 0 {
			t.Fatalf("FromWire(%+v) gave an invalid mapping %d/%d/%v", w, e.GRPCCode(), e.HTTPStatus(), e.RetryAfter())
		}
		again, err := reg.FromWire(e.ToWire())
		if err != nil {
			t.Fatalf("FromWire(ToWire(e)) = %v", err)
		}
		if again.Code != e.Code || again.Message != e.Message || again.GRPCCode() != e.GRPCCode() || again.HTTPStatus() != e.HTTPStatus() {
			t.Fatalf("second round trip changed %v into %v", e, again)
		}
	})
}
