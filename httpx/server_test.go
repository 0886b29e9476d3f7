package httpx

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/errcode"
)

// serve starts a server running h and returns it with a client whose idle
// connections are closed at the end of the test.
func serve(t *testing.T, h http.Handler) (*httptest.Server, *http.Client) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, &http.Client{Transport: newTransport(t)}
}

var okHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { status(w, 200, "ok") })

// get sends a GET with the given headers and returns the response with its
// body read.
func get(t *testing.T, c *http.Client, u string, header ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp, readBody(t, resp)
}

// problem decodes a problem+json body, checking the content type.
func problem(t *testing.T, resp *http.Response, body string) errcode.Problem {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != errcode.ContentType {
		t.Errorf("Content-Type = %q, want %q", ct, errcode.ContentType)
	}
	var p errcode.Problem
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("problem body %q: %v", body, err)
	}
	return p
}

// recordingGuard admits every call and records the priority in its
// context and the outcome of each.
func TestDeadlineMiddleware(t *testing.T) {
	ds, err := deadline.NewServer(deadline.ServerConfig{Max: 10 * time.Second, Min: 100 * time.Millisecond, MaxHops: 5})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var budgets []time.Duration
	var hops []int
	srv, c := serve(t, Deadline(ds)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dl, _ := r.Context().Deadline()
		mu.Lock()
		budgets = append(budgets, time.Until(dl))
		hops = append(hops, deadline.HopsFromContext(r.Context()))
		mu.Unlock()
		status(w, 200, "ok")
	})))
	tests := []struct {
		name, ms, hops string
		wantCode       int
		wantMax        time.Duration
		wantHops       int
	}{
		{name: "propagated", ms: "2000", hops: "2", wantCode: 200, wantMax: 2 * time.Second, wantHops: 2},
		{name: "clamped", ms: "999999", wantCode: 200, wantMax: 10 * time.Second},
		{name: "missing", wantCode: 200, wantMax: 10 * time.Second},
		{name: "exhausted", ms: "5", wantCode: 504},
		{name: "loop", ms: "2000", hops: "9", wantCode: 508},
	}
	served := 0
	for _, tt := range tests {
		var hdr []string
		if tt.ms != "" {
			hdr = append(hdr, deadline.HeaderDeadlineMs, tt.ms)
		}
		if tt.hops != "" {
			hdr = append(hdr, deadline.HeaderHops, tt.hops)
		}
		resp, body := get(t, c, srv.URL, hdr...)
		if resp.StatusCode != tt.wantCode {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.wantCode)
			continue
		}
		if tt.wantCode != 200 {
			if p := problem(t, resp, body); p.Status != tt.wantCode {
				t.Errorf("%s: problem = %+v", tt.name, p)
			}
			continue
		}
		mu.Lock()
		b, h := budgets[served], hops[served]
		mu.Unlock()
		served++
		if b <= 0 || b > tt.wantMax || h != tt.wantHops {
			t.Errorf("%s: handler budget %v hops %d, want in (0, %v] and %d", tt.name, b, h, tt.wantMax, tt.wantHops)
		}
	}
}

func TestRecover(t *testing.T) {
	var mu sync.Mutex
	var events []resilience.Event
	rc := NewRecoverer(RecoverConfig{Name: "api", Listener: resilience.ListenerFunc(func(e resilience.Event) {
		mu.Lock()
		events = append(events, e)
		mu.Unlock()
	})})
	srv, c := serve(t, rc.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/panic":
			w.Header().Set("Etag", `"stale"`)
			panic("boom")
		case "/abort":
			panic(http.ErrAbortHandler)
		case "/late":
			w.WriteHeader(200)
			_, _ = io.WriteString(w, "partial")
			w.(http.Flusher).Flush()
			panic("late boom")
		}
		status(w, 200, "ok")
	})))
	resp, body := get(t, c, srv.URL+"/panic")
	if resp.StatusCode != 500 || resp.Header.Get("Etag") != "" {
		t.Errorf("/panic = %d (Etag %q), want 500 without the handler's Etag", resp.StatusCode, resp.Header.Get("Etag"))
	}
	if p := problem(t, resp, body); p.Status != 500 || p.Detail != "" || strings.Contains(body, "boom") {
		t.Errorf("/panic problem = %q, want a 500 revealing nothing", body)
	}
	for _, path := range []string{"/abort", "/late"} {
		resp, err := c.Get(srv.URL + path)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		if err == nil {
			t.Errorf("%s: complete response, want the connection dropped", path)
		}
	}
	if resp, body := get(t, c, srv.URL+"/"); resp.StatusCode != 200 || body != "ok" {
		t.Errorf("/ = %d %q after panics, want 200 ok", resp.StatusCode, body)
	}
	if n := rc.Panics(); n != 2 {
		t.Errorf("Panics = %d, want 2 (ErrAbortHandler not counted)", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(events) != 2 {
		t.Fatalf("events = %d, want 2", len(events))
	}
	pe, ok := events[0].Err.(*PanicError)
	if events[0].Kind != resilience.EventPanic || events[0].Name != "api" || !ok || pe.Value != "boom" || pe.Path != "/panic" || len(pe.Stack) == 0 {
		t.Errorf("event = %+v, want EventPanic with the PanicError of /panic", events[0])
	}
}

func TestChainOrder(t *testing.T) {
	var order []string
	mark := func(name string) Middleware {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				order = append(order, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	h := Chain(mark("a"), nil, mark("b"), mark("c"))(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		order = append(order, "handler")
	}))
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	if got := strings.Join(order, ","); got != "a,b,c,handler" {
		t.Errorf("order = %s, want a,b,c,handler", got)
	}
}

// TestConcurrencyAdaptivePriority checks that the priority header reaches
// an adaptive limiter: with 2 of 4 slots taken, sheddable (50% share) and
// low (70%) requests are refused while normal and high ones get through.

func TestDeadlineWithinMiddleware(t *testing.T) {
	ds, err := deadline.NewServer(deadline.ServerConfig{Max: 10 * time.Second, Min: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	type seen struct {
		deadline bool
		budget   time.Duration
		same     bool // the handler got the request the server read
	}
	var mu sync.Mutex
	var got []seen
	var outer *http.Request
	inner := DeadlineWithin(ds, 3*time.Second)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dl, ok := r.Context().Deadline()
		mu.Lock()
		got = append(got, seen{deadline: ok, budget: time.Until(dl), same: r == outer})
		mu.Unlock()
		status(w, 200, "ok")
	}))
	srv, c := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		outer = r
		mu.Unlock()
		inner.ServeHTTP(w, r)
	}))
	tests := []struct {
		name, ms     string
		wantCode     int
		wantDeadline bool
	}{
		{name: "missing: the handler's bound is enough", wantCode: 200},
		{name: "long budget: passed on as it came", ms: "5000", wantCode: 200},
		{name: "short budget: enforced", ms: "1000", wantCode: 200, wantDeadline: true},
		{name: "exhausted", ms: "5", wantCode: 504},
	}
	for _, tt := range tests {
		var hdr []string
		if tt.ms != "" {
			hdr = append(hdr, deadline.HeaderDeadlineMs, tt.ms)
		}
		mu.Lock()
		n := len(got)
		mu.Unlock()
		resp, body := get(t, c, srv.URL, hdr...)
		if resp.StatusCode != tt.wantCode {
			t.Errorf("%s: status %d want %d", tt.name, resp.StatusCode, tt.wantCode)
			continue
		}
		if tt.wantCode != 200 {
			if p := problem(t, resp, body); p.Status != tt.wantCode {
				t.Errorf("%s: problem = %+v", tt.name, p)
			}
			continue
		}
		mu.Lock()
		s := got[n]
		mu.Unlock()
		if s.deadline != tt.wantDeadline || s.same == tt.wantDeadline {
			t.Errorf("%s: handler saw deadline %v (same request %v), want deadline %v", tt.name, s.deadline, s.same, tt.wantDeadline)
		}
		if tt.wantDeadline && (s.budget <= 0 || s.budget > time.Second) {
			t.Errorf("%s: budget %v want (0, 1s]", tt.name, s.budget)
		}
	}
}
