package main

// Judging the soak's answers: check, the rule for what each request kind may
// get back, applied to every response; and report, which logs the tallies
// at the end and fails on any disallowed answer or on a policy never seen.

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// check classifies a response of kind; it returns the problem's detail for
// the tallies and a non-empty reason when the response is not allowed.
func (l *soakLoad) check(kind string, resp *http.Response, body []byte, start, end time.Time) (detail, bad string) {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		if kind == kindAPISlow || kind == kindAPINoTime {
			return "", "a success for a request that cannot succeed"
		}
		if !bytes.HasPrefix(body, []byte("ok ")) {
			return "", "a 2xx body that no upstream wrote"
		}
		return resp.Header.Get("X-Resilience-Fallback"), "" // "stale-cache" when it is one
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var p struct {
		Title  string `json:"title"`
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if mt != "application/problem+json" {
		return "", fmt.Sprintf("status %d with Content-Type %q, not problem+json", code, resp.Header.Get("Content-Type"))
	}
	if err := json.Unmarshal(body, &p); err != nil || p.Status != code || p.Title == "" {
		return "", fmt.Sprintf("status %d with a problem body that does not match (status %d, title %q, err %v)", code, p.Status, p.Title, err)
	}
	detail = p.Detail
	if i := strings.IndexAny(detail, ":("); i > 0 {
		detail = detail[:i]
	}
	allowed := map[string][]int{
		kindAPI:       {503, 504},
		kindAPISlow:   {503, 504},
		kindAPINoTime: {503, 504},
		kindLimited:   {429, 503, 504},
		kindSolo:      {503, 504},
		kindFallback:  {503},
		kindCached:    nil, // the entry stored in the warm-up outlives the outage
	}[kind]
	switch {
	case code == http.StatusBadGateway && kind != kindFallback && kind != kindAPINoTime && kind != kindCached:
		// proxy/doc.go: "else a problem+json 502/503/504": an upstream
		// that refuses or drops the connection, after the retries, is a
		// 502. Only while an upstream is down.
		l.mu.Lock()
		kill, restart := l.killAt, l.restartAt
		l.mu.Unlock()
		if kill.IsZero() || end.Before(kill) || (!restart.IsZero() && start.After(restart.Add(soak502Grace))) {
			return detail, "502 while every upstream was up"
		}
		return detail, ""
	case !slices.Contains(allowed, code):
		return detail, fmt.Sprintf("status %d is not a documented answer for this route", code)
	case code == http.StatusTooManyRequests && resp.Header.Get("RateLimit-Policy") == "":
		return detail, "429 without a RateLimit-Policy header"
	case kind == kindFallback && string(body) != soakFallbackBody:
		return detail, "a 503 that is not the configured static fallback"
	}
	return detail, ""
}

// report logs the tallies and fails the test on any disallowed answer or
// on a policy that never showed.
func (l *soakLoad) report(t *testing.T, ups []*soakUpstream) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := make([]soakKey, 0, len(l.counts))
	for k := range l.counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b soakKey) int {
		return cmp.Or(cmp.Compare(a.phase, b.phase), strings.Compare(a.kind, b.kind), cmp.Compare(a.status, b.status), strings.Compare(a.detail, b.detail))
	})
	var b strings.Builder
	for _, k := range keys {
		c := l.counts[k]
		fmt.Fprintf(&b, "  %7d  %-13s %-12s %3d %-32.32s %6.1fs..%.1fs\n", c.n, phaseNames[k.phase], k.kind, k.status, k.detail, c.first.Seconds(), c.last.Seconds())
	}
	t.Logf("%d requests, slowest %v, %d answered after the route timeout %v; C killed at %.1fs, restarted at %.1fs; by phase, kind, status and detail, first and last seen:\n%s",
		l.total, l.maxLat.Round(time.Millisecond), l.late, soakRouteTimeout, l.killAt.Sub(l.t0).Seconds(), l.restartAt.Sub(l.t0).Seconds(), b.String())
	for _, u := range ups {
		var hits []string
		for p := range soakPhases {
			hits = append(hits, fmt.Sprintf("%s %d", phaseNames[p], u.pool[p].Load()))
		}
		t.Logf("upstream %s pool requests: %s", u.name, strings.Join(hits, ", "))
	}
	if len(l.failures) > 0 {
		var f strings.Builder
		for k, n := range l.failures {
			fmt.Fprintf(&f, "  %7d  %s\n", n, k)
		}
		t.Errorf("answers outside the documented set:\n%sfirst examples:\n  %s", f.String(), strings.Join(l.examples, "\n  "))
	}
	all := []int32{phaseWarm, phaseBefore, phaseDown, phaseAfter}
	checks := []struct {
		what   string
		phases []int32
		kind   string
		status int
		detail string // a prefix
	}{
		{"the rate limit refused (429)", all, kindLimited, 429, "rate limit"},
		{"the timeout fired (504)", all, kindAPISlow, 504, ""},
		{"the deadline server refused a spent budget (504)", all, kindAPINoTime, 504, "request time budget"},
		{"the bulkhead refused (503)", all, kindAPI, 503, "server overloaded"},
		{"the pool served before the kill", []int32{phaseBefore}, kindAPI, 200, ""},
		{"the pool served while C was down", []int32{phaseDown}, kindAPI, 200, ""},
		{"the pool served after the restart", []int32{phaseAfter}, kindAPI, 200, ""},
		{"the breaker opened while C was down (503)", []int32{phaseDown}, kindSolo, 503, "circuitbreaker"},
		{"the static fallback answered while C was down", []int32{phaseDown}, kindFallback, 503, ""},
		{"the stale cache answered while C was down", []int32{phaseDown}, kindCached, 200, "stale-cache"},
		{"the solo route recovered after the restart", []int32{phaseAfter}, kindSolo, 200, ""},
		{"the fallback route recovered after the restart", []int32{phaseAfter}, kindFallback, 200, ""},
	}
	for _, c := range checks {
		found := false
		for k := range l.counts {
			found = found || (slices.Contains(c.phases, k.phase) && k.kind == c.kind && k.status == c.status && strings.HasPrefix(k.detail, c.detail))
		}
		if !found {
			t.Errorf("never observed: %s", c.what)
		}
	}
	if ups[2].pool[phaseAfter].Load() == 0 {
		t.Errorf("upstream C got no pool traffic after its restart")
	}
}
