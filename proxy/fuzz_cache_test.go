package proxy

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/fallback"
)

// FuzzStaleEntry feeds arbitrary Cache-Control, Vary and request header
// values to the stale cache's header handling: nothing panics, a stored
// response always answers the request that got it, and a response that
// says no-store is never captured.
func FuzzStaleEntry(f *testing.F) {
	f.Add("max-age=60, public", "Accept-Language", "en")
	f.Add(`private="Set-Cookie", no-cache`, "Accept-Encoding, X-Mode", "gzip")
	f.Add("NO-STORE", "", "")
	f.Add("no-cache,,max-age=0", " , ,Accept", "a, b")
	f.Fuzz(func(t *testing.T, cc, vary, value string) {
		c, err := newResponseCache("fuzz", fallback.CacheConfig{})
		if err != nil {
			t.Fatal(err)
		}
		rt := &route{pol: &policies{cache: c}}
		r := httptest.NewRequest(http.MethodGet, "/x", nil)
		for name := range strings.SplitSeq(vary, ",") {
			if name = strings.TrimSpace(name); name != "" {
				r.Header.Add(name, value)
			}
		}
		key := cacheKey(r)
		if key == "" {
			return // Range or no-store among the fuzzed request headers
		}
		resp := &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: -1}
		resp.Header.Set("Cache-Control", cc)
		resp.Header.Set("Vary", vary)
		capt := rt.startCapture(r, resp, key)
		if hasDirective(resp.Header, "no-store") && capt != nil {
			t.Fatalf("Cache-Control %q: a no-store response is captured", cc)
		}
		if capt == nil {
			return
		}
		capt.write([]byte("body"))
		rt.finishCapture(r, resp, key, capt)
		e, _, _, ok := c.Get(key)
		if !ok || string(e.body) != "body" {
			t.Fatalf("stored entry = %v, %v want the body", e, ok)
		}
		if !e.matches(r) {
			t.Fatalf("Vary %q value %q: the entry does not match its own request", vary, value)
		}
	})
}
