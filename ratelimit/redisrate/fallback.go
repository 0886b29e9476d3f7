package redisrate

import (
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/ratelimit"
)

// States reported in EventStateChange.
const (
	// StateRedis: decisions come from Redis.
	StateRedis = "redis"
	// StateFallback: Redis cannot decide; the OnFailure mode does.
	StateFallback = "fallback"
)

// Details of the events reported when Redis becomes unavailable, per mode,
// and when it answers again.
const (
	DetailLocal     = "redis unavailable: local fallback"
	DetailOpen      = "redis unavailable: fail open"
	DetailClosed    = "redis unavailable: fail closed"
	DetailRecovered = "redis available again"
)

var modeDetails = [...]string{FailLocal: DetailLocal, FailOpen: DetailOpen, FailClosed: DetailClosed}

// localConfig returns the configuration of FailLocal's limiter: this
// process's share of the limit.
func (c Config) localConfig() (ratelimit.KeyedConfig, error) {
	n := int64(c.instances())
	burst := burstOr(c.Burst, c.Rate)
	kc := ratelimit.KeyedConfig{
		Name:  c.Name,
		Rate:  c.Rate / float64(n),
		Per:   c.Per,
		Burst: int(max((burst+n-1)/n, 1)),
		Clock: c.Clock,
	}
	if err := kc.Validate(); err != nil {
		return kc, fmt.Errorf("redisrate: Rate/ExpectedInstances (FailLocal): %w", err)
	}
	return kc, nil
}

// fallback decides about n events for key without Redis, because of cause.
func (l *Limiter) fallback(key string, n int64, cause error) (ratelimit.Info, error) {
	if !l.degraded.Load() && l.degraded.CompareAndSwap(false, true) && l.listener != nil {
		l.listener.OnEvent(resilience.Event{
			Kind: resilience.EventStateChange, Policy: policyName, Name: l.name,
			From: StateRedis, To: StateFallback, Err: cause, Detail: modeDetails[l.mode],
		})
	}
	if l.listener != nil {
		l.listener.OnEvent(resilience.Event{
			Kind: resilience.EventFallback, Policy: policyName, Name: l.name,
			Err: cause, Detail: modeDetails[l.mode],
		})
	}
	switch l.mode {
	case FailOpen:
		info := l.info(0)
		info.Allowed = true
		return info, nil
	case FailClosed:
		info := l.info(l.p.Tolerance)
		info.RetryAfter = l.breaker.RemainingOpen()
		if info.RetryAfter <= 0 {
			info.RetryAfter = l.openWait
		}
		l.rejected(info.RetryAfter, ErrUnavailable)
		return info, &unavailableError{cause: cause}
	}
	info := l.local.AllowInfoN(key, int(n))
	if !info.Allowed {
		l.rejected(info.RetryAfter, ratelimit.ErrLimited)
	}
	return info, nil
}

// recovered reports, once, that Redis decides again.
func (l *Limiter) recovered() {
	if l.degraded.CompareAndSwap(true, false) && l.listener != nil {
		l.listener.OnEvent(resilience.Event{
			Kind: resilience.EventStateChange, Policy: policyName, Name: l.name,
			From: StateFallback, To: StateRedis, Detail: DetailRecovered,
		})
	}
}

// rejected reports a refusal whose retry is wait away.
func (l *Limiter) rejected(wait time.Duration, err error) {
	if l.listener != nil {
		kind := resilience.EventRejected
		if l.shadow {
			kind = resilience.EventShadowRejected
		}
		l.listener.OnEvent(resilience.Event{
			Kind: kind, Policy: policyName, Name: l.name, Delay: wait, Err: err,
		})
	}
}
