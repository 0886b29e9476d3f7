package proxy

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestStaleCacheServeFresh(t *testing.T) {
	up := newFlaky(t, "v1", nil)
	p, clk := staleProxy(t, up.srv, `
      fallback:
        stale_cache: {ttl: 1s, stale_ttl: 10s, serve_fresh: true}
`)
	url := "http://" + p.Addr() + "/f"
	steps := []struct {
		name    string
		advance time.Duration
		hdr     []string
		calls   int32
		cache   string
		stores  uint64
	}{
		{"miss", 0, nil, 1, "", 1},
		{"fresh-hit", 500 * time.Millisecond, nil, 1, "hit", 1},
		{"client-no-cache", 0, []string{"Cache-Control", "no-cache"}, 2, "", 2},
		{"expired", time.Second, nil, 3, "", 3},
	}
	for _, s := range steps {
		clk.Advance(s.advance)
		code, body, h := get(t, url, s.hdr...)
		if code != 200 || body != "v1" || up.calls.Load() != s.calls || h.Get(CacheHeader) != s.cache {
			t.Fatalf("%s: GET = %d %q %s=%q after %d upstream calls want 200 v1 %q after %d",
				s.name, code, body, CacheHeader, h.Get(CacheHeader), up.calls.Load(), s.cache, s.calls)
		}
		waitStores(t, p, s.stores)
	}
}

// TestStaleCacheReload checks that the cache survives a reload that keeps
// its settings (even when the static fallback changes) and starts empty
// when they change.
func TestStaleCacheReload(t *testing.T) {
	tests := []struct {
		name   string
		next   string
		served bool
	}{
		{"same", staleWithStatic, true},
		{"static-changed", strings.Replace(staleWithStatic, "sorry", "oops", 1), true},
		{"cache-changed", strings.Replace(staleWithStatic, "stale_ttl: 10s", "stale_ttl: 20s", 1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			up := newFlaky(t, "v1", nil)
			p, clk := staleProxy(t, up.srv, staleWithStatic)
			if code, _, _ := get(t, "http://"+p.Addr()+"/r"); code != 200 {
				t.Fatalf("first GET = %d want 200", code)
			}
			waitStores(t, p, 1)
			next := parse(t, base+`
routes:
  - name: all
    cluster: b
    policies:
`+tc.next+`
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up.srv))
			next.Routes[0].Policies.Fallback.StaleCache.Clock = clk
			if err := p.Apply(next); err != nil {
				t.Fatalf("Apply: %v", err)
			}
			up.mode.Store("500")
			_, _, h := get(t, "http://"+p.Addr()+"/r")
			if served := h.Get(FallbackHeader) == "stale-cache"; served != tc.served {
				t.Fatalf("after reload, served from cache = %v want %v", served, tc.served)
			}
		})
	}
}

func TestHasDirective(t *testing.T) {
	tests := []struct {
		cc   string
		d    string
		want bool
	}{
		{"no-store", "no-store", true},
		{"public, NO-STORE", "no-store", true},
		{`private="Set-Cookie"`, "private", true},
		{"max-age=0", "max-age=0", true},
		{"max-age=60", "max-age=0", false},
		{"s-maxage=5", "s-maxage", true},
		{"no-storex", "no-store", false},
		{"", "public", false},
	}
	for _, tc := range tests {
		h := http.Header{}
		if tc.cc != "" {
			h.Set("Cache-Control", tc.cc)
		}
		if got := hasDirective(h, tc.d); got != tc.want {
			t.Errorf("hasDirective(%q, %q) = %v want %v", tc.cc, tc.d, got, tc.want)
		}
	}
}
