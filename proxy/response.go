package proxy

import (
	"io"
	"net"
	"net/http"
	"strings"

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

// copyResponse writes resp to w, streaming its body and flushing as data
// arrives. A non-nil capture gets a copy of what is written, up to its
// limit. It reports whether the whole body reached w.
func copyResponse(w http.ResponseWriter, resp *http.Response, capt *capture) bool {
	removeHopHeaders(resp.Header)
	dst := w.Header()
	for k, vv := range resp.Header {
		dst[k] = append(dst[k][:0:0], vv...)
	}
	w.WriteHeader(resp.StatusCode)
	rc := http.NewResponseController(w)
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return false
			}
			if capt != nil {
				capt.write(buf[:n])
			}
			_ = rc.Flush()
		}
		if err != nil {
			return err == io.EOF
		}
	}
}
