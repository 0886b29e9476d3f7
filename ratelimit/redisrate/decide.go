package redisrate

import (
	"context"
	"errors"
	"time"

	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

// Allow is AllowN(ctx, key, 1).
func (l *Limiter) Allow(ctx context.Context, key string) (ratelimit.Info, error) {
	return l.AllowN(ctx, key, 1)
}

// AllowN decides whether n events may happen now for key, counting them
// in Redis if so; it never counts part of them. Info.Allowed is the
// decision, with what the Retry-After and RateLimit headers need. n above
// the burst and n < 0 are refused without a round trip (RetryAfter is then
// math.MaxInt64); n == 0 reads the bucket without counting.
//
// The error is nil whenever a decision was made, by Redis or, while Redis
// is unavailable, by the OnFailure mode (FailLocal, FailOpen). It is
// non-nil, with Allowed false, only when no decision could be made:
// ErrUnavailable (wrapping the cause) under FailClosed, or ctx's error when
// ctx ended first.
func (l *Limiter) AllowN(ctx context.Context, key string, n int) (ratelimit.Info, error) {
	info, err := l.allowN(ctx, key, n)
	if l.shadow && n > 0 && !info.Allowed && (err == nil || errors.Is(err, ErrUnavailable)) {
		// Decided (or could not decide) and reported; not enforced.
		info.Allowed = true
		err = nil
	}
	return info, err
}

func (l *Limiter) allowN(ctx context.Context, key string, n int) (ratelimit.Info, error) {
	switch {
	case n < 0 || int64(n) > l.p.Burst:
		// Never admissible: refused without asking Redis, whose state is
		// then unknown (Remaining 0).
		info := ratelimit.Info{
			Limit:      clampInt(l.p.Burst),
			RetryAfter: gcra.Never,
			Window:     time.Duration(gcra.Mul(l.p.Burst, l.p.Interval)),
		}
		l.rejected(info.RetryAfter, ratelimit.ErrLimited)
		return info, nil
	case l.lease != nil && n > 0:
		return l.allowLease(ctx, key, int64(n))
	}
	return l.decide(ctx, key, int64(n))
}

// Info returns key's state without counting anything: Allowed and
// RetryAfter say whether one more event would be admitted now.
func (l *Limiter) Info(ctx context.Context, key string) (ratelimit.Info, error) {
	info, err := l.decide(ctx, key, 0)
	if err != nil {
		return info, err
	}
	// One more event fits when one is remaining; otherwise it waits until
	// the debt has shrunk by one interval. Computed from the Info itself,
	// as the local fallback's limit differs from the shared one.
	info.Allowed = info.Remaining >= 1
	info.RetryAfter = 0
	if !info.Allowed && info.Limit > 0 {
		iv := info.Window / time.Duration(info.Limit)
		info.RetryAfter = max(info.Reset+iv-info.Window, 1)
	}
	return info, nil
}

// decide asks Redis about n events for key, or the fallback when it cannot.
func (l *Limiter) decide(ctx context.Context, key string, n int64) (ratelimit.Info, error) {
	permit, err := l.breaker.Acquire(ctx)
	if err != nil {
		return l.fallback(key, n, err)
	}
	cctx, cancel := l.callContext(ctx)
	r, err := l.run(cctx, l.newCall(redisKey(l.prefix, key), n, n))
	if cancel != nil {
		cancel()
	}
	if err != nil {
		if ctx.Err() != nil { // the caller gave up: Redis is not to blame
			permit.Done(context.Canceled)
			return ratelimit.Info{RetryAfter: gcra.Never}, ctx.Err()
		}
		permit.Done(err)
		return l.fallback(key, n, err)
	}
	permit.Done(nil)
	if l.degraded.Load() {
		l.recovered()
	}
	return l.redisInfo(n, r), nil
}

// callContext bounds ctx by the Timeout, unless its deadline is sooner.
func (l *Limiter) callContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= l.timeout {
		return ctx, nil
	}
	return context.WithTimeout(ctx, l.timeout)
}

// redisInfo turns the script's reply r for n events into an Info.
func (l *Limiter) redisInfo(n, r int64) ratelimit.Info {
	if r >= 0 {
		info := l.info(r)
		info.Allowed = true
		return info
	}
	// Refused: r is minus the wait, which is ahead + n·Interval − Tolerance
	// with ahead the bucket's debt, so the debt is recovered from it.
	wait := -r
	info := l.info(max(gcra.Add(gcra.Sub(wait, gcra.Mul(n, l.p.Interval)), l.p.Tolerance), 0))
	info.RetryAfter = time.Duration(wait)
	l.rejected(info.RetryAfter, ratelimit.ErrLimited)
	return info
}

// info returns the Info of a bucket whose debt (TAT − now) is ahead
// nanoseconds, with Allowed false.
func (l *Limiter) info(ahead int64) ratelimit.Info {
	return ratelimit.Info{
		Limit:     clampInt(l.p.Burst),
		Remaining: clampInt(gcra.Remaining(l.p, ahead, 0)),
		Reset:     time.Duration(ahead),
		Window:    time.Duration(gcra.Mul(l.p.Burst, l.p.Interval)),
	}
}

func clampInt(v int64) int {
	return int(min(max(v, 0), int64(maxInt)))
}

const maxInt = int(^uint(0) >> 1)
