package grpcx

import (
	"context"
	"io"
	"sync/atomic"

	"google.golang.org/grpc"

	"github.com/resilience-go/resilience"
)

// StreamInterceptor returns the stream client interceptor. The guards and
// the breaker admit the stream when it is created and hold their permits
// until it ends; the outcome they record is the stream's: a success when
// RecvMsg returns io.EOF (or, for a stream whose server sends a single
// message, that message), the status error otherwise, and the context's
// error when the caller cancels the stream or its deadline passes first.
// Only the creation of a stream is retried, never its messages; the
// deadline decay applies as for unary calls, AttemptTimeout does not.
//
// As grpc-go requires, read the stream until RecvMsg returns an error, or
// cancel its context: until then the permits stay held.
func (c *Client) StreamInterceptor() grpc.StreamClientInterceptor {
	return c.stream
}

func (c *Client) stream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (_ grpc.ClientStream, err error) {
	s := &clientStream{desc: desc}
	created := false
	defer func() {
		if !created {
			if err == nil {
				err = resilience.ErrPanicked
			}
			s.release(err)
		}
	}()
	if c.rateLimit != nil {
		if s.limit, err = c.rateLimit.Acquire(ctx); err != nil {
			return nil, rejection(err)
		}
	}
	if c.concurrency != nil {
		if s.conc, err = c.concurrency.Acquire(ctx); err != nil {
			return nil, rejection(err)
		}
	}
	if c.prop != nil {
		if ctx, s.cancel, err = c.decay(ctx); err != nil {
			return nil, rejection(err)
		}
	}
	cs, err := c.createStream(ctx, desc, cc, method, streamer, opts, s)
	if err != nil {
		return nil, err
	}
	s.ClientStream = cs
	s.stop = context.AfterFunc(ctx, func() { s.end(ctx.Err()) })
	created = true
	return s, nil
}

// createStream creates the stream through the breaker, retrying failed
// creations; on success the breaker's permit is left in s.
func (c *Client) createStream(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts []grpc.CallOption, s *clientStream) (grpc.ClientStream, error) {
	var a resilience.Attempts
	if c.retry != nil {
		a = c.retry.BeginAttempts(ctx)
	}
	for {
		actx := ctx
		if a.Number > 1 {
			actx = withAttempt(ctx, a.Number)
		}
		cs, err := c.streamAttempt(actx, desc, cc, method, streamer, opts, s)
		if err == nil {
			return cs, nil
		}
		if c.retry == nil {
			return nil, err
		}
		next, delay, again, final := c.retry.NextAttempt(ctx, a, err, false)
		if !again {
			return nil, final
		}
		if werr := c.retry.Wait(ctx, delay, err); werr != nil {
			return nil, contextError(ctx, werr)
		}
		a = next
	}
}

func (c *Client) streamAttempt(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts []grpc.CallOption, s *clientStream) (grpc.ClientStream, error) {
	var g guarded
	if b := c.breakerFor(cc, method); b != nil {
		p, err := b.Acquire(ctx)
		if err != nil {
			return nil, rejection(err)
		}
		g.permit = p
		defer g.done()
	}
	cs, err := streamer(ctx, desc, cc, method, opts...)
	if err != nil {
		err = wrapStatus(err, 0)
		g.finish(err)
		return nil, err
	}
	g.finished = true // the stream's end reports the outcome
	s.breaker = g.permit
	return cs, nil
}

// clientStream reports the stream's outcome to the permits when it ends.
type clientStream struct {
	grpc.ClientStream
	desc                 *grpc.StreamDesc
	limit, conc, breaker resilience.Permit
	cancel               context.CancelFunc
	stop                 func() bool
	ended                atomic.Bool
}

// RecvMsg receives a message; io.EOF or an error ends the stream, and so
// does the single message of a stream whose server does not stream.
func (s *clientStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	switch {
	case err == nil:
		if !s.desc.ServerStreams {
			s.finish(nil)
		}
	case err == io.EOF:
		s.finish(nil)
	default:
		err = wrapStatus(err, 0)
		s.finish(err)
	}
	return err
}

// SendMsg sends a message; an error other than io.EOF (after which RecvMsg
// reports the status) has aborted the stream, which ends it.
func (s *clientStream) SendMsg(m any) error {
	err := s.ClientStream.SendMsg(m)
	if err != nil && err != io.EOF {
		err = wrapStatus(err, 0)
		s.finish(err)
	}
	return err
}

// finish reports the stream's outcome once, from the caller's goroutine.
func (s *clientStream) finish(err error) {
	if s.ended.Load() {
		return
	}
	s.stop()
	s.end(err)
}

// end reports the stream's outcome once; the context's AfterFunc calls it
// directly.
func (s *clientStream) end(err error) {
	if !s.ended.CompareAndSwap(false, true) {
		return
	}
	s.breaker.Done(err)
	s.release(err)
}

// release reports err to the guards and releases the decayed context.
func (s *clientStream) release(err error) {
	s.conc.Done(err)
	s.limit.Done(err)
	if s.cancel != nil {
		s.cancel()
	}
}
