package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/errcode"
	"github.com/resilience-go/resilience/httpx"
	"github.com/resilience-go/resilience/stats"
)

// maxReplayBody is the largest request body buffered so that it can be
// sent again on a retry or a hedge; larger bodies are streamed and sent
// once.
const maxReplayBody = 64 << 10

// route is one configured route, ready to serve.
type route struct {
	name     string
	cfg      config.Route
	match    matcher
	cluster  *cluster
	pol      *policies
	handler  http.Handler
	stats    *stats.Instance
	clStats  *stats.Instance
	statuses []int
	// timeout is the route's timeout, or 0 when it needs no context of
	// its own (see routeTimeout).
	timeout time.Duration
}

// errStatus is an upstream answer that counts as a failure.
type errStatus int

func (e errStatus) Error() string   { return fmt.Sprintf("proxy: upstream answered %d", int(e)) }
func (e errStatus) HTTPStatus() int { return int(e) }

func idempotent(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// forward is the innermost handler: breaker, retries (or hedges) and
// per-try timeout around an upstream call, then the response streamed
// back; the fallbacks answer when the call fails.
func (rt *route) forward(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx := r.Context()
	pc := rt.cfg.Policies
	var key string // the stale-cache key; "" when r is not cached
	if rt.pol.cache != nil {
		key = cacheKey(r)
		if key != "" && rt.pol.serveFresh && rt.serveCached(w, r, key, start, true) {
			return
		}
	}
	if rt.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rt.timeout)
		defer cancel()
	}
	attempts, hedged := 1, false
	var body []byte
	if rp := pc.Retry; rp != nil && (idempotent(r.Method) || rp.RetryNonIdempotent) {
		replayable := false
		switch {
		case r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0:
			replayable = true
		case r.ContentLength > 0 && r.ContentLength <= maxReplayBody:
			b, err := io.ReadAll(io.LimitReader(r.Body, maxReplayBody+1))
			if err != nil {
				rt.fail(w, r, start, http.StatusBadRequest, err)
				return
			}
			body, replayable = b, true
		}
		if replayable {
			attempts = max(rp.MaxAttempts, 1)
			hedged = rt.pol.hedger != nil
		}
	}
	var permit resilience.Permit
	guarded := rt.pol.breaker != nil
	if guarded {
		p, err := rt.pol.breaker.Acquire(ctx)
		if err != nil {
			if !rt.fallback(w, r, key, start) {
				rt.fail(w, r, start, 0, err)
			}
			return
		}
		permit = p
	}
	resp, cl, err := rt.attempts(ctx, r, body, attempts, hedged)
	defer cl.run()
	outcome := err
	if err == nil && resp.StatusCode >= 500 {
		outcome = errStatus(resp.StatusCode)
	}
	if guarded {
		permit.Done(outcome)
	}
	if outcome != nil && rt.fallback(w, r, key, start) {
		if resp != nil {
			resp.Body.Close()
		}
		return
	}
	if err != nil {
		rt.fail(w, r, start, 0, err)
		return
	}
	defer resp.Body.Close()
	if outcome != nil {
		rt.record(resilience.EventFailure, start)
		copyResponse(w, resp, nil)
		return
	}
	rt.record(resilience.EventSuccess, start)
	var capt *capture
	if key != "" {
		capt = rt.startCapture(r, resp, key)
	}
	if copyResponse(w, resp, capt) && capt != nil {
		rt.finishCapture(r, resp, key, capt)
	}
}

// fallback answers in place of a failed call: from the stale cache when
// it holds a response to r, else with the static response. It reports
// whether it answered; it does not when the client has gone.
func (rt *route) fallback(w http.ResponseWriter, r *http.Request, key string, start time.Time) bool {
	if r.Context().Err() != nil {
		return false
	}
	if key != "" && rt.serveCached(w, r, key, start, false) {
		return true
	}
	if fb := rt.cfg.Policies.Fallback; fb != nil && fb.Static != nil {
		rt.record(resilience.EventFallback, start)
		writeStatic(w, fb.Static)
		return true
	}
	return false
}

func (rt *route) record(k resilience.EventKind, start time.Time) {
	rt.stats.Record(k, time.Since(start))
}

// fail answers a failed request with a problem+json document.
func (rt *route) fail(w http.ResponseWriter, r *http.Request, start time.Time, status int, err error) {
	if status == 0 {
		var es errStatus
		switch {
		case errors.As(err, &es):
			status = http.StatusBadGateway
			if int(es) == http.StatusServiceUnavailable || int(es) == http.StatusGatewayTimeout {
				status = int(es)
			}
		case errors.Is(err, context.DeadlineExceeded):
			status = http.StatusGatewayTimeout
		case errors.Is(err, resilience.ErrRejected):
			status = http.StatusServiceUnavailable
		case r.Context().Err() != nil:
			status = 499
		default:
			status = httpx.StatusFor(err)
			if status == http.StatusInternalServerError {
				status = http.StatusBadGateway
			}
		}
	}
	if errors.Is(err, resilience.ErrRejected) {
		rt.record(resilience.EventRejected, start)
	} else {
		rt.record(resilience.EventFailure, start)
	}
	if status == 499 {
		return // the client went away: nobody to answer
	}
	errcode.NewProblem(status, "", err.Error()).Write(w)
}

// routeTimeout returns the timeout the route must enforce with a context
// of its own: 0 when there is none, or when the per-try timeout already
// bounds every attempt so that all of them, with the largest backoffs
// between them, fit within it. Each context and timer saved is a few
// allocations and a little garbage on every request.
func routeTimeout(pc config.Policies) time.Duration {
	t := pc.Timeout
	if t == nil || t.Timeout <= 0 {
		return 0
	}
	if worst := attemptsBound(pc); worst > 0 && worst <= t.Timeout {
		return 0
	}
	return t.Timeout
}

// routeBound returns how long forward may take at most, by the route's
// own timeouts: the route timeout, or the per-try timeouts of every
// attempt and the largest backoffs between them, whichever is shorter; 0
// when nothing bounds it. The deadline middleware need not enforce an
// incoming budget at least this long with a context of its own.
func routeBound(pc config.Policies) time.Duration {
	worst := attemptsBound(pc)
	if t := pc.Timeout; t != nil && t.Timeout > 0 && (worst == 0 || t.Timeout < worst) {
		return t.Timeout
	}
	return worst
}

// attemptsBound is the longest that every attempt, each bounded by the
// per-try timeout, and the largest backoffs between them can take; 0
// when there is no per-try timeout, or the bound would overflow.
func attemptsBound(pc config.Policies) time.Duration {
	rp := pc.Retry
	if rp == nil || rp.PerTryTimeout <= 0 {
		return 0
	}
	n := float64(max(rp.MaxAttempts, 1))
	worst := n*float64(rp.PerTryTimeout) + (n-1)*float64(rp.Backoff.Cap()) // no overflow in float64
	if worst >= float64(math.MaxInt64) {
		return 0
	}
	return time.Duration(worst)
}
