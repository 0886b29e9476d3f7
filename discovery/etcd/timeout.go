package etcd

import (
	"context"
	"errors"
	"fmt"

	"github.com/resilience-go/resilience/clock"
)

// errLimit is the private cause of a context ended by OpTimeout.
var errLimit = errors.New("etcd: op timeout")

// op returns a context for one request, ended after OpTimeout on the
// registry's clock.
func (r *Registry) op(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.clk == clock.Real() {
		return context.WithTimeoutCause(ctx, r.cfg.OpTimeout, errLimit)
	}
	inner, cancel := context.WithCancelCause(ctx)
	t := r.clk.AfterFunc(r.cfg.OpTimeout, func() { cancel(errLimit) })
	return inner, func() { t.Stop(); cancel(nil) }
}

// wrap describes a failed request. A request cut by OpTimeout matches
// ErrUnavailable; the caller's own cancellation is passed through.
func (r *Registry) wrap(ctx, opCtx context.Context, what string, err error) error {
	if ctx.Err() == nil && context.Cause(opCtx) == errLimit {
		return fmt.Errorf("etcd: %s: no answer from %v within %v: %w", what, r.endpoints(), r.cfg.OpTimeout, ErrUnavailable)
	}
	if r.cli.Ctx().Err() != nil && ctx.Err() == nil {
		return fmt.Errorf("etcd: %s: client closed: %w", what, err)
	}
	return fmt.Errorf("etcd: %s: %w", what, err)
}

func (r *Registry) endpoints() []string {
	if len(r.cfg.Endpoints) > 0 {
		return r.cfg.Endpoints
	}
	return r.cli.Endpoints()
}
