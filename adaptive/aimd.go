package adaptive

// aimd is AlgorithmAIMD: additive increase while calls succeed and the
// limit constrains them (calls were refused, or at least half the limit
// was in use), multiplicative decrease when a window saw a
// drop (a timeout, a downstream rejection, or a call slower than
// AIMD.Timeout).
type aimd struct {
	increase, backoff float64
}

func (a aimd) next(limit float64, s sample, _ float64) float64 {
	switch {
	case s.drops > 0:
		return limit * a.backoff
	case s.rejected > 0 || float64(s.inflight)*2 >= limit:
		return limit + a.increase
	}
	return limit
}
