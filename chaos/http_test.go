package chaos_test

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

	"github.com/resilience-go/resilience/chaos"
)

// upstream is a loopback server counting the requests that reached its
// handler, behind the chaos middleware when inj is non-nil.
type upstream struct {
	*httptest.Server
	hits     atomic.Int64
	triggers atomic.Value // FaultsFromContext seen by the handler, joined
}

func newUpstream(t *testing.T, inj *chaos.Injector) *upstream {
	t.Helper()
	u := &upstream{}
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		u.triggers.Store(strings.Join(chaos.FaultsFromContext(r.Context()), ","))
		_, _ = io.WriteString(w, "ok")
	})
	if inj != nil {
		h = chaos.Middleware(inj)(h)
	}
	u.Server = httptest.NewServer(h)
	t.Cleanup(u.Close)
	return u
}

func get(t *testing.T, c *http.Client, url string, header http.Header) (int, string, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func TestMiddleware(t *testing.T) {
	faults := []chaos.Fault{
		{Name: "teapot", Kind: chaos.KindAbort, HTTPStatus: 418, Message: "no coffee"},
		{Name: "crash", Kind: chaos.KindError},
		{Name: "canary", Kind: chaos.KindAbort, HTTPStatus: 503, Probability: 1, Header: "X-Canary"},
	}
	tests := []struct {
		name     string
		trigger  string // Config.TriggerHeader
		header   http.Header
		status   int
		body     string
		fails    bool
		hits     int64
		triggers string
	}{
		{"untouched", "", nil, 200, "ok", false, 1, ""},
		{"abort by header trigger", "", http.Header{"X-Chaos-Fault": {"teapot"}}, 418, "chaos: injected abort fault \"teapot\": no coffee\n", false, 0, ""},
		{"error drops the connection", "", http.Header{"X-Chaos-Fault": {"crash"}}, 0, "", true, 0, ""},
		{"header-restricted fault", "", http.Header{"X-Canary": {"yes"}}, 503, "chaos: injected abort fault \"canary\"\n", false, 0, ""},
		{"unknown names propagate to the handler", "", http.Header{"X-Chaos-Fault": {"db-slow, cache-miss"}}, 200, "ok", false, 1, "db-slow,cache-miss"},
		{"custom trigger header", "X-Game-Day", http.Header{"X-Game-Day": {"teapot"}}, 418, "chaos: injected abort fault \"teapot\": no coffee\n", false, 0, ""},
		{"triggers disabled", "-", http.Header{"X-Chaos-Fault": {"teapot"}}, 200, "ok", false, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inj := mustNew(t, chaos.Config{Enabled: true, Seed: 1, Faults: faults, TriggerHeader: tt.trigger})
			u := newUpstream(t, inj)
			status, body, err := get(t, u.Client(), u.URL, tt.header)
			if (err != nil) != tt.fails {
				t.Fatalf("GET = %v; want failure %v", err, tt.fails)
			}
			if status != tt.status || body != tt.body {
				t.Errorf("GET = %d %q want %d %q", status, body, tt.status, tt.body)
			}
			if got := u.hits.Load(); got != tt.hits {
				t.Errorf("handler ran %d times want %d", got, tt.hits)
			}
			if got, _ := u.triggers.Load().(string); got != tt.triggers {
				t.Errorf("handler saw triggers %q want %q", got, tt.triggers)
			}
		})
	}
}

func TestMiddlewareLatencyAndToggle(t *testing.T) {
	m := newManual()
	inj := mustNew(t, chaos.Config{Clock: m, Seed: 1, Faults: []chaos.Fault{
		{Name: "slow", Kind: chaos.KindLatency, Latency: 5 * time.Second, Probability: 1},
	}})
	u := newUpstream(t, inj)
	if status, _, err := get(t, u.Client(), u.URL, nil); err != nil || status != 200 {
		t.Fatalf("disabled: GET = %d, %v", status, err)
	}
	inj.Enable()
	done := make(chan int, 1)
	go func() {
		status, _, _ := get(t, u.Client(), u.URL, nil)
		done <- status
	}()
	m.WaitForTimers(1)
	if got := u.hits.Load(); got != 1 {
		t.Fatalf("the delayed request reached the handler early (%d hits)", got)
	}
	m.Advance(5 * time.Second)
	if status := <-done; status != 200 || u.hits.Load() != 2 {
		t.Errorf("after the delay: status %d, hits %d want 200, 2", status, u.hits.Load())
	}
}

// trackingBody records whether the transport closed the request body.
type trackingBody struct {
	io.Reader
	closed atomic.Bool
}

func (b *trackingBody) Close() error { b.closed.Store(true); return nil }

func TestRoundTripper(t *testing.T) {
	u := newUpstream(t, nil)
	faults := []chaos.Fault{
		{Name: "refused", Kind: chaos.KindError},
		{Name: "unavailable", Kind: chaos.KindAbort, GRPCCode: 14},
	}
	tests := []struct {
		name   string
		ctx    context.Context
		header http.Header
		status int
		body   string
		fails  bool
		hits   int64
	}{
		{"untouched", context.Background(), nil, 200, "ok", false, 1},
		{"error by context", chaos.WithFault(context.Background(), "refused"), nil, 0, "", true, 0},
		{"abort by header", context.Background(), http.Header{"X-Chaos-Fault": {"unavailable"}}, 503, "chaos: injected abort fault \"unavailable\"\n", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inj := mustNew(t, chaos.Config{Enabled: true, Seed: 1, Faults: faults})
			c := &http.Client{Transport: chaos.RoundTripper(inj, u.Client().Transport)}
			defer c.CloseIdleConnections()
			before := u.hits.Load()
			body := &trackingBody{Reader: strings.NewReader("payload")}
			req, err := http.NewRequestWithContext(tt.ctx, http.MethodPost, u.URL, body)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.header {
				req.Header[k] = v
			}
			resp, err := c.Do(req)
			if (err != nil) != tt.fails {
				t.Fatalf("Do = %v; want failure %v", err, tt.fails)
			}
			if tt.fails && !errors.Is(err, chaos.ErrInjected) {
				t.Errorf("Do = %v; want an error matching ErrInjected", err)
			}
			if err == nil {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tt.status || string(b) != tt.body {
					t.Errorf("Do = %d %q want %d %q", resp.StatusCode, b, tt.status, tt.body)
				}
			}
			if got := u.hits.Load() - before; got != tt.hits {
				t.Errorf("upstream hit %d times want %d", got, tt.hits)
			}
			if !body.closed.Load() {
				t.Error("the request body was not closed")
			}
		})
	}
}

func TestRoundTripperLatency(t *testing.T) {
	u := newUpstream(t, nil)
	m := newManual()
	inj := mustNew(t, chaos.Config{Enabled: true, Seed: 1, Clock: m, Faults: []chaos.Fault{
		{Name: "slow", Kind: chaos.KindLatency, Latency: time.Second, Probability: 1},
	}})
	c := &http.Client{Transport: chaos.RoundTripper(inj, u.Client().Transport)}
	defer c.CloseIdleConnections()

	done := make(chan error, 1)
	go func() {
		_, _, err := get(t, c, u.URL, nil)
		done <- err
	}()
	m.WaitForTimers(1)
	if u.hits.Load() != 0 {
		t.Fatal("the request was sent before its delay")
	}
	m.Advance(time.Second)
	if err := <-done; err != nil || u.hits.Load() != 1 {
		t.Fatalf("after the delay: %v, %d hits", err, u.hits.Load())
	}

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u.URL, nil)
		_, err := c.Do(req)
		done <- err
	}()
	m.WaitForTimers(1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled during the delay: %v want context.Canceled", err)
	}
	if u.hits.Load() != 1 {
		t.Error("a request cancelled during its delay was sent")
	}
}
