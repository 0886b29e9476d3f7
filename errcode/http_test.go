package errcode_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/errcode"
)

// statusErr is a foreign error that knows its HTTP status, like an injected
// fault or a rate limiter's rejection.
type statusErr struct {
	status int
	after  time.Duration
}

func (e statusErr) Error() string             { return "secret internal state" }
func (e statusErr) HTTPStatus() int           { return e.status }
func (e statusErr) RetryAfter() time.Duration { return e.after }

// serve starts a loopback server whose handler writes err with pw, and
// returns the response to one GET.
func serve(t *testing.T, pw errcode.ProblemWriter, err error) (*http.Response, []byte) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		pw.WriteProblem(w, err)
	}))
	t.Cleanup(srv.Close)
	resp, gerr := srv.Client().Get(srv.URL + "/orders/o-1")
	if gerr != nil {
		t.Fatalf("GET: %v", gerr)
	}
	defer resp.Body.Close()
	body, rerr := io.ReadAll(resp.Body)
	if rerr != nil {
		t.Fatalf("reading body: %v", rerr)
	}
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp, body
}

func TestProblemRoundTripOverHTTP(t *testing.T) {
	reg := newShopRegistry(t)
	secret := errors.New("pq: password authentication failed for user shop")
	tests := []struct {
		name string
		err  *errcode.Error
	}{
		{"not found", reg.New(codeUserNotFound, "u-42")},
		{"details and metadata", reg.New(codeInvalidEmail, "bob@").
			WithDetails(map[string]any{"field": "email", "max": 254, "id": int64(1) << 60, "tags": []any{"a", "b"}}).
			WithMetadata("tenant", "acme")},
		{"retryable with retry-after", reg.Wrap(secret, codeGatewayUnavailable).WithRetryAfter(1500 * time.Millisecond)},
		{"payment required", reg.Wrap(secret, codeInsufficientFunds)},
		{"unregistered code", reg.Newf(777, "strange")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := serve(t, errcode.ProblemWriter{}, tt.err)
			if strings.Contains(string(body), "password") {
				t.Fatalf("the internal cause leaked into the body: %s", body)
			}
			if resp.StatusCode != tt.err.HTTPStatus() {
				t.Errorf("status = %d want %d", resp.StatusCode, tt.err.HTTPStatus())
			}
			got, err := reg.ParseProblem(resp)
			if err != nil {
				t.Fatalf("ParseProblem = %v (body %s)", err, body)
			}
			if !errors.Is(got, tt.err) || got.Code != tt.err.Code {
				t.Errorf("errors.Is(parsed %v, sent %v) = false", got, tt.err)
			}
			if got.Message != tt.err.Message {
				t.Errorf("Message = %q want %q", got.Message, tt.err.Message)
			}
			if !reflect.DeepEqual(normalize(t, got.Details), normalize(t, tt.err.Details)) {
				t.Errorf("Details = %#v want %#v", got.Details, tt.err.Details)
			}
			if !reflect.DeepEqual(got.Metadata, tt.err.Metadata) {
				t.Errorf("Metadata = %v want %v", got.Metadata, tt.err.Metadata)
			}
			if got.RetryAfter() != tt.err.RetryAfter() {
				t.Errorf("RetryAfter() = %v want %v", got.RetryAfter(), tt.err.RetryAfter())
			}
			if got.GRPCCode() != tt.err.GRPCCode() || got.HTTPStatus() != tt.err.HTTPStatus() {
				t.Errorf("mapping = %d/%d want %d/%d", got.GRPCCode(), got.HTTPStatus(), tt.err.GRPCCode(), tt.err.HTTPStatus())
			}
			if resilience.Classify(got) != resilience.Classify(tt.err) {
				t.Errorf("Classify(parsed) = %v want %v", resilience.Classify(got), resilience.Classify(tt.err))
			}
			if got.Unwrap() != nil {
				t.Errorf("parsed error has a cause %v; causes never travel", got.Unwrap())
			}
		})
	}
}

// normalize re-encodes v as JSON with numbers kept exact, so values sent as
// Go ints compare equal to the json.Numbers decoded.
func normalize(t *testing.T, v map[string]any) any {
	t.Helper()
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestProblemDocumentShape(t *testing.T) {
	reg := newShopRegistry(t)
	e := reg.New(codeGatewayUnavailable).WithRetryAfter(1500*time.Millisecond).WithDetail("gateway", "stripe")
	tests := []struct {
		name string
		pw   errcode.ProblemWriter
		want map[string]any
	}{
		{"about:blank by default", errcode.ProblemWriter{}, map[string]any{
			"title": "Service Unavailable", "status": 503.0, "code": 30002.0,
			"detail":  "the payment gateway is unavailable, try again later",
			"details": map[string]any{"gateway": "stripe"}, "retry_after": 1.5,
		}},
		{"typed with TypeBase", errcode.ProblemWriter{TypeBase: "https://errors.example.com/"}, map[string]any{
			"type":  "https://errors.example.com/payment-gateway-unavailable",
			"title": "Payment gateway unavailable", "status": 503.0, "code": 30002.0,
			"detail":  "the payment gateway is unavailable, try again later",
			"details": map[string]any{"gateway": "stripe"}, "retry_after": 1.5,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := serve(t, tt.pw, e)
			if ct := resp.Header.Get("Content-Type"); ct != errcode.ContentType {
				t.Errorf("Content-Type = %q want %q", ct, errcode.ContentType)
			}
			if ra := resp.Header.Get("Retry-After"); ra != "2" {
				t.Errorf("Retry-After = %q want 2 (1.5s rounded up)", ra)
			}
			var got map[string]any
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("document = %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestUnknownErrorsLeakNothing(t *testing.T) {
	secret := errors.New("panic: runtime error at db.go:42, dsn=postgres://admin:hunter2@db")
	tests := []struct {
		name       string
		pw         errcode.ProblemWriter
		err        error
		status     int
		leaks      bool
		retryAfter string
	}{
		{"plain error", errcode.ProblemWriter{}, secret, 500, false, ""},
		{"nil error", errcode.ProblemWriter{}, nil, 500, false, ""},
		{"foreign status", errcode.ProblemWriter{}, statusErr{status: 429, after: 3 * time.Second}, 429, false, "3"},
		{"foreign invalid status", errcode.ProblemWriter{}, statusErr{status: 1000}, 500, false, ""},
		{"exposed in development", errcode.ProblemWriter{Expose: true}, secret, 500, true, ""},
		{"exposed cause of *Error", errcode.ProblemWriter{Expose: true}, errcode.Wrap(secret, 12345), 500, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := serve(t, tt.pw, tt.err)
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d want %d", resp.StatusCode, tt.status)
			}
			leaked := strings.Contains(string(body), "hunter2") || strings.Contains(string(body), "secret internal")
			if leaked != tt.leaks {
				t.Errorf("body %s: leaked = %v want %v", body, leaked, tt.leaks)
			}
			if ra := resp.Header.Get("Retry-After"); ra != tt.retryAfter {
				t.Errorf("Retry-After = %q want %q", ra, tt.retryAfter)
			}
			got, err := errcode.ParseProblem(resp)
			if err != nil {
				t.Fatalf("ParseProblem = %v", err)
			}
			if got.HTTPStatus() != tt.status {
				t.Errorf("parsed HTTPStatus() = %d want %d", got.HTTPStatus(), tt.status)
			}
			if resilience.Classify(got) != resilience.OutcomeFailure && tt.status >= 500 {
				t.Errorf("Classify(parsed %d) = %v want failure", tt.status, resilience.Classify(got))
			}
		})
	}
}

func TestProblemAsErrorAndRejection(t *testing.T) {
	p := errcode.NewProblem(http.StatusTooManyRequests, "", "rate limit exceeded")
	p.RetryAfter = time.Second
	p.Cause = "internal"
	if p.Title != "Too Many Requests" {
		t.Errorf("NewProblem title = %q want the status text", p.Title)
	}
	if got := p.Error(); got != "problem 429 Too Many Requests: rate limit exceeded" {
		t.Errorf("Error() = %q", got)
	}
	if p.GRPCCode() != uint32(errcode.GRPCResourceExhausted) {
		t.Errorf("GRPCCode() = %d want ResourceExhausted", p.GRPCCode())
	}
	resp, body := serve(t, errcode.ProblemWriter{}, p)
	if strings.Contains(string(body), "internal") {
		t.Errorf("Cause written without Expose: %s", body)
	}
	if p.Cause != "internal" {
		t.Error("ProblemWriter modified the caller's Problem")
	}
	got, err := errcode.ParseProblem(resp)
	if err != nil {
		t.Fatal(err)
	}
	if got.Code != 0 || got.Message != "rate limit exceeded" || got.HTTPStatus() != 429 ||
		got.RetryAfter() != time.Second || !got.Retryable() {
		t.Errorf("parsed = %+v (status %d, retry-after %v, retryable %v)", got, got.HTTPStatus(), got.RetryAfter(), got.Retryable())
	}
	if b, err := json.Marshal(*p); err != nil || !strings.Contains(string(b), `"retry_after":1`) {
		t.Errorf("json.Marshal(Problem value) = %s, %v; want retry_after in seconds", b, err)
	}
	rec := httptest.NewRecorder()
	(&errcode.Problem{Status: 42, Title: "odd"}).Write(rec)
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"status":500`) {
		t.Errorf("invalid status written as %d %s; want 500 in header and body", rec.Code, rec.Body)
	}
	rec = httptest.NewRecorder()
	(&errcode.Problem{Status: 400, Details: map[string]any{"bad": make(chan int)}}).Write(rec)
	if rec.Code != 400 || strings.Contains(rec.Body.String(), "details") {
		t.Errorf("unencodable details: got %d %s; want 400 without details", rec.Code, rec.Body)
	}
}

func TestParseProblemRejectsOtherContent(t *testing.T) {
	tests := []struct{ name, contentType string }{
		{"html", "text/html; charset=utf-8"},
		{"plain json", "application/json"},
		{"none", ""},
		{"garbage", ";;;"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: 502, Header: http.Header{"Content-Type": {tt.contentType}},
				Body: io.NopCloser(strings.NewReader(`{"code":1}`))}
			if _, err := errcode.ParseProblem(resp); !errors.Is(err, errcode.ErrNotProblem) {
				t.Errorf("ParseProblem(%q) = %v want ErrNotProblem", tt.contentType, err)
			}
		})
	}
	resp := &http.Response{StatusCode: 503, Header: http.Header{
		"Content-Type": {"application/problem+json; charset=utf-8"}, "Retry-After": {"7"}},
		Body: io.NopCloser(strings.NewReader(`{"title":"down"}`))}
	got, err := errcode.ParseProblem(resp)
	if err != nil || got.RetryAfter() != 7*time.Second || got.Message != "down" {
		t.Errorf("ParseProblem with parameters and Retry-After header = %+v, %v", got, err)
	}
}
