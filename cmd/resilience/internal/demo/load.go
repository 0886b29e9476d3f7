package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// fallbackBody starts the demo configuration's static fallback body.
const fallbackBody = "demo upstreams unavailable"

// FallbackHeader is the header the proxy sets on an answer served by a
// fallback; its value names the fallback ("stale", "static", ...).
const FallbackHeader = "X-Resilience-Fallback"

// hotItems is how many catalog paths the load repeats: their last good
// answers are what the stale cache can serve during the outage.
const hotItems = 16

// path is the seq-th request path of worker w: mostly one of hotItems
// catalog items, and every fifth a path never asked before, which no cache
// holds (the static fallback answers it during the outage).
func path(w, seq int) string {
	if seq%5 == 4 {
		return fmt.Sprintf("/orders/%d-%d", w, seq)
	}
	return fmt.Sprintf("/catalog/item-%d", (w*7+seq)%hotItems)
}

// generateLoad sends GETs through the proxy, one every pace at most, until
// ctx is done.
func generateLoad(ctx context.Context, c *http.Client, base string, w int, rec *recorder, pace time.Duration, phase func() Phase) {
	t := time.NewTicker(pace)
	defer t.Stop()
	for seq := 0; ; seq++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		began := time.Now()
		a, err := call(ctx, c, base+path(w, seq))
		if err != nil && ctx.Err() != nil {
			return // the demo ended mid-call: not the proxy's fault
		}
		rec.record(a, time.Since(began), phase())
	}
}

// call makes one request and classifies the proxy's answer.
func call(ctx context.Context, c *http.Client, url string) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return answer{outcome: outcomeFailed}, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return answer{outcome: outcomeFailed}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if err != nil && !errors.Is(err, io.EOF) {
		return answer{outcome: outcomeFailed, status: resp.StatusCode}, err
	}
	return classify(resp.StatusCode, resp.Header.Get(FallbackHeader), string(body)), nil
}

// classify sorts an answer of the proxy by its status, fallback header and
// body.
func classify(status int, fallback, body string) answer {
	a := answer{status: status}
	switch {
	case fallback != "":
		a.outcome, a.fallback = outcomeFallback, fallbackKind(fallback)
	case strings.HasPrefix(body, fallbackBody):
		a.outcome, a.fallback = outcomeFallback, "static"
	case status < 400:
		a.outcome = outcomeOK
	case status == http.StatusTooManyRequests,
		status == http.StatusServiceUnavailable && strings.Contains(body, "rejected"):
		a.outcome = outcomeRejected
	default:
		a.outcome = outcomeFailed
	}
	return a
}

// fallbackKind names a fallback from the header's value: "stale" for the
// stale cache, "static" for the static answer, else the value itself.
func fallbackKind(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	switch {
	case strings.Contains(v, "stale"), strings.Contains(v, "cache"):
		return "stale"
	case strings.Contains(v, "static"):
		return "static"
	}
	return v
}
