package proxy

import (
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/resilience-go/resilience/config"
)

// writeStatic answers with the static fallback response.
func writeStatic(w http.ResponseWriter, s *config.StaticResponse) {
	for k, v := range s.Headers {
		w.Header().Set(k, v)
	}
	st := s.Status
	if st == 0 {
		st = http.StatusServiceUnavailable
	}
	w.WriteHeader(st)
	_, _ = io.WriteString(w, s.Body)
}

// hopHeaders are removed when forwarding (RFC 9110 7.6.1).
var hopHeaders = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

func removeHopHeaders(h http.Header) {
	for _, f := range h["Connection"] {
		for sf := range strings.SplitSeq(f, ",") {
			if sf = strings.TrimSpace(sf); sf != "" {
				h.Del(sf)
			}
		}
	}
	for _, k := range hopHeaders {
		h.Del(k)
	}
}

func setForwarded(out, in *http.Request) {
	if ip, _, err := net.SplitHostPort(in.RemoteAddr); err == nil {
		if prior := in.Header.Values("X-Forwarded-For"); len(prior) > 0 {
			ip = strings.Join(prior, ", ") + ", " + ip
		}
		out.Header.Set("X-Forwarded-For", ip)
	}
	out.Header.Set("X-Forwarded-Host", in.Host)
	proto := "http"
	if in.TLS != nil {
		proto = "https"
	}
	out.Header.Set("X-Forwarded-Proto", proto)
}

// copyBuffers and smallCopyBuffers hold the buffers copyResponse streams
// bodies through: one 32 KiB buffer per response was most of the proxy's
// allocated bytes and garbage-collection work under load. A body known to
// fit in smallCopy bytes, the common case of an API, takes a small one:
// at a thousand responses in flight, that is 4 MB of memory rather than 32.
var (
	copyBuffers      = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
	smallCopyBuffers = sync.Pool{New: func() any { b := make([]byte, smallCopy); return &b }}
)

// smallCopy is the size of the small copy buffers.
const smallCopy = 4 << 10

// copyBuffer returns a buffer for a body of length n (-1: unknown) and
// the pool to put it back in.
func copyBuffer(n int64) (*[]byte, *sync.Pool) {
	pool := &copyBuffers
	if n >= 0 && n <= smallCopy {
		pool = &smallCopyBuffers
	}
	return pool.Get().(*[]byte), pool
}

// copyResponse writes resp to w, streaming its body. A response of unknown
// length or an event stream is flushed as data arrives; others are left to
// the server's buffering, as httputil.ReverseProxy does, so that a small
// answer goes out in one write. A non-nil capture gets a copy of what is
// written, up to its limit. It reports whether the whole body reached w.
func copyResponse(w http.ResponseWriter, resp *http.Response, capt *capture) bool {
	removeHopHeaders(resp.Header)
	dst := w.Header()
	for k, vv := range resp.Header {
		dst[k] = vv // resp is ours alone, and the server only reads them
	}
	w.WriteHeader(resp.StatusCode)
	var rc *http.ResponseController
	if streaming(resp) {
		rc = http.NewResponseController(w)
	}
	bp, pool := copyBuffer(resp.ContentLength)
	defer pool.Put(bp)
	buf := *bp
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return false
			}
			if capt != nil {
				capt.write(buf[:n])
			}
			if rc != nil {
				_ = rc.Flush()
			}
		}
		if err != nil {
			return err == io.EOF
		}
	}
}

// streaming reports whether resp's body should reach the client as it
// arrives: its length is unknown, or it is a server-sent event stream.
func streaming(resp *http.Response) bool {
	if resp.ContentLength < 0 {
		return true
	}
	const sse = "text/event-stream"
	ct := strings.TrimSpace(resp.Header.Get("Content-Type"))
	return len(ct) >= len(sse) && strings.EqualFold(ct[:len(sse)], sse)
}
