package dashboard

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/stats"
)

var (
	t0      = time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	errBoom = errors.New("boom")
)

// env is a dashboard on a manual clock with one breaker ("db") and one
// injector ("db") under Registry controls.
type env struct {
	d       *Dashboard
	clk     *clock.Manual
	reg     *stats.Registry
	ctl     *Registry
	breaker *circuitbreaker.Breaker
	inj     *chaos.Injector
	manual  *recorder // Config.Listener
}

func newEnv(t testing.TB, cfg Config) *env {
	t.Helper()
	e := &env{clk: clock.NewManual(t0), ctl: NewRegistry(), manual: &recorder{}}
	var err error
	e.reg, err = stats.NewRegistry(stats.Config{Clock: e.clk})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Registry, cfg.Clock, cfg.Listener = e.reg, e.clk, e.manual
	if cfg.Controls == nil {
		cfg.Controls = e.ctl
	}
	e.d, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.d.Close() })
	e.breaker, err = circuitbreaker.New(circuitbreaker.Config{
		Name: "db", ConsecutiveFailures: 2, OpenDuration: time.Minute, Clock: e.clk,
		Listener: resilience.Listeners(e.reg.Listener("circuitbreaker", "db"), e.d.Listener()),
	})
	if err != nil {
		t.Fatal(err)
	}
	e.reg.Instance("circuitbreaker", "db").SetSource(stats.BreakerSource(e.breaker))
	e.inj, err = chaos.New(chaos.Config{Name: "db", Clock: e.clk})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ctl.AddBreaker(e.breaker); err != nil {
		t.Fatal(err)
	}
	if err := e.ctl.AddInjector(e.inj); err != nil {
		t.Fatal(err)
	}
	return e
}

// call runs one call through the breaker with outcome err.
func (e *env) call(err error) {
	p, aerr := e.breaker.Acquire(context.Background())
	if aerr != nil {
		return
	}
	e.clk.Advance(time.Millisecond)
	p.Done(err)
}

// recorder is a Listener that keeps what it receives.
type recorder struct {
	mu     sync.Mutex
	events []resilience.Event
}

func (r *recorder) OnEvent(e resilience.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) all() []resilience.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]resilience.Event(nil), r.events...)
}

// controlRequest is a control POST from this host's page.
func (e *env) controlRequest(path string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080"+path, nil)
	r.RemoteAddr = "127.0.0.1:50000"
	r.Header.Set(TokenHeader, e.d.Token())
	r.Header.Set("Origin", "http://127.0.0.1:8080")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	return r
}

func (e *env) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.d.Handler().ServeHTTP(w, r)
	return w
}

// pipeWriter is a streaming http.ResponseWriter: what the handler writes
// comes out of a pipe that the test reads, so each write waits for the
// test.
type pipeWriter struct {
	header http.Header
	pw     *io.PipeWriter
	status chan int
}

func (w *pipeWriter) Header() http.Header { return w.header }
func (w *pipeWriter) WriteHeader(code int) {
	select {
	case w.status <- code:
	default:
	}
}
func (w *pipeWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.pw.Write(b)
}
func (w *pipeWriter) Flush() {}

// stream is an open /dashboard/events request served by the handler in
// its own goroutine.
type stream struct {
	t      testing.TB
	w      *pipeWriter
	r      *bufio.Reader
	cancel context.CancelFunc
	done   chan struct{} // closed when ServeHTTP returned
}

func openStream(t testing.TB, h http.Handler) *stream {
	t.Helper()
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	s := &stream{
		t: t, w: &pipeWriter{header: http.Header{}, pw: pw, status: make(chan int, 1)},
		r: bufio.NewReader(pr), cancel: cancel, done: make(chan struct{}),
	}
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/dashboard/events", nil)
	go func() {
		defer close(s.done)
		defer pw.Close()
		h.ServeHTTP(s.w, req)
	}()
	t.Cleanup(func() {
		cancel()
		pr.Close()
		<-s.done
	})
	return s
}

// sse is one server-sent event; a comment has Event "comment".
type sse struct {
	Event, Data string
}

// next reads the next event or comment, skipping "retry:" hints.
func (s *stream) next() sse {
	s.t.Helper()
	var ev sse
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			s.t.Fatalf("reading the stream: %v (after %+v)", err, ev)
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if ev.Event != "" {
				return ev
			}
		case strings.HasPrefix(line, ": "):
			ev = sse{Event: "comment", Data: line[2:]}
		case strings.HasPrefix(line, "event: "):
			ev.Event = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			ev.Data = line[len("data: "):]
		case strings.HasPrefix(line, "retry: "):
		default:
			s.t.Fatalf("unexpected stream line %q", line)
		}
	}
}

// expect reads the next event, checks its type and decodes its data.
func (s *stream) expect(event string, v any) {
	s.t.Helper()
	ev := s.next()
	if ev.Event != event {
		s.t.Fatalf("stream event = %q (%s) want %q", ev.Event, ev.Data, event)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(ev.Data), v); err != nil {
			s.t.Fatalf("decoding %s %s: %v", event, ev.Data, err)
		}
	}
}

// instance finds the snapshot of (policy, name).
func instance(s Snapshot, policy, name string) (stats.InstanceSnapshot, bool) {
	for _, in := range s.Instances {
		if in.Policy == policy && in.Name == name {
			return in, true
		}
	}
	return stats.InstanceSnapshot{}, false
}
