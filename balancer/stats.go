package balancer

import "time"

// EndpointStats is one endpoint's state as the balancer sees it.
type EndpointStats struct {
	// Endpoint is the endpoint as last given to Update.
	Endpoint Endpoint `json:"endpoint"`
	// InFlight is how many picks of it have not been given Done yet.
	InFlight int64 `json:"in_flight"`
	// Ejected is true while outlier detection keeps it out.
	Ejected bool `json:"ejected"`
	// Ejections is its ejection multiplier: how many times it was ejected,
	// less the intervals it has since stayed in.
	Ejections int `json:"ejections"`
	// Healthy is false while active health checking keeps it out.
	Healthy bool `json:"healthy"`
	// Latency is the peak-EWMA latency estimate (PolicyPeakEWMA only).
	Latency time.Duration `json:"latency"`
}

// Stats returns the state of every endpoint, in Update order. It takes the
// balancer's lock; call it from metrics collectors, not per request.
func (b *Balancer) Stats() []EndpointStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]EndpointStats, len(b.conns))
	for i, c := range b.conns {
		out[i] = EndpointStats{
			Endpoint:  c.ep,
			InFlight:  c.inflight.Load(),
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
