package etcd

import (
	"context"
	"errors"
	"fmt"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

// errLimit is the private cause of a context ended by OpTimeout.
var errLimit = errors.New("etcd: op timeout")

// op returns a context for one request, ended after OpTimeout on the
// registry's clock, or when the Registry closes.
func (r *Registry) op(ctx context.Context) (context.Context, context.CancelFunc) {
	var inner context.Context
	var cancel context.CancelCauseFunc
	var stopTimer func() bool
	if r.clk == clock.Real() {
		var cancelTimeout context.CancelFunc
		inner, cancelTimeout = context.WithTimeoutCause(ctx, r.cfg.OpTimeout, errLimit)
		inner, cancel = context.WithCancelCause(inner)
		stopTimer = func() bool { cancelTimeout(); return true }
	} else {
		inner, cancel = context.WithCancelCause(ctx)
		stopTimer = r.clk.AfterFunc(r.cfg.OpTimeout, func() { cancel(errLimit) }).Stop
	}
	stopClose := context.AfterFunc(r.ctx, func() { cancel(discovery.ErrClosed) })
	return inner, func() { stopClose(); stopTimer(); cancel(nil) }
}

// wrap describes a failed request. A request cut by OpTimeout matches
// ErrUnavailable, one cut by Close matches discovery.ErrClosed; the
// caller's own cancellation is passed through.
func (r *Registry) wrap(ctx, opCtx context.Context, what string, err error) error {
	if ctx.Err() == nil {
		switch context.Cause(opCtx) {
		case errLimit:
			detail := ""
			if ee := (*endedError)(nil); errors.As(err, &ee) && ee.last != nil {
				detail = " (last error: " + ee.last.Error() + ")"
			}
			return fmt.Errorf("etcd: %s: no answer from %v within %v%s: %w", what, r.cfg.Endpoints, r.cfg.OpTimeout, detail, ErrUnavailable)
		case discovery.ErrClosed:
			return fmt.Errorf("etcd: %s: registry closed: %w", what, discovery.ErrClosed)
		}
	}
	return fmt.Errorf("etcd: %s: %w", what, err)
}
