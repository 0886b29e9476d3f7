package balancer

// algo is a Policy resolved once, in New, so that a pick switches on a
// small integer rather than comparing strings.
type algo uint8

const (
	algoRoundRobin algo = iota
	algoRandom
	algoWeightedRoundRobin
	algoLeastRequest
	algoPeakEWMA
	algoRingHash
)

// algoOf returns the algorithm of a valid Policy; empty is round robin.
func algoOf(p Policy) algo {
	switch p {
	case PolicyRandom:
		return algoRandom
	case PolicyWeightedRoundRobin:
		return algoWeightedRoundRobin
	case PolicyLeastRequest:
		return algoLeastRequest
	case PolicyPeakEWMA:
		return algoPeakEWMA
	case PolicyRingHash:
		return algoRingHash
	}
	return algoRoundRobin
}

// track says what a pick and its Done must record beyond choosing the
// endpoint. It is fixed in New from the Config, and each Pick carries a
// copy, so Done needs no look-up and does nothing at all when it is zero.
type track uint8

const (
	// trackInflight counts the call in flight on its endpoint: one atomic
	// add in Pick and one in Done.
	trackInflight track = 1 << iota
	// trackLatency folds the call's latency into its endpoint's peak EWMA.
	trackLatency
	// trackOutcome classifies the call's error for outlier detection.
	trackOutcome
)

// tracking returns what the balancer configured by cfg must record per
// call:
//
//   - in-flight counts when the policy reads them (least_request,
//     peak_ewma, ring_hash with bounded loads) or cfg.TrackInFlight asks
//     for them;
//   - latencies for peak_ewma;
//   - outcomes when outlier detection is on.
//
// round_robin, random, weighted_round_robin and unbounded ring_hash
// without outlier detection or TrackInFlight record nothing: a pick is
// the choice alone and Done returns at once.
func tracking(cfg Config) track {
	var t track
	switch algoOf(cfg.Policy) {
	case algoLeastRequest:
		t |= trackInflight
	case algoPeakEWMA:
		t |= trackInflight | trackLatency
	case algoRingHash:
		if !cfg.RingHash.Unbounded {
			t |= trackInflight
		}
	}
	if cfg.TrackInFlight {
		t |= trackInflight
	}
	if cfg.Outlier.enabled() {
		t |= trackOutcome
	}
	return t
}
