package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/config"
)

// TestDemoTuning checks the settings `resilience demo` relies on to show a
// trip and a recovery within its 60s scenario (an 18s outage, then 21s of
// health): a breaker that trips on a short count window, short open
// spells, ejections reviewed often, and both fallbacks.
func TestDemoTuning(t *testing.T) {
	c, err := config.Demo(config.DemoParams{})
	if err != nil {
		t.Fatal(err)
	}
	p := c.Route("demo").Policies
	cb := p.CircuitBreaker
	if cb.WindowType != circuitbreaker.WindowCount || cb.WindowSize > 100 || cb.MinimumCalls > cb.WindowSize/2 ||
		cb.FailureRateThreshold <= 0 || cb.FailureRateThreshold > 50 {
		t.Errorf("circuit_breaker = window %v of %d, minimum %d, threshold %v; want a count window of at most 100 that trips at 50%% within half of it",
			cb.WindowType, cb.WindowSize, cb.MinimumCalls, cb.FailureRateThreshold)
	}
	if cb.OpenDuration <= 0 || cb.MaxOpenDuration < cb.OpenDuration || cb.MaxOpenDuration > 5*time.Second || cb.HalfOpenProbes < 1 {
		t.Errorf("circuit_breaker open %v..%v, %d probes; want open spells of at most 5s", cb.OpenDuration, cb.MaxOpenDuration, cb.HalfOpenProbes)
	}
	od := c.Cluster("demo").OutlierDetection
	if od == nil || od.ConsecutiveFailures <= 0 || od.Interval <= 0 || od.Interval > od.BaseEjectionTime || od.MaxEjectionTime > 15*time.Second {
		t.Errorf("outlier_detection = %+v; want ejections reviewed at least every base_ejection_time, at most 15s long", od)
	}
	fb := p.Fallback
	if fb == nil || fb.StaleCache == nil || fb.StaleCache.StaleTTL < time.Minute || fb.Static == nil ||
		!strings.HasPrefix(fb.Static.Body, "demo upstreams unavailable") {
		t.Errorf("fallback = %+v; want a stale cache that outlives the demo and the static body the demo recognises", fb)
	}
	if r := p.Retry; r == nil || r.PerTryTimeout <= 300*time.Millisecond {
		t.Errorf("retry = %+v; want a per-try timeout above the demo's 300ms slow answers", r)
	}
}
