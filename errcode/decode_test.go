package errcode_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/resilience-go/resilience/errcode"
)

func TestDecodeProblem(t *testing.T) {
	reg := newShopRegistry(t)
	tests := []struct {
		name       string
		body       string
		status     int
		code       int
		message    string
		http       int
		details    string // JSON of the decoded details; "" for none
		retryAfter time.Duration
		retryable  bool
		failure    bool
	}{
		{"registered code", `{"status":404,"detail":"user u-1 not found","code":10001}`, 404, codeUserNotFound, "user u-1 not found", 404, "", 0, false, false},
		{"registered code takes local definition", `{"code":30002,"detail":"down"}`, 503, codeGatewayUnavailable, "down", 503, "", 0, true, true},
		{"status from document when 0", `{"status":409,"title":"Conflict"}`, 0, 0, "Conflict", 409, "", 0, false, false},
		{"status from document invalid", `{"status":9000}`, 0, 0, "", 500, "", 0, false, true},
		{"response status wins", `{"status":200,"detail":"x"}`, 502, 0, "x", 502, "", 0, true, true},
		{"big integers survive", `{"code":1,"details":{"id":1152921504606846977,"f":1.5}}`, 400, 1, "", 400, `{"f":1.5,"id":1152921504606846977}`, 0, false, false},
		{"wrong-typed members ignored", `{"title":7,"detail":["x"],"code":"10001","status":"404","details":[1],"metadata":{"a":1},"retry_after":"soon"}`, 400, 0, "", 400, "", 0, false, false},
		{"fractional code ignored", `{"code":10001.5,"detail":"d"}`, 400, 0, "d", 400, "", 0, false, false},
		{"negative retry_after ignored", `{"retry_after":-3}`, 429, 0, "", 429, "", 0, true, false},
		{"huge retry_after ignored", `{"retry_after":1e300}`, 429, 0, "", 429, "", 0, true, false},
		{"retry_after seconds", `{"retry_after":0.25}`, 503, 0, "", 503, "", 250 * time.Millisecond, true, true},
		{"empty details are none", `{"details":{}}`, 400, 0, "", 400, "", 0, false, false},
		{"unknown members ignored", `{"balance":30,"accounts":["/a/1"],"detail":"d"}`, 403, 0, "d", 403, "", 0, false, false},
		{"not implemented is no dependency failure", `{}`, 501, 0, "", 501, "", 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := reg.DecodeProblem(strings.NewReader(tt.body), tt.status)
			if err != nil {
				t.Fatalf("DecodeProblem(%s) = %v", tt.body, err)
			}
			if e.Code != tt.code || e.Message != tt.message || e.HTTPStatus() != tt.http {
				t.Errorf("DecodeProblem(%s) = code %d message %q status %d; want %d %q %d",
					tt.body, e.Code, e.Message, e.HTTPStatus(), tt.code, tt.message, tt.http)
			}
			details := ""
			if e.Details != nil {
				b, _ := json.Marshal(e.Details)
				details = string(b)
			}
			if details != tt.details {
				t.Errorf("Details = %s want %s", details, tt.details)
			}
			if e.RetryAfter() != tt.retryAfter {
				t.Errorf("RetryAfter() = %v want %v", e.RetryAfter(), tt.retryAfter)
			}
			if e.Retryable() != tt.retryable || e.Definition().DependencyFailure != tt.failure {
				t.Errorf("Retryable, DependencyFailure = %v, %v want %v, %v",
					e.Retryable(), e.Definition().DependencyFailure, tt.retryable, tt.failure)
			}
		})
	}
}

func TestDecodeProblemErrors(t *testing.T) {
	tests := []struct {
		name string
		r    io.Reader
		want error
	}{
		{"empty", strings.NewReader(""), errcode.ErrMalformed},
		{"null", strings.NewReader("null"), errcode.ErrMalformed},
		{"array", strings.NewReader(`[{"code":1}]`), errcode.ErrMalformed},
		{"string", strings.NewReader(`"oops"`), errcode.ErrMalformed},
		{"truncated", strings.NewReader(`{"code":1`), errcode.ErrMalformed},
		{"trailing garbage", strings.NewReader(`{"code":1} x`), errcode.ErrMalformed},
		{"html", strings.NewReader("<html>502 Bad Gateway</html>"), errcode.ErrMalformed},
		{"too large", strings.NewReader(`{"detail":"` + strings.Repeat("a", errcode.MaxDocumentSize) + `"}`), errcode.ErrTooLarge},
		{"endless", endless{}, errcode.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := errcode.DecodeProblem(tt.r, 500)
			if !errors.Is(err, tt.want) || e != nil {
				t.Errorf("DecodeProblem = %v, %v want nil, %v", e, err, tt.want)
			}
		})
	}
	readErr := errors.New("connection reset")
	if _, err := errcode.DecodeProblem(iotest.ErrReader(readErr), 500); !errors.Is(err, readErr) {
		t.Errorf("DecodeProblem(failing reader) = %v want %v", err, readErr)
	}
}

// endless is a body that never ends; the decoder must stop reading it.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

// FuzzDecodeProblem checks that decoding never panics and that whatever
// decodes survives a second trip through ProblemWriter unchanged.
func FuzzDecodeProblem(f *testing.F) {
	f.Add([]byte(`{"type":"about:blank","title":"Not Found","status":404,"detail":"user u-1 not found","code":10001}`), 404)
	f.Add([]byte(`{"code":30002,"details":{"gateway":"stripe","n":12345678901234567890},"metadata":{"k":"v"},"retry_after":1.5}`), 503)
	f.Add([]byte(`{"title":7,"detail":["x"],"code":"1"}`), 0)
	f.Add([]byte(`null`), 200)
	f.Add([]byte(`{"details":{"a":{"b":[1,2,{"c":null}]}}}`), 400)
	reg := newShopRegistry(f)
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		e, err := reg.DecodeProblem(strings.NewReader(string(body)), status)
		if err != nil {
			if e != nil {
				t.Fatalf("DecodeProblem returned both %v and %v", e, err)
			}
			if !errors.Is(err, errcode.ErrMalformed) && !errors.Is(err, errcode.ErrTooLarge) {
				t.Fatalf("DecodeProblem error %v matches no sentinel", err)
			}
			return
		}
		if s := e.HTTPStatus(); s < 100 || s > 599 {
			t.Fatalf("decoded status %d outside 100..599", s)
		}
		rec := httptest.NewRecorder()
		errcode.ProblemWriter{}.WriteProblem(rec, e)
		again, err := reg.DecodeProblem(rec.Body, rec.Code)
		if err != nil {
			t.Fatalf("re-decoding our own problem %q: %v", rec.Body, err)
		}
		if again.Code != e.Code || again.HTTPStatus() != e.HTTPStatus() || again.RetryAfter() != e.RetryAfter() {
			t.Fatalf("round trip changed %+v into %+v", e, again)
		}
		if e.Message != "" && again.Message != e.Message {
			t.Fatalf("round trip changed message %q into %q", e.Message, again.Message)
		}
	})
}
