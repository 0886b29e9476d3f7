package proxy

import (
	"context"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/hedge"
	"github.com/resilience-go/resilience/retry"
)

// budgetSpender lets a Hedger spend the route's retry budget without
// counting the request a second time: attempts already calls Request.
type budgetSpender struct{ b *retry.Budget }

func (budgetSpender) Request()         {}
func (s budgetSpender) TryRetry() bool { return s.b.TryRetry() }

// newHedger builds a route's Hedger; its hedges spend budget, if any.
func newHedger(route string, c hedge.Config, budget *retry.Budget, ln resilience.Listener) (*hedge.Hedger, error) {
	c.Name, c.Listener, c.Budget = route, ln, nil
	if budget != nil {
		c.Budget = budgetSpender{budget}
	}
	return hedge.New(c)
}

// hedgeCall is one attempt of a request sent through the route's Hedger:
// the original and its hedges race and the first good response wins. Each
// runs in a context of its own, derived from the attempt's, so that the
// winner's body outlives hedge.Do (which cancels the contexts it gave out
// when it returns); the losers' are cancelled through context.AfterFunc.
type hedgeCall struct {
	rt      *route
	r       *http.Request
	body    []byte
	attempt int
	parent  context.Context
	won     atomic.Bool

	mu    sync.Mutex
	tried []string // endpoints picked so far
}

// hedged sends r through the Hedger: a failure is a transport error or a
// status that counts as one (5xx or retry_on_status); the response it
// returns is the winner's, whose body the caller closes.
func (rt *route) hedged(ctx context.Context, r *http.Request, body []byte, attempt int) (*http.Response, error) {
	c := &hedgeCall{rt: rt, r: r, body: body, attempt: attempt, parent: ctx}
	return hedge.Do(ctx, rt.pol.hedger, c.run)
}

func (c *hedgeCall) run(hctx context.Context) (*http.Response, error) {
	rctx, cancel := context.WithCancelCause(c.parent)
	stop := context.AfterFunc(hctx, func() { cancel(context.Cause(hctx)) })
	resp, err := c.send(rctx)
	if err == nil && c.rt.failedStatus(resp.StatusCode) {
		drain(resp)
		err = errStatus(resp.StatusCode)
	}
	if err == nil && !c.won.CompareAndSwap(false, true) {
		resp.Body.Close() // a hedge answered first
		err = hedge.ErrLost
	}
	if err == nil && !stop() {
		resp.Body.Close() // the attempt's context ended meanwhile
		err = context.Cause(hctx)
	}
	if err != nil {
		stop()
		cancel(nil)
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// send picks an endpoint, preferring one not tried yet, and calls it.
func (c *hedgeCall) send(ctx context.Context) (*http.Response, error) {
	cl := c.rt.cluster
	pick, err := cl.pick(ctx, cl.hashKey(c.r), func(addr string) bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return slices.Contains(c.tried, addr)
	})
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.tried = append(c.tried, pick.Addr())
	c.mu.Unlock()
	return c.rt.send(ctx, pick, c.r, c.body, c.attempt)
}

// failedStatus reports whether an upstream status is a failed attempt.
func (rt *route) failedStatus(code int) bool {
	return code >= 500 || slices.Contains(rt.statuses, code)
}

// cancelOnClose ends a hedged response's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelCauseFunc
	once   sync.Once
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(func() { b.cancel(nil) })
	return err
}

// drain reads a little of a discarded response, so that its connection
// can be reused, and closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}
