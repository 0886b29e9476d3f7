package demo

import (
	"net/http"
	"time"

	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/config"
)

// Phase is the step of the scenario at a moment of the demo.
type Phase uint8

const (
	// PhaseHealthy: every upstream answers quickly.
	PhaseHealthy Phase = iota
	// PhaseFlaky: upstream-1 fails most requests and answers others
	// slowly; outlier detection ejects it.
	PhaseFlaky
	// PhaseOutage: every upstream fails; the breaker opens.
	PhaseOutage
	// PhaseRecovered: healthy again; the breaker closes.
	PhaseRecovered
)

// String names the phase for the timeline.
func (p Phase) String() string {
	switch p {
	case PhaseHealthy:
		return "healthy"
	case PhaseFlaky:
		return "flaky"
	case PhaseOutage:
		return "outage"
	case PhaseRecovered:
		return "recovered"
	}
	return "unknown"
}

// Misbehaviour is what a chaos injector does to an upstream: each request
// waits SlowDelay with probability SlowRate, then fails with a 503 with
// probability ErrorRate.
type Misbehaviour struct {
	ErrorRate, SlowRate float64
	SlowDelay           time.Duration
}

// Script is the scenario, measured from the start of the load.
type Script struct {
	// FlakyFrom, OutageFrom and RecoverAt are when the phases after
	// PhaseHealthy begin.
	FlakyFrom, OutageFrom, RecoverAt time.Duration
	// Flaky is upstream-1's misbehaviour in PhaseFlaky; Outage every
	// upstream's in PhaseOutage.
	Flaky, Outage Misbehaviour
}

// scriptFor spreads the phases over a demo of duration d. The slow answers
// stay under the demo config's 500ms per-try timeout; the outage fails
// every request, so that no half-open probe succeeds before it ends.
func scriptFor(d time.Duration) Script {
	return Script{
		FlakyFrom:  d * 15 / 100,
		OutageFrom: d * 35 / 100,
		RecoverAt:  d * 65 / 100,
		Flaky:      Misbehaviour{ErrorRate: 0.9, SlowRate: 0.3, SlowDelay: 300 * time.Millisecond},
		Outage:     Misbehaviour{ErrorRate: 1, SlowRate: 0.5, SlowDelay: 100 * time.Millisecond},
	}
}

// phase returns the phase at elapsed since the start.
func (s Script) phase(elapsed time.Duration) Phase {
	switch {
	case elapsed < s.FlakyFrom:
		return PhaseHealthy
	case elapsed < s.OutageFrom:
		return PhaseFlaky
	case elapsed < s.RecoverAt:
		return PhaseOutage
	}
	return PhaseRecovered
}

// faults are the chaos faults of m between from and until: latency first
// (every latency fault that fires adds its delay), then the 503.
func (m Misbehaviour) faults(from, until time.Duration, message string) []chaos.Fault {
	sched := chaos.Schedule{From: from, Until: until}
	return []chaos.Fault{
		{Name: "slow", Kind: chaos.KindLatency, Probability: m.SlowRate, Latency: m.SlowDelay, Schedule: sched},
		{Name: "fail", Kind: chaos.KindAbort, Probability: m.ErrorRate, HTTPStatus: http.StatusServiceUnavailable,
			Message: message, Schedule: sched},
	}
}

// fullDuration is the demo length the configuration's times suit.
const fullDuration = 60 * time.Second

// tune scales the breaker's and the outlier detection's times of cfg by
// d/60s when d is shorter, so that a short demo trips and recovers within
// its phases as the default one does. Longer demos keep them.
func tune(cfg *config.Config, d time.Duration) {
	if d >= fullDuration {
		return
	}
	f := float64(d) / float64(fullDuration)
	scale := func(p *time.Duration) {
		if *p > 0 {
			*p = max(time.Duration(float64(*p)*f), 10*time.Millisecond)
		}
	}
	for i := range cfg.Routes {
		if cb := cfg.Routes[i].Policies.CircuitBreaker; cb != nil {
			scale(&cb.WindowDuration)
			scale(&cb.OpenDuration)
			scale(&cb.MaxOpenDuration)
			scale(&cb.HalfOpenMaxWait)
		}
	}
	for i := range cfg.Clusters {
		if od := cfg.Clusters[i].OutlierDetection; od != nil {
			scale(&od.Interval)
			scale(&od.BaseEjectionTime)
			scale(&od.MaxEjectionTime)
		}
	}
}
