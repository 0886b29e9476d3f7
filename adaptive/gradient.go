package adaptive

// gradient is AlgorithmGradient, after Netflix's Gradient2: the ratio of a
// long-term round-trip time to the short-term one scales the limit, and a
// queue allowance lets it grow while latency holds.
//
// Gradient2 takes an exponential average of recent round-trip times as its
// long-term measure. Under sustained queueing that average climbs to the
// queued latency itself, the ratio returns to 1 and the limit creeps up
// without bound. Here the long-term measure is the probed no-load baseline
// (see Limiter), which queueing cannot inflate, and Tolerance states the
// latency inflation accepted.
type gradient struct {
	tolerance, queueSize, smoothing float64
}

// minGradient bounds how far one window can cut the estimate.
const minGradient = 0.5

func (g gradient) next(limit float64, s sample, baseline float64) float64 {
	grad := 1.0
	switch {
	case s.drops > 0:
		grad = minGradient
	case s.samples == 0 || s.rtt <= 0 || baseline <= 0:
		return limit
	case s.rejected == 0 && float64(s.inflight) < limit/2:
		// The limit was not the constraint: nothing was learned about it.
		return limit
	default:
		grad = min(1, max(minGradient, g.tolerance*baseline/s.rtt))
	}
	target := grad*limit + g.queueSize
	return (1-g.smoothing)*limit + g.smoothing*target
}
