package main

// The soak's closed-loop load: the request mix (kinds and soakRequest), the
// workers (soakLoad.run), and sending one request and tallying its answer
// (soakLoad.do).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// The request kinds and what each may get back.
const (
	kindAPI       = "api"          // 2xx, 503, 504; 502 only around the outage
	kindAPISlow   = "api-slow"     // upstream never answers in time: 503, 504; 502 around the outage
	kindAPINoTime = "api-deadline" // arrives with a zero budget: 504 (or 503 from the bulkhead in front)
	kindLimited   = "limited"      // 2xx, 429 with RateLimit headers, 503, 504; 502 around the outage
	kindSolo      = "solo"         // 2xx, 503, 504; 502 around the outage
	kindFallback  = "fallback"     // 2xx or exactly the static fallback
	kindCached    = "cached"       // 2xx only: fresh, or stale while C is down
)

func soakRequest(worker, n int) (kind, path string, hdr http.Header) {
	switch {
	case worker < 20:
		switch n % 40 {
		case 7:
			return kindAPISlow, "/api/x?slow=1", nil
		case 23:
			return kindAPINoTime, "/api/x", http.Header{"Resilience-Deadline-Ms": {"0"}}
		}
		return kindAPI, "/api/x", nil
	case worker < 24:
		return kindLimited, "/limited/x", nil
	case worker < 27:
		return kindSolo, "/solo/x", nil
	case worker < 30:
		return kindFallback, "/fallback/x", nil
	}
	return kindCached, "/cached/x", nil
}

// soakLoad runs the workers and keeps the tallies.
type soakLoad struct {
	client *http.Client
	base   string
	phase  *atomic.Int32

	t0        time.Time // the start of the warm-up; the report's times are from here
	mu        sync.Mutex
	killAt    time.Time
	restartAt time.Time
	counts    map[soakKey]*soakTally
	failures  map[string]int
	examples  []string
	total     int
	late      int // answered after the route's timeout, within the margin
	maxLat    time.Duration
}

// soakKey is a category of answers: by the phase the request started in,
// its kind, the status (0 for no answer) and the problem's detail up to its
// first ':' or '('.
type soakKey struct {
	phase  int32
	kind   string
	status int
	detail string
}

// soakTally counts one category and when it was seen first and last.
type soakTally struct {
	n           int
	first, last time.Duration
}

func (l *soakLoad) run(ctx context.Context, workers int) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				kind, path, hdr := soakRequest(w, n)
				l.do(kind, path, hdr)
			}
		})
	}
	wg.Wait()
}

// do sends one request and records its category.
func (l *soakLoad) do(kind, path string, hdr http.Header) (int, string) {
	phase := l.phase.Load()
	ctx, cancel := context.WithTimeout(context.Background(), soakRouteTimeout+soakDeadlineMargin)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, l.base+path, nil)
	for k, v := range hdr {
		req.Header[k] = v
	}
	start := time.Now()
	resp, err := l.client.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}
	end := time.Now()
	status, detail, bad := 0, "", ""
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		bad = fmt.Sprintf("hang: no answer within %v", soakRouteTimeout+soakDeadlineMargin)
	case err != nil:
		bad = "connection error: " + err.Error()
	default:
		status = resp.StatusCode
		detail, bad = l.check(kind, resp, body, start, end)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total++
	l.maxLat = max(l.maxLat, end.Sub(start))
	if end.Sub(start) > soakRouteTimeout {
		l.late++
	}
	key := soakKey{phase, kind, status, detail}
	at := end.Sub(l.t0)
	c := l.counts[key]
	if c == nil {
		c = &soakTally{first: at}
		l.counts[key] = c
	}
	c.n++
	c.last = at
	if bad != "" {
		fkey := fmt.Sprintf("%s %s: %s", kind, path, bad)
		if l.failures[fkey] == 0 && len(l.examples) < 10 {
			l.examples = append(l.examples, fmt.Sprintf("%s (status %d, %v after start, body %.200q)", fkey, status, end.Sub(start), body))
		}
		l.failures[fkey]++
	}
	return status, string(body)
}
