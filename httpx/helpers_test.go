package httpx

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// testServer is an httptest.Server on 127.0.0.1 that counts the
// connections it accepts and records each request.
type testServer struct {
	*httptest.Server
	conns atomic.Int64
	mu    sync.Mutex
	reqs  []seen
}

// seen is what the server saw of one request.
type seen struct {
	method, body string
	header       http.Header
}

// newServer starts a server answering with handler (which receives the
// 1-based request number) and registers its shutdown, and the closing of
// the idle connections of tr, with t.Cleanup.
func newServer(t *testing.T, handler func(n int, w http.ResponseWriter, r *http.Request)) *testServer {
	t.Helper()
	s := &testServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, seen{method: r.Method, body: string(body), header: r.Header.Clone()})
		n := len(s.reqs)
		s.mu.Unlock()
		handler(n, w, r)
	}))
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *testServer) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

func (s *testServer) hits() int { return len(s.requests()) }

// newTransport returns a fresh transport whose idle connections are closed
// when the test ends.
func newTransport(t *testing.T) *http.Transport {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: 4}
	t.Cleanup(tr.CloseIdleConnections)
	return tr
}

// newRT returns a RoundTripper over a fresh transport, failing the test on
// error.
func newRT(t *testing.T, cfg ClientConfig) *RoundTripper {
	t.Helper()
	if cfg.Transport == nil {
		cfg.Transport = newTransport(t)
	}
	rt, err := NewRoundTripper(cfg)
	if err != nil {
		t.Fatalf("NewRoundTripper: %v", err)
	}
	return rt
}

// status writes code with body.
func status(w http.ResponseWriter, code int, body string) {
	w.WriteHeader(code)
	_, _ = io.WriteString(w, body)
}

// readBody reads and closes resp's body.
func readBody(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	return string(b)
}

// result is what a RoundTrip run in the background returned.
type result struct {
	resp *http.Response
	body string
	err  error
}

// goDo runs client.Do(req) in a goroutine, reading the body, and returns a
// channel with the result.
func goDo(client *http.Client, req *http.Request) <-chan result {
	ch := make(chan result, 1)
	go func() {
		resp, err := client.Do(req)
		r := result{resp: resp, err: err}
		if err == nil {
			b, rerr := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			r.body, r.err = string(b), rerr
		}
		ch <- r
	}()
	return ch
}

// noJitter makes jittered backoffs deterministic: always the cap.
func noJitter() float64 { return 0.999999 }

// manual returns a manual clock at t0.
func manual() *clock.Manual { return clock.NewManual(t0) }

// clockT is the clock type the tests pass to policies.
type clockT = *clock.Manual
