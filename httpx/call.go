package httpx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/retry"
)

// call is the state of one RoundTrip: the caller's request, the response of
// the latest attempt, and the contexts to release when the caller is done
// with the response. Only the goroutine running RoundTrip touches it until
// RoundTrip returns; then only the returned body does.
type call struct {
	rt         *RoundTripper
	req        *http.Request
	ctx        context.Context // req's context plus this call, when the pipeline needs it
	idempotent bool
	hasBody    bool
	sent       int            // attempts handed to the transport
	last       *http.Response // the latest attempt's response, until discarded
	pending    []scopeCancel  // CancelFuncs of scopes not exited yet
	deferred   []deferredExit // scopes exited while alive, innermost first
}

// takeCancel removes and returns the pending CancelFunc of the scope whose
// context is inner, or nil.
func (c *call) takeCancel(inner context.Context) context.CancelFunc {
	for i := len(c.pending) - 1; i >= 0; i-- {
		if c.pending[i].inner == inner {
			cancel := c.pending[i].cancel
			c.pending = append(c.pending[:i], c.pending[i+1:]...)
			return cancel
		}
	}
	return nil
}

// isIdempotent reports whether req may be sent more than once: its method
// is idempotent (RFC 9110, section 9.2.2) or it carries an Idempotency-Key
// (or X-Idempotency-Key) header, as net/http's own transport accepts.
func isIdempotent(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return len(req.Header["Idempotency-Key"]) > 0 || len(req.Header["X-Idempotency-Key"]) > 0
}

// replayable reports whether another attempt can send the body again.
func (c *call) replayable() bool {
	return !c.hasBody || c.req.GetBody != nil
}

// attempt sends the request once. It is the function the pipeline runs.
func (c *call) attempt(ctx context.Context) (*http.Response, error) {
	c.discardLast()
	req, err := c.prepare(ctx)
	if err != nil {
		return nil, err
	}
	c.sent++
	resp, err := c.rt.next.RoundTrip(req)
	if err != nil {
		if c.rt.isFailure(nil, err) {
			return nil, err
		}
		return nil, resilience.MarkIgnored(err)
	}
	c.last = resp
	failure := c.rt.isFailure(resp, nil)
	if !failure && resp.StatusCode < 400 {
		return resp, nil
	}
	return resp, newStatusError(resp, failure, c.rt.clock.Now)
}

// prepare returns the request to send for an attempt in ctx: the caller's
// own when nothing differs, otherwise a shallow copy with ctx, its own
// header map when headers change, and a fresh body on a retry.
func (c *call) prepare(ctx context.Context) (*http.Request, error) {
	orig := c.req
	n := resilience.AttemptFromContext(ctx)
	_, hasAttemptHeader := orig.Header[retry.AttemptHeader]
	stamp := c.rt.prop != nil || n > 1 || hasAttemptHeader
	newBody := c.sent > 0 && c.hasBody
	if (ctx == orig.Context() || ctx == c.ctx) && !stamp && !newBody {
		return orig, nil // the context differs at most by the call, which the transport needs not
	}
	req := orig.WithContext(ctx)
	if newBody {
		if orig.GetBody == nil {
			return nil, retry.Permanent(resilience.MarkIgnored(ErrBodyNotReplayable))
		}
		body, err := orig.GetBody()
		if err != nil {
			return nil, retry.Permanent(resilience.MarkIgnored(err))
		}
		req.Body = body
	}
	if stamp {
		req.Header = orig.Header.Clone()
		if req.Header == nil {
			req.Header = make(http.Header)
		}
		if c.rt.prop != nil {
			if err := c.rt.prop.StampHeader(ctx, req.Header); err != nil {
				if req.Body != nil && newBody {
					_ = req.Body.Close()
				}
				// Refused locally: not the destination's fault, and
				// retrying cannot give back the time.
				return nil, retry.Permanent(resilience.MarkIgnored(err))
			}
		}
		retry.SetAttemptHeader(req.Header, ctx)
	}
	return req, nil
}

// discardLast drains and closes the latest attempt's response, if any, so
// that its connection returns to the pool, then ends the scopes of the
// attempts that are over: every scope exited so far (a scope still
// running, around the retries, has not exited).
func (c *call) discardLast() {
	if c.last != nil {
		c.rt.discard(c.last)
		c.last = nil
	}
	c.endDeferred()
}

func (c *call) endDeferred() {
	for _, e := range c.deferred {
		e.run()
	}
	c.deferred = c.deferred[:0]
}

// finish turns the pipeline's outcome into RoundTrip's: the response with
// a nil error when one is returned, else nil and the error. Every other
// response is discarded.
func (c *call) finish(resp *http.Response, err error) (*http.Response, error) {
	if c.sent == 0 && c.req.Body != nil {
		_ = c.req.Body.Close() // RoundTrip must close it, sent or not
	}
	if c.last != nil && c.last != resp {
		c.discardLast()
	}
	if resp != nil && (err == nil || c.deliverable(resp, err)) {
		c.last = nil
		if len(c.deferred) > 0 || len(c.pending) > 0 {
			resp.Body = wrapBody(resp.Body, c.release)
		}
		return resp, nil
	}
	if resp != nil {
		c.rt.discard(resp)
	}
	c.last = nil
	c.release()
	return nil, err
}

// deliverable reports whether err only says that resp, the final response,
// has a status the policies did not accept: retries exhausted on a 503, a
// 404 not retried. The caller then gets resp, with its body, as from a
// plain transport. Errors that stopped the execution for another reason (a
// cancelled or expired context, a body that could not be replayed) are
// returned instead.
func (c *call) deliverable(resp *http.Response, err error) bool {
	var ee *retry.ExhaustedError
	if errors.As(err, &ee) && ee.Err == nil {
		return true // a result predicate (ResultRetrier) kept rejecting resp
	}
	var se *StatusError
	if !errors.As(err, &se) || se.resp != resp {
		return false
	}
	return !errors.Is(err, ErrBodyNotReplayable) &&
		!errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// release ends every scope left: the deferred ones and, should a panic
// have skipped their Exit, the pending ones.
func (c *call) release() {
	c.endDeferred()
	for _, p := range c.pending {
		p.cancel()
	}
	c.deferred, c.pending = nil, nil
}

// wrapBody returns body wrapped so that done runs once, when it is closed
// or read to its end. A writable body (101 Switching Protocols) stays
// writable.
func wrapBody(body io.ReadCloser, done func()) io.ReadCloser {
	b := &releaseBody{ReadCloser: body, done: done}
	if w, ok := body.(io.Writer); ok {
		return &releaseRWBody{releaseBody: b, w: w}
	}
	return b
}

type releaseBody struct {
	io.ReadCloser
	done func()
	once atomic.Bool
}

func (b *releaseBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.finish()
	}
	return n, err
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	b.finish()
	return err
}

func (b *releaseBody) finish() {
	if b.once.CompareAndSwap(false, true) {
		b.done()
	}
}

type releaseRWBody struct {
	*releaseBody
	w io.Writer
}

func (b *releaseRWBody) Write(p []byte) (int, error) { return b.w.Write(p) }
