package proxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
)

var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// flaky is an upstream whose behaviour a test switches: "ok" answers the
// body with the headers set by hdr, "500" fails, "hang" waits for the
// request's end.
type flaky struct {
	mode  atomic.Value // string
	calls atomic.Int32
	srv   *httptest.Server
}

func newFlaky(t *testing.T, body string, hdr map[string]string) *flaky {
	f := &flaky{}
	f.mode.Store("ok")
	f.srv = upstream(t, "a", func(w http.ResponseWriter, r *http.Request) {
		f.calls.Add(1)
		switch f.mode.Load().(string) {
		case "500":
			w.WriteHeader(500)
		case "hang":
			<-r.Context().Done()
		default:
			for k, v := range hdr {
				w.Header().Set(k, v)
			}
			w.Write([]byte(body))
		}
	})
	return f
}

// staleProxy runs a proxy whose only route has the given policies (YAML
// under policies:) and a stale cache on a manual clock.
func staleProxy(t *testing.T, up *httptest.Server, policies string) (*Proxy, *clock.Manual) {
	t.Helper()
	cfg := parse(t, base+`
routes:
  - name: all
    cluster: b
    policies:
`+policies+`
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up))
	clk := clock.NewManual(t0)
	if fb := cfg.Routes[0].Policies.Fallback; fb != nil && fb.StaleCache != nil {
		fb.StaleCache.Clock = clk
	}
	return start(t, cfg), clk
}

// waitStores waits until the route's stale cache has stored n responses:
// the proxy stores one after its body has reached the client, so a client
// can see the whole response before it is stored.
func waitStores(t *testing.T, p *Proxy, n uint64) {
	t.Helper()
	c := p.table.Load().routes[0].pol.cache
	waitFor(t, "stores", func() bool { return c.Stats().Stores >= n })
}

const staleOnly = `
      timeout: 300ms
      fallback:
        stale_cache: {ttl: 1s, stale_ttl: 10s}
`

func TestStaleCacheServesOnFailure(t *testing.T) {
	tests := []struct {
		name     string
		policies string
		fail     func(*flaky)
		requests int // failing requests, each answered from the cache
		calls    int32
	}{
		{"upstream-500", staleOnly, func(f *flaky) { f.mode.Store("500") }, 2, 3},
		{"upstream-down", staleOnly, func(f *flaky) { f.srv.Close() }, 2, 1},
		{"timeout", staleOnly, func(f *flaky) { f.mode.Store("hang") }, 1, 2},
		{"breaker-open", `
      circuit_breaker: {failure_rate_threshold: 0, consecutive_failures: 1, open_duration: 1h}
      fallback:
        stale_cache: {ttl: 1s, stale_ttl: 10s}
`, func(f *flaky) { f.mode.Store("500") }, 3, 2}, // the breaker opens on the first failure
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up := newFlaky(t, "v1", map[string]string{"Content-Type": "text/plain", "ETag": `"1"`})
			p, clk := staleProxy(t, up.srv, tc.policies)
			url := "http://" + p.Addr() + "/items?id=7"
			if code, body, _ := get(t, url); code != 200 || body != "v1" {
				t.Fatalf("first GET = %d %q want 200 v1", code, body)
			}
			waitStores(t, p, 1)
			tc.fail(up)
			clk.Advance(3 * time.Second) // stale, within stale_ttl
			for i := range tc.requests {
				code, body, h := get(t, url)
				if code != 200 || body != "v1" || h.Get(FallbackHeader) != "stale-cache" || h.Get("Age") != "3" || h.Get("ETag") != `"1"` {
					t.Fatalf("failing GET %d = %d %q %s=%q Age=%q ETag=%q want 200 v1 stale-cache Age 3 with the stored ETag",
						i, code, body, FallbackHeader, h.Get(FallbackHeader), h.Get("Age"), h.Get("ETag"))
				}
			}
			if got := up.calls.Load(); got != tc.calls {
				t.Errorf("upstream calls = %d want %d", got, tc.calls)
			}
			snap := p.Registry().Instance("route", "all").Snapshot()
			if got := snap.Counts["fallback"]; got != uint64(tc.requests) {
				t.Errorf("route fallback events = %d want %d", got, tc.requests)
			}
		})
	}
}

func TestStaleCacheExpiryAndOrder(t *testing.T) {
	tests := []struct {
		name     string
		policies string
		advance  time.Duration
		path     string // the failing request's path; /items was cached
		want     int
		wantBody string
	}{
		{"within-stale-ttl", staleOnly, 10*time.Second - time.Millisecond, "/items", 200, "v1"},
		{"past-stale-ttl", staleOnly, 10 * time.Second, "/items", 500, ""},
		{"other-key", staleOnly, 0, "/items?page=2", 500, ""},
		{"stale-before-static", staleWithStatic, time.Second, "/items", 200, "v1"},
		{"static-on-miss", staleWithStatic, time.Second, "/other", 503, "sorry"},
		{"static-past-stale-ttl", staleWithStatic, time.Minute, "/items", 503, "sorry"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up := newFlaky(t, "v1", nil)
			p, clk := staleProxy(t, up.srv, tc.policies)
			if code, _, _ := get(t, "http://"+p.Addr()+"/items"); code != 200 {
				t.Fatalf("first GET = %d want 200", code)
			}
			waitStores(t, p, 1)
			up.mode.Store("500")
			clk.Advance(tc.advance)
			code, body, _ := get(t, "http://"+p.Addr()+tc.path)
			if code != tc.want || body != tc.wantBody {
				t.Fatalf("GET %s after %v = %d %q want %d %q", tc.path, tc.advance, code, body, tc.want, tc.wantBody)
			}
		})
	}
}

const staleWithStatic = `
      fallback:
        stale_cache: {ttl: 1s, stale_ttl: 10s}
        static: {status: 503, body: "sorry"}
`

func TestStaleCacheStores(t *testing.T) {
	big := strings.Repeat("x", maxCacheBody+1)
	tests := []struct {
		name   string
		body   string
		hdr    map[string]string
		method string
		req    []string // request headers of both requests
		later  []string // request headers of the failing request, if other
		stored bool
	}{
		{"plain", "v1", nil, "GET", nil, nil, true},
		{"head", "", nil, "HEAD", nil, nil, true},
		{"head-of-large", "", map[string]string{"Content-Length": strconv.Itoa(maxCacheBody + 1)}, "HEAD", nil, nil, true},
		{"request-no-store", "v1", nil, "GET", []string{"Cache-Control", "no-store"}, []string{}, false},
		{"response-no-store", "v1", map[string]string{"Cache-Control": "no-store"}, "GET", nil, nil, false},
		{"response-private", "v1", map[string]string{"Cache-Control": "private, max-age=60"}, "GET", nil, nil, false},
		{"set-cookie", "v1", map[string]string{"Set-Cookie": "s=1"}, "GET", nil, nil, false},
		{"post", "v1", nil, "POST", nil, nil, false},
		{"too-large", big, nil, "GET", nil, nil, false},
		{"authorization", "v1", nil, "GET", []string{"Authorization", "Bearer x"}, nil, false},
		{"authorization-public", "v1", map[string]string{"Cache-Control": "public"}, "GET", []string{"Authorization", "Bearer x"}, nil, true},
		{"cookie", "v1", nil, "GET", []string{"Cookie", "s=1"}, nil, false},
		{"range", "v1", nil, "GET", []string{"Range", "bytes=0-1"}, nil, false},
		{"vary-match", "v1", map[string]string{"Vary": "Accept-Language"}, "GET", []string{"Accept-Language", "en"}, nil, true},
		{"vary-mismatch", "v1", map[string]string{"Vary": "Accept-Language"}, "GET", []string{"Accept-Language", "en"}, []string{"Accept-Language", "fr"}, false},
		{"vary-star", "v1", map[string]string{"Vary": "*"}, "GET", nil, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up := newFlaky(t, tc.body, tc.hdr)
			p, _ := staleProxy(t, up.srv, staleOnly)
			send := func(hdr []string) (int, string, http.Header) {
				req, _ := http.NewRequest(tc.method, "http://"+p.Addr()+"/k", nil)
				for i := 0; i+1 < len(hdr); i += 2 {
					req.Header.Set(hdr[i], hdr[i+1])
				}
				return do(t, req)
			}
			if code, body, _ := send(tc.req); code != 200 || body != tc.body {
				t.Fatalf("first %s = %d (%d bytes) want 200 (%d bytes)", tc.method, code, len(body), len(tc.body))
			}
			if tc.stored {
				waitStores(t, p, 1)
			}
			up.mode.Store("500")
			hdr := tc.req
			if tc.later != nil {
				hdr = tc.later
			}
			code, body, h := send(hdr)
			served := code == 200 && h.Get(FallbackHeader) == "stale-cache"
			if served != tc.stored || (served && body != tc.body) {
				t.Fatalf("failing %s = %d %s=%q (%d bytes): served from cache %v want %v",
					tc.method, code, FallbackHeader, h.Get(FallbackHeader), len(body), served, tc.stored)
			}
		})
	}
}

// TestStaleCacheStreams checks that a response is streamed to the client
// while the cache captures it: the client reads the first chunk before the
// upstream writes the rest. A response past the limit is not cached.
func TestStaleCacheStreams(t *testing.T) {
	firstRead := make(chan struct{})
	var fail atomic.Bool
	up := upstream(t, "a", func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			w.WriteHeader(500)
			return
		}
		w.Write([]byte("first"))
		w.(http.Flusher).Flush()
		select {
		case <-firstRead:
		case <-r.Context().Done():
			return
		}
		w.Write([]byte(strings.Repeat("y", maxCacheBody)))
	})
	p, _ := staleProxy(t, up, staleOnly)
	resp, err := client.Get("http://" + p.Addr() + "/big")
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	n, err := resp.Body.Read(buf)
	if err != nil || string(buf[:n]) != "first" {
		resp.Body.Close()
		t.Fatalf("first read = %q, %v want %q (the proxy must stream)", buf[:n], err, "first")
	}
	close(firstRead)
	rest, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || len(rest) != maxCacheBody {
		t.Fatalf("rest of body = %d bytes, %v want %d", len(rest), err, maxCacheBody)
	}
	fail.Store(true)
	if code, _, h := get(t, "http://"+p.Addr()+"/big"); code != 500 || h.Get(FallbackHeader) != "" {
		t.Fatalf("failing GET of an uncacheable size = %d %q want 500 without fallback", code, h.Get(FallbackHeader))
	}
}
