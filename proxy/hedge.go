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
// the original and its hedges race and the first good response wins. It
// goes through hedge.Keep, so the winner's context, under which its body
// streams, outlives the call; won makes sure that only one attempt returns
// a response, so that no losing body is left open.
type hedgeCall struct {
	rt      *route
	r       *http.Request
	body    []byte
	attempt int
	won     atomic.Bool

	mu    sync.Mutex
	tried []string // endpoints picked so far
}

// hedged sends r through the Hedger: a failure is a transport error or a
// status that counts as one (5xx or retry_on_status); the response it
// returns is the winner's, whose body the caller closes before it calls
// release (release(nil) ends the winner's context).
func (rt *route) hedged(ctx context.Context, r *http.Request, body []byte, attempt int) (*http.Response, context.CancelCauseFunc, error) {
	c := &hedgeCall{rt: rt, r: r, body: body, attempt: attempt}
	return hedge.Keep(ctx, rt.pol.hedger, c.run)
}

func (c *hedgeCall) run(ctx context.Context) (*http.Response, error) {
	resp, err := c.send(ctx)
	if err == nil && c.rt.failedStatus(resp.StatusCode) {
		drain(resp)
		err = errStatus(resp.StatusCode)
	}
	if err == nil && !c.won.CompareAndSwap(false, true) {
		resp.Body.Close() // another attempt answered first
		err = hedge.ErrLost
	}
	if err != nil {
		return nil, err
	}
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

// drain reads a little of a discarded response, so that its connection
// can be reused, and closes it.
func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}
