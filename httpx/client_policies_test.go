package httpx

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/retry"
	"github.com/resilience-go/resilience/timeout"
)

func TestRoundTripBreakerOpens(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { status(w, 500, "down") })
	clk := manual()
	rt := newRT(t, ClientConfig{
		Breaker: &circuitbreaker.Config{ConsecutiveFailures: 3, OpenDuration: time.Minute},
		Clock:   clk,
	})
	client := &http.Client{Transport: rt}
	for i := range 3 {
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if readBody(t, resp); resp.StatusCode != 500 {
			t.Fatalf("request %d = %d, want 500", i, resp.StatusCode)
		}
	}
	body := &closeCounter{Reader: strings.NewReader("x")}
	req, _ := http.NewRequest(http.MethodPost, srv.URL, body)
	resp, err := client.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("request 4 = %d, want ErrOpen", resp.StatusCode)
	}
	var ue *url.Error
	if !errors.Is(err, circuitbreaker.ErrOpen) || !errors.Is(err, resilience.ErrRejected) || !errors.As(err, &ue) {
		t.Errorf("request 4 error = %v (%T), want *url.Error matching ErrOpen and ErrRejected", err, err)
	}
	if strings.Count(err.Error(), srv.URL) != 1 {
		t.Errorf("error %q should name the URL once (no double *url.Error)", err)
	}
	if hits := srv.hits(); hits != 3 {
		t.Errorf("server hits = %d, want 3", hits)
	}
	if body.closed == 0 {
		t.Error("body of the rejected request not closed")
	}
	ps, ok := rt.Policies(strings.TrimPrefix(srv.URL, "http://"))
	if !ok || len(ps) != 1 {
		t.Fatalf("Policies = %v, %v; want the breaker", ps, ok)
	}
	if st := ps[0].(*circuitbreaker.Breaker).State(); st != circuitbreaker.StateOpen {
		t.Errorf("breaker state = %v, want open", st)
	}
}

func TestRoundTrip4xxDoNotTripBreaker(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { status(w, 404, "no") })
	rt := newRT(t, ClientConfig{
		Breaker: &circuitbreaker.Config{ConsecutiveFailures: 1, OpenDuration: time.Minute},
		Retry:   retryNow(3),
		Clock:   manual(),
	})
	for i := range 5 {
		resp, err := rt.RoundTrip(mustGet(t, srv.URL))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		readBody(t, resp)
	}
	if hits := srv.hits(); hits != 5 {
		t.Errorf("server hits = %d, want 5 (no retries, no trips)", hits)
	}
}

func TestRoundTripIsFailure(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { status(w, 200, `{"error":"busy"}`) })
	var outcomes []resilience.Outcome
	rec := guardFunc(func(err error) { outcomes = append(outcomes, resilience.Classify(err)) })
	rt := newRT(t, ClientConfig{
		Policies: func(string) ([]resilience.Policy, error) { return []resilience.Policy{rec}, nil },
		IsFailure: func(resp *http.Response, err error) bool {
			return err != nil || resp.Header.Get("Content-Length") == "16"
		},
	})
	resp, err := rt.RoundTrip(mustGet(t, srv.URL))
	if err != nil {
		t.Fatalf("RoundTrip: %v", err)
	}
	if body := readBody(t, resp); resp.StatusCode != 200 || body != `{"error":"busy"}` {
		t.Errorf("RoundTrip = %d %q, want the 200 response", resp.StatusCode, body)
	}
	if len(outcomes) != 1 || outcomes[0] != resilience.OutcomeFailure {
		t.Errorf("guard outcomes = %v, want [failure]", outcomes)
	}
}

type guardFunc func(err error)

func (g guardFunc) Acquire(context.Context) (resilience.Permit, error) {
	return resilience.NewPermit(g, 0, 0), nil
}
func (g guardFunc) Release(_ resilience.Permit, err error) { g(err) }

func TestRoundTripPoliciesError(t *testing.T) {
	boom := errors.New("no policies today")
	rt := newRT(t, ClientConfig{Policies: func(string) ([]resilience.Policy, error) { return nil, boom }})
	body := &closeCounter{Reader: bytes.NewReader(nil)}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", body)
	if _, err := rt.RoundTrip(req); !errors.Is(err, boom) {
		t.Errorf("RoundTrip error = %v, want %v", err, boom)
	}
	if body.closed != 1 {
		t.Errorf("body closed %d times, want 1", body.closed)
	}
	if rt.Len() != 0 {
		t.Errorf("Len = %d after a failed build, want 0", rt.Len())
	}
}

func TestRoundTripMaxKeys(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { status(w, 200, "ok") })
	rt := newRT(t, ClientConfig{
		Key:     func(r *http.Request) string { return r.URL.Path },
		Breaker: &circuitbreaker.Config{},
		MaxKeys: 2,
	})
	for _, path := range []string{"/a", "/b", "/a", "/c"} {
		resp, err := rt.RoundTrip(mustGet(t, srv.URL+path))
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		readBody(t, resp)
	}
	if n := rt.Len(); n != 2 {
		t.Errorf("Len = %d, want 2", n)
	}
	for key, want := range map[string]bool{"/a": true, "/b": false, "/c": true} {
		if _, ok := rt.Policies(key); ok != want {
			t.Errorf("Policies(%q) ok = %v, want %v (least recently used evicted)", key, ok, want)
		}
	}
}

func TestClientConfigValidate(t *testing.T) {
	policies := func(string) ([]resilience.Policy, error) { return nil, nil }
	tests := []struct {
		name string
		cfg  ClientConfig
		want string // "" for valid
	}{
		{name: "zero", cfg: ClientConfig{}},
		{name: "negative MaxKeys", cfg: ClientConfig{MaxKeys: -1}, want: "httpx: MaxKeys -1 must be >= 0"},
		{name: "Policies and configs", cfg: ClientConfig{Policies: policies, Retry: &retry.Config{}},
			want: "httpx: Policies and the policy configs (RateLimit, Bulkhead, Breaker, Retry, AttemptTimeout) are exclusive"},
		{name: "bad retry", cfg: ClientConfig{Retry: &retry.Config{MaxAttempts: -1}},
			want: "httpx: Retry: retry: MaxAttempts -1 must be >= 0"},
		{name: "bad timeout", cfg: ClientConfig{AttemptTimeout: &timeout.Config{}},
			want: "httpx: AttemptTimeout: timeout: Timeout 0s must be > 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Errorf("Validate() = %q, want %q", got, tt.want)
			}
			if _, nerr := NewRoundTripper(tt.cfg); (nerr == nil) != (tt.want == "") {
				t.Errorf("NewRoundTripper error = %v, want %q", nerr, tt.want)
			}
		})
	}
}

func TestRoundTripRateLimited(t *testing.T) {
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) { status(w, 200, "ok") })
	rt := newRT(t, ClientConfig{RateLimit: &ratelimit.Config{Rate: 1, Burst: 1}, Clock: manual()})
	resp, err := rt.RoundTrip(mustGet(t, srv.URL))
	if err != nil {
		t.Fatalf("first RoundTrip: %v", err)
	}
	readBody(t, resp)
	body := &closeCounter{Reader: strings.NewReader("x")}
	req, _ := http.NewRequest(http.MethodPost, srv.URL, body)
	if _, err := rt.RoundTrip(req); !errors.Is(err, ratelimit.ErrLimited) {
		t.Errorf("second RoundTrip error = %v, want ratelimit.ErrLimited", err)
	}
	if body.closed != 1 || srv.hits() != 1 {
		t.Errorf("body closed %d times, server hits %d; want 1 and 1", body.closed, srv.hits())
	}
}

func TestRoundTripBulkheadFull(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	srv := newServer(t, func(n int, w http.ResponseWriter, r *http.Request) {
		if n == 1 {
			close(entered)
			<-release
		}
		status(w, 200, "ok")
	})
	rt := newRT(t, ClientConfig{Bulkhead: &bulkhead.Config{MaxConcurrent: 1}, Retry: retryNow(3)})
	client := &http.Client{Transport: rt}
	first := goDo(client, mustGet(t, srv.URL))
	<-entered
	_, err := client.Get(srv.URL)
	if !errors.Is(err, bulkhead.ErrFull) {
		t.Errorf("second Get error = %v, want bulkhead.ErrFull (not retried)", err)
	}
	close(release)
	if r := <-first; r.err != nil || r.body != "ok" {
		t.Errorf("first Get = %q, %v; want ok", r.body, r.err)
	}
}
