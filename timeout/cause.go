package timeout

import (
	"context"
	"errors"
)

// context.Cause(c) finds the cause of a context's end by asking c.Value for
// the *cancelCtx of package context, under a private key, and falls back on
// c.Err() when there is none. A wheelCtx that ended by its own deadline must
// answer that lookup itself: delegating to its parent would report the
// parent's cause (if the parent ended later), or none and so
// context.DeadlineExceeded, instead of the Timeout's. cancelCtxKey is that
// key, learnt once by asking context.Cause about a probe context; causeValue
// builds the answer. Should a future Go look the cause up differently, the
// probe finds no key, wheelCtx delegates every lookup, and context.Cause of
// an expired context reports context.DeadlineExceeded, which still matches
// errors.Is(err, context.DeadlineExceeded) but no longer ErrTimeout.
// TestWheelCtxCause fails then.
var cancelCtxKey = probeCancelCtxKey()

func probeCancelCtxKey() any {
	p := &keyProbe{Context: context.Background()}
	_ = context.Cause(p)
	if p.key == nil {
		return nil
	}
	// Check that the key yields a cause that context.Cause reports.
	sentinel := errors.New("timeout: probe")
	v := causeValueFor(p.key, sentinel)
	if v == nil || context.Cause(&causeProbe{Context: context.Background(), key: p.key, v: v}) != sentinel {
		return nil
	}
	return p.key
}

// causeValue returns what a context that ended with cause must answer to
// Value(cancelCtxKey), or nil when the key is unknown.
func causeValue(cause error) any {
	if cancelCtxKey == nil {
		return nil
	}
	return causeValueFor(cancelCtxKey, cause)
}

func causeValueFor(key any, cause error) any {
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	return ctx.Value(key)
}

// keyProbe records the key context.Cause looks up.
type keyProbe struct {
	context.Context
	key any
}

func (p *keyProbe) Err() error { return context.Canceled }

func (p *keyProbe) Value(key any) any {
	if p.key == nil {
		p.key = key
	}
	return nil
}

// causeProbe answers v to the key, as a wheelCtx does.
type causeProbe struct {
	context.Context
	key, v any
}

func (p *causeProbe) Err() error { return context.Canceled }

func (p *causeProbe) Value(key any) any {
	if key == p.key {
		return p.v
	}
	return nil
}
