package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/errcode"
	"github.com/resilience-go/resilience/httpx"
	"github.com/resilience-go/resilience/stats"
)

// maxReplayBody is the largest request body buffered so that it can be
// sent again on a retry; larger bodies are streamed and not retried.
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

// forward is the innermost handler: breaker, retries and per-try timeout
// around an upstream call, then the response streamed back.
func (rt *route) forward(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx := r.Context()
	pc := rt.cfg.Policies
	if t := pc.Timeout; t != nil && t.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, t.Timeout)
		defer cancel()
	}
	attempts := 1
	var body []byte
	if rp := pc.Retry; rp != nil && (idempotent(r.Method) || rp.RetryNonIdempotent) {
		switch {
		case r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0:
			attempts = max(rp.MaxAttempts, 1)
		case r.ContentLength > 0 && r.ContentLength <= maxReplayBody:
			b, err := io.ReadAll(io.LimitReader(r.Body, maxReplayBody+1))
			if err != nil {
				rt.fail(w, r, start, http.StatusBadRequest, err)
				return
			}
			body = b
			attempts = max(rp.MaxAttempts, 1)
		}
	}
	var permit resilience.Permit
	guarded := rt.pol.breaker != nil
	if guarded {
		p, err := rt.pol.breaker.Acquire(ctx)
		if err != nil {
			if fb := pc.Fallback; fb != nil && fb.Static != nil {
				rt.record(resilience.EventFallback, start)
				writeStatic(w, fb.Static)
				return
			}
			rt.fail(w, r, start, 0, err)
			return
		}
		permit = p
	}
	resp, cancel, err := rt.attempts(ctx, r, body, attempts)
	if cancel != nil {
		defer cancel()
	}
	outcome := err
	if err == nil && resp.StatusCode >= 500 {
		outcome = errStatus(resp.StatusCode)
	}
	if guarded {
		permit.Done(outcome)
	}
	if outcome != nil && pc.Fallback != nil && pc.Fallback.Static != nil {
		if resp != nil {
			resp.Body.Close()
		}
		rt.record(resilience.EventFallback, start)
		writeStatic(w, pc.Fallback.Static)
		return
	}
	if err != nil {
		rt.fail(w, r, start, 0, err)
		return
	}
	defer resp.Body.Close()
	if outcome != nil {
		rt.record(resilience.EventFailure, start)
	} else {
		rt.record(resilience.EventSuccess, start)
	}
	copyResponse(w, resp)
}

// attempts sends r upstream up to n times. It returns the last response,
// whose body the caller reads and closes, and the cancel of its context.
func (rt *route) attempts(ctx context.Context, r *http.Request, body []byte, n int) (*http.Response, context.CancelFunc, error) {
	rp := rt.cfg.Policies.Retry
	if b := rt.pol.budget; b != nil {
		b.Request()
	}
	var prev time.Duration
	var lastErr error
	for i := range n {
		if i > 0 {
			if b := rt.pol.budget; b != nil && !b.TryRetry() {
				return nil, nil, lastErr // the retry budget is spent
			}
			d := rp.Backoff.Delay(i, prev, rand.Float64())
			prev = d
			if err := clock.Sleep(ctx, clock.Real(), d); err != nil {
				return nil, nil, lastErr
			}
		}
		actx, cancel := ctx, context.CancelFunc(nil)
		if rp != nil && rp.PerTryTimeout > 0 {
			actx, cancel = context.WithTimeout(ctx, rp.PerTryTimeout)
		}
		resp, err := rt.once(actx, r, body, i)
		last := i == n-1
		if err == nil && (last || !slices.Contains(rt.statuses, resp.StatusCode)) {
			return resp, cancel, nil
		}
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			err = errStatus(resp.StatusCode)
		}
		if cancel != nil {
			cancel()
		}
		lastErr = err
		if last || ctx.Err() != nil {
			break
		}
	}
	return nil, nil, lastErr
}

// once makes one upstream call through the cluster's balancer.
func (rt *route) once(ctx context.Context, r *http.Request, body []byte, attempt int) (*http.Response, error) {
	cl := rt.cluster
	pick, err := cl.bal.Pick(ctx, cl.hashKey(r))
	if err != nil {
		return nil, err
	}
	out := r.Clone(ctx)
	out.RequestURI = ""
	out.URL.Scheme = "http"
	out.URL.Host = pick.Addr()
	out.Close = false
	if body != nil {
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.ContentLength = int64(len(body))
		out.GetBody = nil
	} else if attempt > 0 || r.ContentLength == 0 {
		out.Body = http.NoBody
	}
	removeHopHeaders(out.Header)
	setForwarded(out, r)
	if rt.pol.dlProp != nil {
		_ = rt.pol.dlProp.Stamp(out)
	}
	began := time.Now()
	resp, err := cl.transport.RoundTrip(out)
	var outcome error = err
	if err == nil && resp.StatusCode >= 500 {
		outcome = errStatus(resp.StatusCode)
	}
	pick.Done(outcome, time.Since(began))
	if outcome != nil {
		rt.clStats.Record(resilience.EventFailure, time.Since(began))
	} else {
		rt.clStats.Record(resilience.EventSuccess, time.Since(began))
	}
	return resp, err
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
// arrives.
func copyResponse(w http.ResponseWriter, resp *http.Response) {
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
				return
			}
			_ = rc.Flush()
		}
		if err != nil {
			return
		}
	}
}
