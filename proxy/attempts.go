package proxy

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/balancer"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/hedge"
)

// cleanup ends the contexts a response's body streams under, once the
// caller has read and closed it: the attempt's per-try context and the
// winning hedge's. Either may be nil.
type cleanup struct {
	cancel  context.CancelFunc
	release context.CancelCauseFunc
}

func (c cleanup) run() {
	if c.release != nil {
		c.release(nil)
	}
	if c.cancel != nil {
		c.cancel()
	}
}

// attempts sends r upstream up to n times, each attempt through the
// route's Hedger when hedged. It returns the last response, whose body the
// caller reads and closes, and then runs the cleanup.
func (rt *route) attempts(ctx context.Context, r *http.Request, body []byte, n int, hedged bool) (*http.Response, cleanup, error) {
	rp := rt.cfg.Policies.Retry
	if b := rt.pol.budget; b != nil {
		b.Request()
	}
	var prev time.Duration
	var lastErr error
	var failed string // the endpoint of the last failed attempt
	for i := range n {
		if i > 0 {
			if b := rt.pol.budget; b != nil && !b.TryRetry() {
				return nil, cleanup{}, lastErr // the retry budget is spent
			}
			d := rp.Backoff.Delay(i, prev, rand.Float64())
			prev = d
			if err := clock.Sleep(ctx, clock.Real(), d); err != nil {
				return nil, cleanup{}, lastErr
			}
		}
		actx, cancel := ctx, context.CancelFunc(nil)
		if rp != nil && rp.PerTryTimeout > 0 {
			actx, cancel = context.WithTimeout(ctx, rp.PerTryTimeout)
		}
		var resp *http.Response
		var err error
		cl := cleanup{cancel: cancel}
		if hedged {
			resp, cl.release, err = rt.hedged(actx, r, body, i)
		} else {
			resp, failed, err = rt.once(actx, r, body, i, failed)
		}
		last := i == n-1
		if err == nil && (last || !slices.Contains(rt.statuses, resp.StatusCode)) {
			return resp, cl, nil
		}
		if err == nil {
			drain(resp)
			err = errStatus(resp.StatusCode)
		}
		cl.run()
		lastErr = err
		if last || ctx.Err() != nil {
			break
		}
	}
	return nil, cleanup{}, lastErr
}

// once makes one upstream call through the cluster's balancer, steering
// away from avoid, the endpoint whose attempt just failed (as Envoy's
// previous_hosts retry predicate does). It returns the endpoint it called.
func (rt *route) once(ctx context.Context, r *http.Request, body []byte, attempt int, avoid string) (*http.Response, string, error) {
	cl := rt.cluster
	pick, err := cl.pick(ctx, cl.hashKey(r), func(addr string) bool { return addr == avoid })
	if err != nil {
		return nil, "", err
	}
	resp, err := rt.send(ctx, pick, r, body, attempt)
	return resp, pick.Addr(), err
}

// repicks bounds how many times pick asks the balancer again for an
// endpoint other than those to avoid.
const repicks = 2

// pick asks the balancer for an endpoint, asking again (at most repicks
// times) while the one given is one avoid reports; unused picks are given
// back with Cancel, so they leave no trace. A balancer that keeps choosing
// an avoided endpoint (a ring hash, a single survivor) gets its way.
func (cl *cluster) pick(ctx context.Context, key string, avoid func(string) bool) (balancer.Pick, error) {
	p, err := cl.bal.Pick(ctx, key)
	for range repicks {
		if err != nil || !avoid(p.Addr()) {
			break
		}
		next, nerr := cl.bal.Pick(ctx, key)
		if nerr != nil {
			break
		}
		p.Cancel()
		p = next
	}
	return p, err
}

// send calls the endpoint of pick and reports the outcome to the balancer
// and the cluster's stats; a hedge cancelled because another attempt won
// is not a failure of the cluster.
func (rt *route) send(ctx context.Context, pick balancer.Pick, r *http.Request, body []byte, attempt int) (*http.Response, error) {
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
	resp, err := rt.cluster.transport.RoundTrip(out)
	var outcome error = err
	if err == nil && resp.StatusCode >= 500 {
		outcome = errStatus(resp.StatusCode)
	}
	pick.Done(outcome, time.Since(began))
	switch {
	case outcome == nil:
		rt.clStats.Record(resilience.EventSuccess, time.Since(began))
	case ctx.Err() != nil && errors.Is(context.Cause(ctx), hedge.ErrLost):
	default:
		rt.clStats.Record(resilience.EventFailure, time.Since(began))
	}
	return resp, err
}
