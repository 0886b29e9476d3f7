package httpx

import (
	"fmt"
	"io"
	"net/http"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/deadline"
)

// RoundTripper is an http.RoundTripper that sends each request through the
// resilience policies of its destination. Use it as an http.Client's
// Transport:
//
//	rt, err := httpx.NewRoundTripper(httpx.ClientConfig{
//		Breaker: &breakerCfg, Retry: &retryCfg,
//	})
//	client := &http.Client{Transport: rt}
//
// # Outcomes
//
// Each attempt's outcome is classified by ClientConfig.IsFailure: by
// default transport errors and 5xx responses are failures and everything
// else, 4xx included, is a success. Responses with a status of 400 or more,
// and failed ones, reach the policies as a *StatusError, so that a retry
// policy can retry 429 and 503 answers (retry.DefaultRetryIf does) after
// their Retry-After delay.
//
// What the caller gets:
//   - a response the policies accepted: that response;
//   - a response with a status the policies did not accept, once no retry
//     is left or wanted (a 503 after the last attempt, a 404): that final
//     response with its body intact and a nil error, like a plain
//     transport and failsafehttp. Check resp.StatusCode as usual. Earlier
//     attempts' responses were drained and closed;
//   - otherwise nil and the error that stopped the execution: the
//     transport's error, or a policy's (matching circuitbreaker.ErrOpen,
//     ratelimit.ErrLimited, bulkhead.ErrFull, all of which match
//     resilience.ErrRejected; timeout.ErrTimeout; retry.ErrExhausted
//     around the last transport error; ErrBodyNotReplayable; the context's
//     error). RoundTrip returns it unwrapped and http.Client wraps it in a
//     *url.Error, as for any transport; errors.Is sees through both.
//
// # Retries
//
// Only idempotent requests are retried: GET, HEAD, OPTIONS, TRACE, PUT and
// DELETE, and requests carrying an Idempotency-Key (or X-Idempotency-Key)
// header. Other requests go once, whatever the retry policy says. A retried
// request with a body is sent again with a body from Request.GetBody;
// without GetBody the first attempt still goes, and if a retry is then due
// RoundTrip fails with an error matching ErrBodyNotReplayable (and the
// failure that wanted the retry). The response of a failed attempt is
// drained (up to MaxDrain bytes) and closed before the backoff wait, so its
// connection serves the next attempt.
//
// Each attempt sends a shallow copy of the request, never the caller's
// own: the copy carries the attempt's context, retry.AttemptHeader on
// retries (retry.SetAttemptHeader), and with ClientConfig.Deadline the
// deadline headers of the attempt's remaining budget.
//
// # Timeouts and bodies
//
// The policies run until the response headers arrive; guards such as a
// bulkhead are released then. Contexts made by timeouts in the pipeline
// stay alive until the caller closes the response body (or reads it to the
// end), so a per-attempt timeout also bounds reading the body, as
// http.Client.Timeout does. Always close response bodies.
//
// A RoundTripper is safe for concurrent use. Per destination it keeps one
// set of policies, at most MaxKeys destinations at once.
type RoundTripper struct {
	next      http.RoundTripper
	key       func(*http.Request) string
	isFailure func(*http.Response, error) bool
	prop      *deadline.Propagator
	maxDrain  int64
	clock     clock.Clock
	dests     destinations
}

var _ http.RoundTripper = (*RoundTripper)(nil)

// NewRoundTripper returns a RoundTripper configured by cfg, or
// cfg.Validate's error.
func NewRoundTripper(cfg ClientConfig) (*RoundTripper, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	rt := &RoundTripper{
		next:      cfg.Transport,
		key:       cfg.Key,
		isFailure: cfg.IsFailure,
		maxDrain:  cfg.MaxDrain,
		clock:     clock.Or(cfg.Clock),
	}
	if rt.next == nil {
		rt.next = http.DefaultTransport
	}
	if rt.key == nil {
		rt.key = hostKey
	}
	if rt.isFailure == nil {
		rt.isFailure = DefaultIsFailure
	}
	if rt.maxDrain == 0 {
		rt.maxDrain = DefaultMaxDrain
	}
	if cfg.Deadline != nil {
		dcfg := *cfg.Deadline
		dcfg.Clock = clockOr(dcfg.Clock, cfg.Clock)
		p, err := deadline.New(dcfg)
		if err != nil {
			return nil, fmt.Errorf("httpx: Deadline: %w", err)
		}
		rt.prop = p
	}
	build := cfg.Policies
	if build == nil {
		build = cfg.fixedPolicies
	}
	maxKeys := cfg.MaxKeys
	if maxKeys == 0 {
		maxKeys = DefaultMaxKeys
	}
	rt.dests.init(maxKeys, build)
	return rt, nil
}

// DefaultIsFailure is the IsFailure a ClientConfig with none uses: an
// error, or a response with a 5xx status, is a failure.
func DefaultIsFailure(resp *http.Response, err error) bool {
	return err != nil || (resp != nil && resp.StatusCode >= 500)
}

func hostKey(req *http.Request) string { return req.URL.Host }

// RoundTrip sends req through the policies of its destination; see
// RoundTripper for what it returns. It never modifies req, and closes its
// body as http.RoundTripper requires.
func (rt *RoundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	d, err := rt.dests.get(rt.key(req))
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	c := &call{rt: rt, req: req, idempotent: isIdempotent(req), hasBody: req.Body != nil && req.Body != http.NoBody}
	ctx := req.Context()
	if d.needsCall {
		ctx = contextWithCall(ctx, c)
		c.ctx = ctx
	}
	resp, err := d.pipe.Execute(ctx, c.attempt)
	return c.finish(resp, err)
}

// CloseIdleConnections closes the idle connections of the underlying
// transport, so that http.Client.CloseIdleConnections reaches it.
func (rt *RoundTripper) CloseIdleConnections() {
	if c, ok := rt.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// Len returns how many destinations currently keep policies.
func (rt *RoundTripper) Len() int { return rt.dests.len() }

// Policies returns the policies of the destination key, as built, if it
// currently has them: read a breaker's state or a retry policy's Stats for
// metrics. The slice must not be modified.
func (rt *RoundTripper) Policies(key string) ([]resilience.Policy, bool) {
	d, ok := rt.dests.lookup(key)
	if !ok {
		return nil, false
	}
	return d.policies, true
}

// discard drains up to maxDrain bytes of resp's body and closes it.
func (rt *RoundTripper) discard(resp *http.Response) {
	if resp.Body == nil {
		return
	}
	if rt.maxDrain > 0 {
		_, _ = io.CopyN(io.Discard, resp.Body, rt.maxDrain)
	}
	_ = resp.Body.Close()
}
