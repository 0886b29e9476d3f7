package proxy

import (
	"bufio"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

func TestRoundRobin(t *testing.T) {
	a, b, c := upstream(t, "a", nil), upstream(t, "b", nil), upstream(t, "c", nil)
	p := start(t, parse(t, base+`
routes:
  - name: all
    cluster: backend
clusters:
  - name: backend
    discovery:
      static: [%s, %s, %s]
`, addr(a), addr(b), addr(c)))
	seen := map[string]int{}
	for range 6 {
		code, body, _ := get(t, "http://"+p.Addr()+"/x")
		if code != 200 {
			t.Fatalf("GET = %d %q want 200", code, body)
		}
		seen[body]++
	}
	for _, n := range []string{"a", "b", "c"} {
		if seen[n] != 2 {
			t.Fatalf("round robin spread = %v want 2 each", seen)
		}
	}
}

func TestRouteMatching(t *testing.T) {
	names := []string{"api", "host", "hdr", "post", "def"}
	ups := map[string]string{}
	for _, n := range names {
		ups[n] = addr(upstream(t, n, nil))
	}
	p := start(t, parse(t, base+`
routes:
  - name: api
    match: {path_prefix: /api}
    cluster: api
  - name: host
    match: {host: "*.example.com"}
    cluster: host
  - name: hdr
    match: {headers: [{name: X-Canary, exact: "yes"}]}
    cluster: hdr
  - name: post
    match: {methods: [POST]}
    cluster: post
  - name: def
    cluster: def
clusters:
  - {name: api, discovery: {static: [%s]}}
  - {name: host, discovery: {static: [%s]}}
  - {name: hdr, discovery: {static: [%s]}}
  - {name: post, discovery: {static: [%s]}}
  - {name: def, discovery: {static: [%s]}}
`, ups["api"], ups["host"], ups["hdr"], ups["post"], ups["def"]))
	url := "http://" + p.Addr()
	tests := []struct {
		name, method, path string
		hdr                []string
		want               string
	}{
		{"path", "GET", "/api/v1", nil, "api"},
		{"host", "GET", "/x", []string{"Host", "svc.example.com"}, "host"},
		{"host-apex-no-match", "GET", "/x", []string{"Host", "example.com"}, "def"},
		{"header", "GET", "/x", []string{"X-Canary", "yes"}, "hdr"},
		{"header-other", "GET", "/x", []string{"X-Canary", "no"}, "def"},
		{"method", "POST", "/x", nil, "post"},
		{"order", "POST", "/api", nil, "api"},
		{"default", "GET", "/", nil, "def"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, url+tt.path, nil)
			for i := 0; i+1 < len(tt.hdr); i += 2 {
				if tt.hdr[i] == "Host" {
					req.Host = tt.hdr[i+1]
				} else {
					req.Header.Set(tt.hdr[i], tt.hdr[i+1])
				}
			}
			_, body, _ := do(t, req)
			if body != tt.want {
				t.Fatalf("%s %s routed to %q want %q", tt.method, tt.path, body, tt.want)
			}
		})
	}
}

func TestForwardedAndHopHeaders(t *testing.T) {
	var got atomic.Pointer[http.Header]
	var host atomic.Value
	up := upstream(t, "a", func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Clone()
		got.Store(&h)
		host.Store(r.Host)
		w.Header().Set("Connection", "X-Secret-Hop")
		w.Header().Set("X-Secret-Hop", "1")
		w.Header().Set("Keep-Alive", "timeout=5")
	})
	p := start(t, parse(t, base+`
routes: [{name: all, cluster: b}]
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up)))
	req, _ := http.NewRequest("GET", "http://"+p.Addr()+"/", nil)
	req.Host = "front.test"
	req.Header.Set("X-Forwarded-For", "10.0.0.1")
	req.Header.Set("Connection", "X-Hop")
	req.Header.Set("X-Hop", "drop-me")
	req.Header.Set("Proxy-Authorization", "Basic x")
	_, _, rh := do(t, req)
	h := *got.Load()
	checks := []struct{ name, got, want string }{
		{"X-Forwarded-For", h.Get("X-Forwarded-For"), "10.0.0.1, 127.0.0.1"},
		{"X-Forwarded-Host", h.Get("X-Forwarded-Host"), "front.test"},
		{"X-Forwarded-Proto", h.Get("X-Forwarded-Proto"), "http"},
		{"X-Hop", h.Get("X-Hop"), ""},
		{"Proxy-Authorization", h.Get("Proxy-Authorization"), ""},
		{"Host", host.Load().(string), "front.test"},
		{"response X-Secret-Hop", rh.Get("X-Secret-Hop"), ""},
		{"response Keep-Alive", rh.Get("Keep-Alive"), ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q want %q", c.name, c.got, c.want)
		}
	}
}

func TestStreaming(t *testing.T) {
	release := make(chan struct{})
	up := upstream(t, "a", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		<-release
		io.WriteString(w, strings.Repeat("x", 1<<20)+"\n")
	})
	p := start(t, parse(t, base+`
routes: [{name: all, cluster: b}]
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up)))
	resp, err := client.Get("http://" + p.Addr() + "/")
	if err != nil {
		close(release)
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	close(release) // the upstream finishes only after the first chunk arrived
	if err != nil || line != "first\n" {
		t.Fatalf("first chunk = %q, %v want %q", line, err, "first\n")
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	if n < 1<<20 {
		t.Fatalf("rest of body = %d bytes want >= %d", n, 1<<20)
	}
}
