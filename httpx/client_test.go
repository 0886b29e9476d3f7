package httpx

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/resilience-go/resilience/retry"
)

// retryNow retries up to attempts times without waiting.
func retryNow(attempts int) *retry.Config {
	return &retry.Config{MaxAttempts: attempts, Backoff: retry.BackoffConfig{Kind: retry.BackoffNone}}
}

func TestRoundTripStatuses(t *testing.T) {
	tests := []struct {
		name      string
		codes     []int // the server's answers, in order; the last repeats
		method    string
		header    http.Header
		wantCode  int
		wantHits  int
		wantBody  string
		wantError error
	}{
		{name: "success", codes: []int{200}, wantCode: 200, wantHits: 1, wantBody: "answer 1"},
		{name: "5xx retried to success", codes: []int{500, 502, 200}, wantCode: 200, wantHits: 3, wantBody: "answer 3"},
		{name: "503 exhausted returns last response", codes: []int{503}, wantCode: 503, wantHits: 3, wantBody: "answer 3"},
		{name: "404 not retried", codes: []int{404, 200}, wantCode: 404, wantHits: 1, wantBody: "answer 1"},
		{name: "501 not retried by DefaultRetryIf", codes: []int{501, 200}, wantCode: 501, wantHits: 1, wantBody: "answer 1"},
		{name: "POST not retried", codes: []int{503, 200}, method: http.MethodPost, wantCode: 503, wantHits: 1, wantBody: "answer 1"},
		{name: "PATCH not retried", codes: []int{500, 200}, method: http.MethodPatch, wantCode: 500, wantHits: 1, wantBody: "answer 1"},
		{name: "POST with Idempotency-Key retried", codes: []int{503, 200}, method: http.MethodPost,
			header: http.Header{"Idempotency-Key": {"k1"}}, wantCode: 200, wantHits: 2, wantBody: "answer 2"},
		{name: "PUT retried", codes: []int{502, 200}, method: http.MethodPut, wantCode: 200, wantHits: 2, wantBody: "answer 2"},
		{name: "DELETE retried", codes: []int{504, 200}, method: http.MethodDelete, wantCode: 200, wantHits: 2, wantBody: "answer 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
				code := tt.codes[min(n, len(tt.codes))-1]
				status(w, code, "answer "+string(rune('0'+n)))
			})
			rt := newRT(t, ClientConfig{Retry: retryNow(3)})
			client := &http.Client{Transport: rt}
			req, _ := http.NewRequest(tt.method, srv.URL, strings.NewReader("payload"))
			for k, v := range tt.header {
				req.Header[k] = v
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("Do = %v, want a response", err)
			}
			if got := readBody(t, resp); resp.StatusCode != tt.wantCode || got != tt.wantBody {
				t.Errorf("Do = %d %q, want %d %q", resp.StatusCode, got, tt.wantCode, tt.wantBody)
			}
			if got := srv.hits(); got != tt.wantHits {
				t.Errorf("server hits = %d, want %d", got, tt.wantHits)
			}
			for i, s := range srv.requests() {
				if s.body != "payload" {
					t.Errorf("attempt %d body = %q, want %q (GetBody replay)", i+1, s.body, "payload")
				}
			}
		})
	}
}

func TestRoundTripAttemptHeaderAndNoMutation(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n < 3 {
			status(w, 503, "busy")
			return
		}
		status(w, 200, "ok")
	})
	rt := newRT(t, ClientConfig{Retry: retryNow(3)})
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	req.Header.Set("X-Caller", "me")
	req.Header.Set(retry.AttemptHeader, "7") // stale, copied from an incoming request
	before := req.Header.Clone()
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	readBody(t, resp)
	var got []string
	for _, s := range srv.requests() {
		got = append(got, s.header.Get(retry.AttemptHeader)+"/"+s.header.Get("X-Caller"))
	}
	want := []string{"/me", "2/me", "3/me"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("attempt/caller headers seen = %v, want %v", got, want)
	}
	if !equalHeader(req.Header, before) {
		t.Errorf("caller's header changed: %v, was %v", req.Header, before)
	}
}

func equalHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\x00") != strings.Join(b[k], "\x00") {
			return false
		}
	}
	return true
}

// TestRoundTripConnectionReuse proves that failed attempts are drained and
// closed so that every attempt and request shares one connection.
func TestRoundTripConnectionReuse(t *testing.T) {
	big := strings.Repeat("x", 32<<10) // under MaxDrain
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n%3 != 0 {
			status(w, 503, big)
			return
		}
		status(w, 200, "ok")
	})
	rt := newRT(t, ClientConfig{Retry: retryNow(3)})
	client := &http.Client{Transport: rt}
	for i := range 5 {
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if body := readBody(t, resp); resp.StatusCode != 200 || body != "ok" {
			t.Fatalf("request %d = %d %q, want 200 ok", i, resp.StatusCode, body)
		}
	}
	if hits := srv.hits(); hits != 15 {
		t.Errorf("server hits = %d, want 15", hits)
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("connections opened = %d, want 1", n)
	}
}

// TestRoundTripLargeFailedBodyClosesConnection checks that MaxDrain bounds
// the draining: a body beyond it is closed unread, and its connection with
// it.
func TestRoundTripLargeFailedBodyClosesConnection(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			status(w, 503, strings.Repeat("x", 256<<10))
			return
		}
		status(w, 200, "ok")
	})
	rt := newRT(t, ClientConfig{Retry: retryNow(2), MaxDrain: 1024})
	resp, err := rt.RoundTrip(mustGet(t, srv.URL))
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	if body := readBody(t, resp); body != "ok" {
		t.Fatalf("body = %q, want ok", body)
	}
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("connections opened = %d, want 2", n)
	}
}

func mustGet(t *testing.T, u string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// closeCounter is a request body without GetBody that records Close.
type closeCounter struct {
	io.Reader
	closed int
}

func (c *closeCounter) Close() error { c.closed++; return nil }

func TestRoundTripBodyNotReplayable(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		status(w, 503, "busy")
	})
	rt := newRT(t, ClientConfig{Retry: retryNow(3)})
	client := &http.Client{Transport: rt}
	body := &closeCounter{Reader: strings.NewReader("once")}
	req, _ := http.NewRequest(http.MethodPut, srv.URL, body)
	if req.GetBody != nil {
		t.Fatal("test body must not get a GetBody")
	}
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("Do = %d, want ErrBodyNotReplayable", resp.StatusCode)
	}
	var se *StatusError
	if !errors.Is(err, ErrBodyNotReplayable) || !errors.As(err, &se) || se.StatusCode != 503 {
		t.Errorf("Do error = %v, want ErrBodyNotReplayable wrapping the 503", err)
	}
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Errorf("Do error %T is not a *url.Error", err)
	}
	if hits := srv.hits(); hits != 1 {
		t.Errorf("server hits = %d, want 1: the first attempt goes", hits)
	}
	if s := srv.requests(); len(s) == 1 && s[0].body != "once" {
		t.Errorf("first attempt body = %q, want once", s[0].body)
	}
	if body.closed == 0 {
		t.Error("request body never closed")
	}
}

// TestRoundTripBodyNotReplayableWithoutRetry checks that a request whose
// body cannot be replayed works when no retry is needed.
func TestRoundTripBodyNotReplayableWithoutRetry(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { status(w, 200, "ok") })
	rt := newRT(t, ClientConfig{Retry: retryNow(3)})
	req, _ := http.NewRequest(http.MethodPut, srv.URL, &closeCounter{Reader: strings.NewReader("once")})
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	if body := readBody(t, resp); body != "ok" || srv.requests()[0].body != "once" {
		t.Errorf("RoundTrip = %q, server saw %q; want ok, once", body, srv.requests()[0].body)
	}
}

// TestRoundTrip4xxDoNotTripBreaker checks that client errors count as
// successes.
func TestRoundTripTransportErrorRetried(t *testing.T) {
	srv := newServer(t, func(int, http.ResponseWriter, *http.Request) {})
	u := srv.URL
	srv.Close() // nothing listens any more: connection refused
	rt := newRT(t, ClientConfig{Retry: retryNow(3)})
	resp, err := (&http.Client{Transport: rt}).Get(u)
	if err == nil {
		resp.Body.Close()
		t.Fatal("Get succeeded against a closed server")
	}
	if !errors.Is(err, retry.ErrExhausted) || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("Get error = %v, want ErrExhausted wrapping ECONNREFUSED", err)
	}
}

// guardFunc is a Guard that admits everything and reports each outcome.
