package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/internal/leaktest"
)

// rawTimeout bounds every raw-socket exchange so that a bug fails the test
// instead of hanging it.
const rawTimeout = 5 * time.Second

// robustProxy starts a proxy with a short ReadHeaderTimeout and a small
// header limit in front of an upstream, and checks for leaked goroutines
// once both are shut down.
func robustProxy(t *testing.T, policies string) (*Proxy, *httptestUpstream) {
	t.Helper()
	t.Cleanup(func() { leaktest.VerifyNone(t) }) // runs last: after shutdown
	up := newHTTPTestUpstream(t)
	p := start(t, parse(t, `
listeners:
  - name: public
    address: 127.0.0.1:0
    max_header_bytes: 1024
    timeouts: {read_header: 200ms}
routes:
  - name: all
    cluster: b
`+policies+`
clusters: [{name: b, discovery: {static: [%s]}}]
`, up.addr))
	return p, up
}

// httptestUpstream answers 200 "ok" and records the deadline header it got.
type httptestUpstream struct {
	addr     string
	deadline atomic.Value // string
	calls    atomic.Int32
}

func newHTTPTestUpstream(t *testing.T) *httptestUpstream {
	u := &httptestUpstream{}
	s := upstream(t, "a", func(w http.ResponseWriter, r *http.Request) {
		u.calls.Add(1)
		u.deadline.Store(r.Header.Get(deadline.HeaderDeadlineMs))
		io.WriteString(w, "ok")
	})
	u.addr = addr(s)
	return u
}

// rawExchange writes req on a fresh connection and returns the status code
// of the response, or 0 when the proxy closed the connection without one.
func rawExchange(t *testing.T, proxyAddr, req string) int {
	t.Helper()
	c, err := net.DialTimeout("tcp", proxyAddr, rawTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", proxyAddr, err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(rawTimeout))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatalf("write %q: %v", req, err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return 0
	}
	f := strings.Fields(line)
	if len(f) < 2 {
		t.Fatalf("status line %q malformed", line)
	}
	code, err := strconv.Atoi(f[1])
	if err != nil {
		t.Fatalf("status line %q: %v", line, err)
	}
	return code
}

// checkServing fails the test unless the proxy still forwards a request.
func checkServing(t *testing.T, p *Proxy) {
	t.Helper()
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: rawTimeout}
	resp, err := c.Get("http://" + p.Addr() + "/after")
	if err != nil {
		t.Fatalf("GET after bad input: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "ok" {
		t.Fatalf("GET after bad input = %d %q want 200 ok", resp.StatusCode, b)
	}
}

func TestMalformedRequests(t *testing.T) {
	p, up := robustProxy(t, "")
	tests := []struct {
		name string
		req  string
		want int
	}{
		{"garbage bytes", "\x00\x01\x02\xff\xfe garbage\r\n\r\n", 400},
		{"request line without version", "GET /\r\n\r\n", 400},
		{"request line one word", "HELLO\r\n\r\n", 400},
		{"bad version", "GET / HTTP/9.x\r\nHost: a\r\n\r\n", 400},
		{"no host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400},
		{"header without colon", "GET / HTTP/1.1\r\nHost: a\r\nbroken header\r\n\r\n", 400},
		{"content-length not a number", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n", 400},
		{"content-length negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n", 400},
		{"content-length conflicting", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400},
		{"unknown transfer-encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: bogus\r\n\r\n", 501},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rawExchange(t, p.Addr(), tt.req); got != tt.want {
				t.Fatalf("raw request %q = %d want %d", tt.req, got, tt.want)
			}
			checkServing(t, p)
		})
	}
	if n := up.calls.Load(); n != int32(len(tests)) {
		t.Fatalf("upstream calls = %d want %d (only the good requests)", n, len(tests))
	}
}

func TestOversizedHeaders431(t *testing.T) {
	p, up := robustProxy(t, "")
	// net/http allows MaxHeaderBytes plus 4096 bytes of slack.
	big := strings.Repeat("x", 64<<10)
	req := "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + big + "\r\n\r\n"
	if got := rawExchange(t, p.Addr(), req); got != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("64KiB header = %d want 431", got)
	}
	checkServing(t, p)
	if n := up.calls.Load(); n != 1 {
		t.Fatalf("upstream calls = %d want 1", n)
	}
}

func TestSlowlorisCutOff(t *testing.T) {
	p, _ := robustProxy(t, "")
	const slow = 3
	closed := make(chan error, slow)
	conns := make([]net.Conn, 0, slow)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range slow {
		c, err := net.DialTimeout("tcp", p.Addr(), rawTimeout)
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		conns = append(conns, c)
		_ = c.SetDeadline(time.Now().Add(rawTimeout))
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\n"); err != nil {
			t.Fatalf("write: %v", err)
		}
		go func() {
			// The proxy never answers a request it never finished reading:
			// the read ends when it closes the connection.
			_, err := io.Copy(io.Discard, c)
			closed <- err
		}()
	}
	// Trickle header lines while checking that other clients are served.
	done := 0
	for i := 0; done < slow; i++ {
		if i >= 100 { // 100 × 20ms, far beyond the 200ms ReadHeaderTimeout
			t.Fatalf("%d of %d slow connections still open after trickling for %v", slow-done, slow, 100*20*time.Millisecond)
		}
		for _, c := range conns {
			_, _ = io.WriteString(c, "X-Slow: "+strconv.Itoa(i)+"\r\n")
		}
		if i%10 == 0 {
			checkServing(t, p)
		}
		select {
		case err := <-closed:
			if err != nil && !isReset(err) {
				t.Fatalf("slow connection ended with %v want closed by the proxy", err)
			}
			done++
		case <-time.After(20 * time.Millisecond):
		}
	}
	checkServing(t, p)
}

// isReset reports whether err is the peer closing a connection it had
// unread data on (the proxy closing while the client still writes).
func isReset(err error) bool {
	s := err.Error()
	return strings.Contains(s, "reset") || strings.Contains(s, "broken pipe")
}

func TestAbsurdDeadlineHeader(t *testing.T) {
	p, up := robustProxy(t, "    policies:\n      deadline: {server: {max: 2s, default: 1s}}")
	tests := []struct{ name, value string }{
		{"24h", "86400000"},
		{"overflow", "99999999999999999999999999"},
		{"negative", "-5"},
		{"garbage", "soon"},
		{"fraction", "1.5"},
		{"empty", ""},
		{"spaces", "  \t "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, _ := get(t, "http://"+p.Addr()+"/", deadline.HeaderDeadlineMs, tt.value)
			if code != 200 || body != "ok" {
				t.Fatalf("GET with %s %q = %d %q want 200 ok", deadline.HeaderDeadlineMs, tt.value, code, body)
			}
			v, _ := up.deadline.Load().(string)
			ms, err := strconv.Atoi(v)
			if err != nil || ms <= 0 || ms > 2000 {
				t.Fatalf("upstream %s = %q want in (0, 2000] (clamped to max 2s)", deadline.HeaderDeadlineMs, v)
			}
		})
	}
	client.Transport.(*http.Transport).CloseIdleConnections()
}
