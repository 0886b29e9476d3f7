package stats

import (
	"math"

	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/retry"
)

// breakerStates lists every circuitbreaker.State name, in State order.
var breakerStates = func() []string {
	var s []string
	for st := circuitbreaker.StateClosed; st <= circuitbreaker.StateMetricsOnly; st++ {
		s = append(s, st.String())
	}
	return s
}()

// BreakerSource reads a circuit breaker: its state, and the gauges
// failure_ratio and slow_call_ratio (0..1, over the window), window_calls,
// consecutive_failures, remaining_open_seconds and reject_probability.
func BreakerSource(b *circuitbreaker.Breaker) Source {
	return func() Gauges {
		m := b.Metrics()
		return Gauges{
			State:  m.State.String(),
			States: breakerStates,
			Values: map[string]float64{
				"failure_ratio":          m.FailureRate / 100,
				"slow_call_ratio":        m.SlowCallRate / 100,
				"window_calls":           float64(m.Calls),
				"consecutive_failures":   float64(m.ConsecutiveFailures),
				"remaining_open_seconds": m.RemainingOpen.Seconds(),
				"reject_probability":     m.RejectProbability,
			},
		}
	}
}

// RateInfo is what a rate limiter shows without counting: ratelimit's
// Limiter and SlidingWindow implement it.
type RateInfo interface {
	Info() ratelimit.Info
}

// LimiterSource reads a rate limiter: limit (the quota), remaining (what
// would be admitted now) and utilization (1 - remaining/limit). An
// unlimited limiter reports no gauges.
func LimiterSource(l RateInfo) Source {
	return func() Gauges {
		info := l.Info()
		if info.Limit == math.MaxInt || info.Limit <= 0 {
			return Gauges{}
		}
		return Gauges{Values: map[string]float64{
			"limit":       float64(info.Limit),
			"remaining":   float64(info.Remaining),
			"utilization": 1 - float64(info.Remaining)/float64(info.Limit),
		}}
	}
}

// SemaphoreSource reads a bulkhead semaphore: in_flight, waiting and
// max_concurrent.
func SemaphoreSource(s *bulkhead.Semaphore) Source {
	return func() Gauges {
		st := s.Stats()
		return Gauges{Values: map[string]float64{
			"in_flight":      float64(st.InFlight),
			"waiting":        float64(st.Waiting),
			"max_concurrent": float64(st.MaxConcurrent),
		}}
	}
}

// PoolSource reads a bulkhead worker pool: in_flight (tasks running),
// queued, queue_size and workers.
func PoolSource(p *bulkhead.Pool) Source {
	return func() Gauges {
		st := p.Stats()
		return Gauges{Values: map[string]float64{
			"in_flight":  float64(st.Active),
			"queued":     float64(st.Queued),
			"queue_size": float64(st.QueueSize),
			"workers":    float64(st.Workers),
		}}
	}
}

// AdaptiveSource reads an adaptive concurrency limiter: limit, in_flight,
// baseline_seconds, last_rtt_seconds and probing (1 while it re-measures
// its baseline).
func AdaptiveSource(l *adaptive.Limiter) Source {
	return func() Gauges {
		st := l.Stats()
		probing := 0.0
		if st.Probing {
			probing = 1
		}
		return Gauges{Values: map[string]float64{
			"limit":            float64(st.Limit),
			"in_flight":        float64(st.InFlight),
			"baseline_seconds": st.Baseline.Seconds(),
			"last_rtt_seconds": st.LastRTT.Seconds(),
			"probing":          probing,
		}}
	}
}

// ShedderSource reads an adaptive load shedder: limit, in_flight and
// throughput (completions per second).
func ShedderSource(s *adaptive.Shedder) Source {
	return func() Gauges {
		st := s.Stats()
		return Gauges{Values: map[string]float64{
			"limit":      float64(st.Limit),
			"in_flight":  float64(st.InFlight),
			"throughput": st.Throughput,
		}}
	}
}

// RetrySource reads a retry policy: attempt_latency_seconds, its running
// estimate of one attempt's latency. (Retries, exhaustion and skips are
// counted from its events.)
func RetrySource(p *retry.Policy) Source {
	return func() Gauges {
		return Gauges{Values: map[string]float64{
			"attempt_latency_seconds": p.Stats().AttemptLatency.Seconds(),
		}}
	}
}
