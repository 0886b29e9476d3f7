package redisrate

import (
	"context"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/ratelimit"
)

// Acquire admits one call for the key KeyFunc finds in ctx (by default
// ratelimit.KeyFromContext) if the limit allows it now, without waiting.
// It returns the zero Permit, or ratelimit.ErrLimited, ErrUnavailable
// (FailClosed while Redis cannot decide) or ctx's error. It implements
// resilience.Guard.
func (l *Limiter) Acquire(ctx context.Context) (resilience.Permit, error) {
	return l.acquire(ctx, l.keyFn(ctx))
}

func (l *Limiter) acquire(ctx context.Context, key string) (resilience.Permit, error) {
	info, err := l.AllowN(ctx, key, 1)
	switch {
	case err != nil:
		return resilience.Permit{}, err
	case !info.Allowed:
		return resilience.Permit{}, ratelimit.ErrLimited
	}
	return resilience.Permit{}, nil
}

// Release does nothing: a rate limit counts calls when they start. It
// implements resilience.Guard.
func (l *Limiter) Release(resilience.Permit, error) {}

// KeyGuard is a resilience.Guard that limits every call under one key of a
// Limiter, for a pipeline in front of one dependency or tenant.
type KeyGuard struct {
	l   *Limiter
	key string
}

var _ resilience.Guard = (*KeyGuard)(nil)

// Guard returns a resilience.Guard that counts every call under key.
func (l *Limiter) Guard(key string) *KeyGuard {
	return &KeyGuard{l: l, key: key}
}

// Acquire admits one call under the guard's key, as Limiter.Acquire does.
func (g *KeyGuard) Acquire(ctx context.Context) (resilience.Permit, error) {
	return g.l.acquire(ctx, g.key)
}

// Release does nothing. It implements resilience.Guard.
func (g *KeyGuard) Release(resilience.Permit, error) {}
