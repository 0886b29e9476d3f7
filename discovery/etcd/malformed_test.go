package etcd

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/discovery"
)

// fakeGateway answers /v3/kv/range with range and /v3/watch with watch;
// it stands for an etcd (or something in front of it) that answers
// badly, which a real etcd does not do on demand.
func fakeGateway(t *testing.T, rangeH, watchH http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var ranges atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/v3/kv/range", func(w http.ResponseWriter, r *http.Request) {
		ranges.Add(1)
		io.Copy(io.Discard, r.Body)
		rangeH(w, r)
	})
	if watchH != nil {
		mux.HandleFunc("/v3/watch", watchH)
	}
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s, &ranges
}

func answer(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// cutBody promises a long body, sends a piece and drops the connection.
func cutBody(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Length", "1000")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, `{"header":{"revision":"1"},"kvs":[`)
	w.(http.Flusher).Flush()
	panic(http.ErrAbortHandler)
}

// Answers that are not etcd's: refused at once when they make no sense,
// tried again (on every endpoint, until OpTimeout) when they say the
// endpoint cannot serve now or the connection broke.
func TestMalformedAnswers(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		msg     string
		retried bool // and so ErrUnavailable
	}{
		{"garbage-json", answer(200, `{not json`), "malformed answer", false},
		{"wrong-type", answer(200, `{"kvs":"x"}`), "malformed answer", false},
		{"bad-base64", answer(200, `{"kvs":[{"key":"!!!","value":"e30="}]}`), "malformed answer", false},
		{"bad-int64", answer(200, `{"header":{"revision":"1e3"}}`), "malformed answer", false},
		{"internal-500", answer(500, `{"error":"boom","message":"boom","code":13}`), "boom (grpc code 13, HTTP 500)", false},
		{"not-found-404", answer(404, `404 page not found`), `HTTP 404 Not Found: "404 page not found"`, false},
		{"proxy-502", answer(502, `<html>bad gateway</html>`), "HTTP 502", true},
		{"no-leader-503", answer(503, `{"error":"etcdserver: no leader","code":14}`), "etcdserver: no leader", true},
		{"body-cut", cutBody, "unexpected EOF", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ranges := fakeGateway(t, tt.handler, nil)
			r, err := New(Config{Endpoints: []string{s.URL}, OpTimeout: 400 * time.Millisecond, MaxReconnectDelay: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			var lerr error
			within(t, 5*time.Second, "Lookup", func() { _, lerr = r.Lookup(context.Background(), "api") })
			if lerr == nil || !strings.Contains(lerr.Error(), tt.msg) || errors.Is(lerr, ErrUnavailable) != tt.retried {
				t.Fatalf("Lookup = %v want an error saying %q (ErrUnavailable: %v)", lerr, tt.msg, tt.retried)
			}
			if n := ranges.Load(); (n > 1) != tt.retried {
				t.Fatalf("%d range requests; want retries: %v", n, tt.retried)
			}
		})
	}
}

// A watch stream that breaks (cut in the middle of a message, an error
// message, a first message that is not a creation) makes the watcher list
// again; the watch request asks for a leader.
func TestWatchStreamBreaks(t *testing.T) {
	const created = `{"result":{"header":{"revision":"5"},"created":true}}` + "\n"
	const putA = `{"result":{"header":{"revision":"6"},"events":[{"kv":{"key":"L3NlcnZpY2VzL2FwaS9h","value":"eyJpZCI6ImEiLCJzZXJ2aWNlIjoiYXBpIiwiYWRkcmVzcyI6IjEwLjAuMC4xIiwicG9ydCI6ODB9"}}]}}` + "\n"
	tests := []struct {
		name   string
		stream string // after which the handler drops the connection
		events string // the watcher's sets before the relist
		reason string // in the "broke" event
	}{
		{"cut-mid-message", created + putA + `{"result":{"header":`, "[a]", "unexpected EOF"},
		{"error-message", created + putA + `{"error":{"grpc_code":14,"http_code":503,"message":"etcdserver: no leader","http_status":"Service Unavailable"}}`, "[a]", "etcdserver: no leader"},
		{"cancelled", created + `{"result":{"header":{"revision":"6"},"canceled":true,"cancel_reason":"etcdserver: mvcc: required revision has been compacted","compact_revision":"6"}}`, "", "revision 6 was compacted"},
		{"garbage", `hello`, "", "malformed answer"},
		{"ended", created + putA, "[a]", "closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hasLeader atomic.Value
			s, _ := fakeGateway(t, answer(200, `{"header":{"revision":"5"}}`), func(w http.ResponseWriter, r *http.Request) {
				hasLeader.Store(r.Header.Get("Grpc-Metadata-Hasleader"))
				io.Copy(io.Discard, r.Body)
				w.WriteHeader(http.StatusOK)
				io.WriteString(w, tt.stream)
			})
			events := make(eventChan, 100)
			r, err := New(Config{Endpoints: []string{s.URL}, OpTimeout: time.Second, RetryInterval: 50 * time.Millisecond, Listener: events})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			w, err := r.Watch(bg(t), "api")
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			nextUntil(t, w, "[]")
			if tt.events != "" {
				nextUntil(t, w, tt.events)
			}
			e := waitEvent(t, events, resilience.EventFailure, "broke; listing again", 10*time.Second)
			if e.Err == nil || !strings.Contains(e.Err.Error(), tt.reason) {
				t.Fatalf("broke event error = %v want one saying %q", e.Err, tt.reason)
			}
			waitEvent(t, events, resilience.EventSuccess, "restored", 10*time.Second)
			if tt.events != "" {
				nextUntil(t, w, "[]") // the listing has nothing
			}
			if got := hasLeader.Load(); got != "true" {
				t.Fatalf("Grpc-Metadata-Hasleader = %v want true", got)
			}
		})
	}
}

// A watch whose creation etcd does not confirm within OpTimeout is
// abandoned (ErrUnavailable) and the watcher lists again.
func TestWatchCreationTimesOut(t *testing.T) {
	release := make(chan struct{})
	s, _ := fakeGateway(t, answer(200, `{"header":{"revision":"5"}}`), func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		select { // headers, then silence
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	events := make(eventChan, 100)
	r, err := New(Config{Endpoints: []string{s.URL}, OpTimeout: 200 * time.Millisecond, RetryInterval: time.Hour, Listener: events})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	w, err := r.Watch(bg(t), "api")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	e := waitEvent(t, events, resilience.EventFailure, "broke; listing again", 10*time.Second)
	if !errors.Is(e.Err, ErrUnavailable) || !errors.Is(e.Err, discovery.ErrTimeout) {
		t.Fatalf("broke event error = %v want ErrUnavailable", e.Err)
	}
}
