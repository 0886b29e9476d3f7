package adaptive

import "math"

// vegas is AlgorithmVegas, after TCP Vegas and Netflix's VegasLimit: it
// estimates how many of the limit's calls are queued rather than served,
// queue = limit × (1 − baseline/rtt), and steers that between alpha and
// beta, both scaled by log10(limit) so that large limits tolerate larger
// queues.
//
// Netflix's VegasLimit updates per call and shrinks by log10(limit) each
// time. Updating once per window, a step that small would take hundreds of
// windows to undo a large overshoot, so here the limit shrinks by the
// excess queue (queue − beta), at least log10(limit).
type vegas struct {
	alpha, beta, smoothing float64
}

func (v vegas) next(limit float64, s sample, baseline float64) float64 {
	lg := max(1, math.Log10(limit))
	var target float64
	switch {
	case s.drops > 0:
		target = limit - lg
	case s.samples == 0 || s.rtt <= 0 || baseline <= 0:
		return limit
	case s.rejected == 0 && float64(s.inflight)*2 < limit:
		return limit // demand, not the limit, held concurrency down
	default:
		queue := limit * (1 - baseline/s.rtt)
		switch {
		case queue <= lg:
			target = limit + v.beta*lg
		case queue < v.alpha*lg:
			target = limit + lg
		case queue > v.beta*lg:
			target = limit - max(lg, queue-v.beta*lg)
		default:
			return limit
		}
	}
	return (1-v.smoothing)*limit + v.smoothing*target
}
