package proxy

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/fallback"
)

// FallbackHeader marks a response the proxy served in place of a failed
// upstream call: "stale-cache" for a remembered response (sent with an Age
// header).
const FallbackHeader = "X-Resilience-Fallback"

// CacheHeader is "hit" on a fresh response served from the stale cache
// without calling the upstream, which only stale_cache.serve_fresh does.
const CacheHeader = "X-Resilience-Cache"

// maxCacheBody is the largest response body the stale cache stores; larger
// responses stream through and are not remembered. The cache holds at most
// max_entries of them.
const maxCacheBody = 64 << 10

// cachedResponse is one remembered upstream response.
type cachedResponse struct {
	status  int
	header  http.Header
	body    []byte
	age     time.Duration // the upstream's Age when stored
	vary    []string      // the request headers the response varies on
	varyVal []string      // their values in the request that got it
	noCache bool          // the upstream asked for revalidation: never served fresh
}

// responseCache remembers responses by cacheKey.
type responseCache = fallback.StaleCache[string, *cachedResponse]

func newResponseCache(route string, c fallback.CacheConfig) (*responseCache, error) {
	if c.Name == "" {
		c.Name = route
	}
	return fallback.NewStaleCache[string, *cachedResponse](c)
}

// cacheKey is the key of r in the stale cache: method, host, path and
// query; "" when r is not cacheable (not GET or HEAD, a Range request, or
// Cache-Control: no-store).
func cacheKey(r *http.Request) string {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return ""
	}
	if r.Header.Get("Range") != "" || hasDirective(r.Header, "no-store") {
		return ""
	}
	return r.Method + " " + strings.ToLower(r.Host) + r.URL.RequestURI()
}

// storableStatus are the statuses the cache remembers: the final ones RFC
// 9111 lets a cache store without explicit freshness, less 206 (Range
// requests are not cached) and those that say nothing of the resource
// (405, 414, 501).
func storableStatus(code int) bool {
	switch code {
	case 200, 203, 204, 300, 301, 308, 404, 410:
		return true
	}
	return false
}

// forbidsStore reports whether the response itself says it must not be
// stored: no-store, private, Set-Cookie or Vary: *.
func forbidsStore(h http.Header) bool {
	if hasDirective(h, "no-store") || hasDirective(h, "private") || len(h["Set-Cookie"]) > 0 {
		return true
	}
	for _, v := range h.Values("Vary") {
		if strings.TrimSpace(v) == "*" {
			return true
		}
	}
	return false
}

// startCapture decides whether the response to a cacheable request is to
// be remembered and returns the capture of its body, or nil. A response
// that forbids storing, or is too large, removes what the cache held for
// key, so that an older version is never served in its place.
func (rt *route) startCapture(r *http.Request, resp *http.Response, key string) *capture {
	if !storableStatus(resp.StatusCode) {
		return nil
	}
	head := r.Method == http.MethodHead // its Content-Length is the GET's
	if forbidsStore(resp.Header) || (!head && resp.ContentLength > maxCacheBody) {
		rt.pol.cache.Delete(key)
		return nil
	}
	// A shared cache stores an answer to a request with credentials only
	// when the upstream marks it public (RFC 9111 3.5); cookies count.
	if (r.Header.Get("Authorization") != "" || r.Header.Get("Cookie") != "") &&
		!hasDirective(resp.Header, "public") && !hasDirective(resp.Header, "s-maxage") {
		return nil
	}
	c := &capture{limit: maxCacheBody}
	if !head && resp.ContentLength > 0 {
		c.buf = make([]byte, 0, resp.ContentLength)
	}
	return c
}

// finishCapture stores the response whose body c captured in full.
func (rt *route) finishCapture(r *http.Request, resp *http.Response, key string, c *capture) {
	if c.over {
		rt.pol.cache.Delete(key)
		return
	}
	e := &cachedResponse{status: resp.StatusCode, header: resp.Header.Clone(), body: c.buf}
	if a, err := strconv.Atoi(e.header.Get("Age")); err == nil && a > 0 {
		e.age = time.Duration(a) * time.Second
	}
	e.header.Del("Age")
	e.noCache = hasDirective(resp.Header, "no-cache") || hasDirective(resp.Header, "max-age=0")
	for _, v := range resp.Header.Values("Vary") {
		for name := range strings.SplitSeq(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				e.vary = append(e.vary, name)
				e.varyVal = append(e.varyVal, strings.Join(r.Header.Values(name), ", "))
			}
		}
	}
	rt.pol.cache.Put(key, e)
}

// matches reports whether e answers r: the request headers the response
// varies on have the values they had.
func (e *cachedResponse) matches(r *http.Request) bool {
	for i, name := range e.vary {
		if strings.Join(r.Header.Values(name), ", ") != e.varyVal[i] {
			return false
		}
	}
	return true
}

// serveCached answers r from the cache. With fresh, only an entry younger
// than the cache's TTL is served, as a cache hit; otherwise any entry
// younger than its StaleTTL is, as a fallback event. It reports whether
// it answered.
func (rt *route) serveCached(w http.ResponseWriter, r *http.Request, key string, start time.Time, fresh bool) bool {
	e, age, isFresh, ok := rt.pol.cache.Get(key)
	if !ok || !e.matches(r) {
		return false
	}
	if fresh && (!isFresh || e.noCache || hasDirective(r.Header, "no-cache") ||
		hasDirective(r.Header, "max-age=0") || r.Header.Get("Pragma") == "no-cache") {
		return false
	}
	h := w.Header()
	for k, vv := range e.header {
		h[k] = append(h[k][:0:0], vv...)
	}
	h.Set("Age", strconv.FormatInt(int64((age+e.age)/time.Second), 10))
	if fresh {
		h.Set(CacheHeader, "hit")
		rt.record(resilience.EventSuccess, start)
	} else {
		h.Set(FallbackHeader, "stale-cache")
		rt.record(resilience.EventFallback, start)
	}
	if r.Method == http.MethodHead {
		w.WriteHeader(e.status)
		return true
	}
	if e.status != http.StatusNoContent && e.status != http.StatusNotModified {
		h.Set("Content-Length", strconv.Itoa(len(e.body)))
	}
	w.WriteHeader(e.status)
	_, _ = w.Write(e.body)
	return true
}

// capture keeps a copy of a response body while it streams, up to limit;
// past it, the copy is dropped and over is set.
type capture struct {
	buf   []byte
	limit int
	over  bool
}

func (c *capture) write(p []byte) {
	if c.over {
		return
	}
	if len(c.buf)+len(p) > c.limit {
		c.over, c.buf = true, nil
		return
	}
	c.buf = append(c.buf, p...)
}

// hasDirective reports whether the Cache-Control header of h holds the
// directive d (case-insensitive; "max-age=0" matches that exact value,
// "private" also matches private="...").
func hasDirective(h http.Header, d string) bool {
	for _, v := range h.Values("Cache-Control") {
		for part := range strings.SplitSeq(v, ",") {
			part = strings.TrimSpace(part)
			if strings.EqualFold(part, d) {
				return true
			}
			if name, _, ok := strings.Cut(part, "="); ok && !strings.Contains(d, "=") && strings.EqualFold(strings.TrimSpace(name), d) {
				return true
			}
		}
	}
	return false
}
