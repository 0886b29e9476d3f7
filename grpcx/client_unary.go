package grpcx

import (
	"context"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/retry"
)

// PushbackKey is the trailer in which a server tells a retrying client how
// long to wait, in milliseconds, before the next attempt; a negative or
// garbled value asks it not to retry at all (gRPC A6).
const PushbackKey = "grpc-retry-pushback-ms"

// UnaryInterceptor returns the unary client interceptor. It runs each call
// through the configured policies (see ClientConfig) and returns grpc-go's
// status errors as *StatusError values, and its policies' rejections as
// StatusErrors matching their sentinels (errors.Is(err,
// circuitbreaker.ErrOpen)) with the status code CodeOf gives them.
func (c *Client) UnaryInterceptor() grpc.UnaryClientInterceptor {
	return c.unary
}

func (c *Client) unary(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	var limit, conc guarded
	if c.rateLimit != nil {
		p, err := c.rateLimit.Acquire(ctx)
		if err != nil {
			return rejection(err)
		}
		limit.permit = p
		defer limit.done()
	}
	if c.concurrency != nil {
		p, err := c.concurrency.Acquire(ctx)
		if err != nil {
			err = rejection(err)
			limit.finish(err)
			return err
		}
		conc.permit = p
		defer conc.done()
	}
	err := c.unaryCall(ctx, method, req, reply, cc, invoker, opts)
	conc.finish(err)
	limit.finish(err)
	return err
}

// guarded reports a permit's outcome exactly once, as a panic
// (resilience.ErrPanicked) when finish was not reached.
type guarded struct {
	permit   resilience.Permit
	finished bool
}

func (g *guarded) finish(err error) {
	g.finished = true
	g.permit.Done(err)
}

func (g *guarded) done() {
	if !g.finished {
		g.permit.Done(resilience.ErrPanicked)
	}
}

// unaryCall applies the deadline decay and runs the attempts.
func (c *Client) unaryCall(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts []grpc.CallOption) error {
	if c.prop != nil {
		var cancel context.CancelFunc
		var err error
		ctx, cancel, err = c.decay(ctx)
		if err != nil {
			return rejection(err)
		}
		if cancel != nil {
			defer cancel()
		}
	}
	if c.retry == nil {
		return c.attempt(ctx, method, req, reply, cc, invoker, opts)
	}
	a := c.retry.BeginAttempts(ctx)
	for {
		actx := ctx
		if a.Number > 1 {
			actx = withAttempt(ctx, a.Number)
		}
		err := c.attempt(actx, method, req, reply, cc, invoker, opts)
		next, delay, again, final := c.retry.NextAttempt(ctx, a, err, false)
		if !again {
			return final
		}
		if werr := c.retry.Wait(ctx, delay, err); werr != nil {
			return contextError(ctx, werr)
		}
		a = next
	}
}

// decay bounds ctx by the budget the next hop gets and adds the hop count
// to its outgoing metadata. The CancelFunc is nil when no context was
// derived for the deadline.
func (c *Client) decay(ctx context.Context) (context.Context, context.CancelFunc, error) {
	now := c.clk.Now()
	hop, err := c.prop.NextAt(ctx, now)
	if err != nil {
		return ctx, nil, err
	}
	var cancel context.CancelFunc
	if hop.Bounded {
		// A context of package context, not timeout.WithDeadline's: grpc-go
		// derives a context.WithCancel from it for every call, which finds
		// a package context's canceller, through any context.WithValue
		// that later interceptors add, and joins it at the cost of a map
		// entry; under a context of another type it would need an
		// AfterFunc registration, or a goroutine behind a WithValue, which
		// cost more than the runtime timer saved (see the package doc).
		ctx, cancel = context.WithDeadline(ctx, now.Add(hop.Budget))
	}
	return withHops(ctx, hop.Hops), cancel, nil
}

// withAttempt marks ctx as attempt n for in-process code
// (resilience.AttemptFromContext) and for the server
// (retry.GRPCPreviousAttemptsKey, the number of earlier attempts).
func withAttempt(ctx context.Context, n int) context.Context {
	ctx = resilience.WithAttempt(ctx, n)
	return metadata.AppendToOutgoingContext(ctx, retry.GRPCPreviousAttemptsKey, strconv.Itoa(n-1))
}

// attempt makes one attempt through the breaker.
func (c *Client) attempt(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts []grpc.CallOption) error {
	var g guarded
	if b := c.breakerFor(cc, method); b != nil {
		p, err := b.Acquire(ctx)
		if err != nil {
			return rejection(err)
		}
		g.permit = p
		defer g.done()
	}
	if c.attemptTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.attemptTimeout)
		defer cancel()
	}
	var err error
	if c.pushback {
		t := newTrailerOpts(opts)
		err = invoker(ctx, method, req, reply, cc, t.opts...)
		if err != nil {
			err = wrapStatus(err, pushback(t.md))
		}
	} else {
		err = wrapStatus(invoker(ctx, method, req, reply, cc, opts...), 0)
	}
	g.finish(err)
	return err
}

// trailerOpts holds a call's options plus one that captures its trailer,
// in a single allocation for up to three options of the caller's.
type trailerOpts struct {
	md   metadata.MD
	opts []grpc.CallOption
	buf  [4]grpc.CallOption
}

func newTrailerOpts(opts []grpc.CallOption) *trailerOpts {
	t := &trailerOpts{}
	if len(opts) < len(t.buf) {
		t.opts = t.buf[:len(opts)]
	} else {
		t.opts = make([]grpc.CallOption, len(opts), len(opts)+1)
	}
	copy(t.opts, opts)
	t.opts = append(t.opts, grpc.Trailer(&t.md))
	return t
}

// pushback reads the PushbackKey trailer: zero when absent, the delay when
// valid, and -1 (do not retry) when negative or garbled.
func pushback(md metadata.MD) time.Duration {
	v := md.Get(PushbackKey)
	if len(v) == 0 {
		return 0
	}
	ms, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil || ms < 0 {
		return -1
	}
	if ms > int64(maxPushback/time.Millisecond) {
		return maxPushback
	}
	return time.Duration(ms) * time.Millisecond
}

// maxPushback caps a pushback delay; a retry policy gives up on hints above
// its backoff cap anyway.
const maxPushback = 24 * time.Hour
