package balancer

import "time"

// EndpointStats is one endpoint's state as the balancer sees it.
type EndpointStats struct {
	// Endpoint is the endpoint as last given to Update.
	Endpoint Endpoint `json:"endpoint"`
	// InFlight is how many picks of it have not been given Done yet, or
	// -1 when the balancer does not count them: with round_robin, random,
	// weighted_round_robin or unbounded ring_hash unless
	// Config.TrackInFlight is set.
	InFlight int64 `json:"in_flight"`
	// Ejected is true while outlier detection keeps it out; always false
	// without outlier detection.
	Ejected bool `json:"ejected"`
	// Ejections is its ejection multiplier: how many times it was ejected,
	// less the intervals it has since stayed in.
	Ejections int `json:"ejections"`
	// Healthy is false while active health checking keeps it out.
	Healthy bool `json:"healthy"`
	// Latency is the peak-EWMA latency estimate, undecayed: the estimate
	// as of the endpoint's last sample. It is measured by PolicyPeakEWMA
	// only and is 0 with the other policies.
	Latency time.Duration `json:"latency"`
}

// Stats returns the state of every endpoint, in Update order. It takes the
// balancer's lock; call it from metrics collectors, not per request.
func (b *Balancer) Stats() []EndpointStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]EndpointStats, len(b.conns))
	for i, c := range b.conns {
		inflight := int64(-1)
		if b.track&trackInflight != 0 {
			inflight = c.inflight.Load()
		}
		out[i] = EndpointStats{
			Endpoint:  c.ep,
			InFlight:  inflight,
			Ejected:   c.ejected,
			Ejections: c.ejections,
			Healthy:   !c.unhealthy,
			Latency:   time.Duration(c.latency()),
		}
	}
	return out
}

// Available returns how many endpoints are neither ejected nor unhealthy.
func (b *Balancer) Available() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := 0
	for _, c := range b.conns {
		if c.available() {
			n++
		}
	}
	return n
}
