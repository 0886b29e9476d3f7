package proxy

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strconv"
	"testing"
)

func TestCopyBufferSize(t *testing.T) {
	tests := []struct {
		n    int64
		want int
	}{
		{-1, 32 << 10}, {0, smallCopy}, {1, smallCopy}, {smallCopy, smallCopy}, {smallCopy + 1, 32 << 10}, {1 << 30, 32 << 10},
	}
	for _, tt := range tests {
		bp, pool := copyBuffer(tt.n)
		if len(*bp) != tt.want {
			t.Errorf("copyBuffer(%d) = %d bytes want %d", tt.n, len(*bp), tt.want)
		}
		pool.Put(bp)
	}
}

// TestBodiesOfEverySize: bodies around the small buffer's size, large ones
// and ones of unknown length arrive whole through the proxy.
func TestBodiesOfEverySize(t *testing.T) {
	body := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('a' + i%26)
		}
		return b
	}
	up := upstream(t, "a", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if r.URL.Query().Get("chunked") == "" {
			w.Header().Set("Content-Length", strconv.Itoa(n))
		}
		b := body(n)
		for len(b) > 0 { // in pieces, so that chunked ones stream
			k := min(len(b), 3000)
			w.Write(b[:k])
			b = b[k:]
		}
	})
	p := start(t, parse(t, base+`
routes: [{name: all, cluster: b}]
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up)))
	for _, n := range []int{0, 1, smallCopy - 1, smallCopy, smallCopy + 1, 32 << 10, 32<<10 + 1, 300 << 10} {
		for _, chunked := range []string{"", "1"} {
			code, got, _ := get(t, fmt.Sprintf("http://%s/?n=%d&chunked=%s", p.Addr(), n, chunked))
			if code != 200 || sha256.Sum256([]byte(got)) != sha256.Sum256(body(n)) {
				t.Errorf("GET %d bytes (chunked %q) = %d, %d bytes; want 200 and the body", n, chunked, code, len(got))
			}
		}
	}
}
