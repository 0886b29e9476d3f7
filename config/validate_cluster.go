package config

import (
	"cmp"
	"math"
	"strings"
	"time"

	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/discovery/etcd"
)

func (v *validator) cluster(path string, c *Cluster) {
	d := &c.Discovery
	dp := path + ".discovery"
	v.oneOf(dp, true, "a cluster takes one source of endpoints",
		choice{"static", d.Static != nil}, choice{"file", d.File != nil},
		choice{"dns", d.DNS != nil}, choice{"etcd", d.Etcd != nil})
	if d.Static != nil {
		v.staticDiscovery(dp+".static", d.Static)
	}
	if d.File != nil {
		v.policy(dp+".file", d.File)
	}
	if d.DNS != nil {
		v.policy(dp+".dns", d.DNS)
	}
	if d.Etcd != nil {
		v.etcd(dp+".etcd", d.Etcd)
	}
	v.loadBalancing(path+".load_balancing", &c.LoadBalancing)
	if c.HealthCheck != nil {
		v.healthCheck(path+".health_check", c.HealthCheck)
	}
	if c.OutlierDetection != nil {
		v.outlier(path+".outlier_detection", c.OutlierDetection)
	}
	u := path + ".upstream."
	nonNegative(v, u+"max_idle_conns_per_host", c.Upstream.MaxIdleConnsPerHost)
	nonNegative(v, u+"max_conns_per_host", c.Upstream.MaxConnsPerHost)
	nonNegative(v, u+"idle_conn_timeout", c.Upstream.IdleConnTimeout)
	nonNegative(v, u+"dial_timeout", c.Upstream.DialTimeout)
}

// staticDiscovery checks each endpoint on its own line, with
// discovery.ParseEndpoint, rather than stopping at the first.
func (v *validator) staticDiscovery(path string, s *discovery.StaticConfig) {
	// The service name, checked by the package's own rules.
	v.policy(path, &discovery.StaticConfig{Service: s.Service, Endpoints: []string{"127.0.0.1:1"}})
	if len(s.Endpoints) == 0 {
		v.errf(path+".endpoints", "at least one endpoint is required")
	}
	first := map[string]int{}
	for i, spec := range s.Endpoints {
		p := index(path+".endpoints", i)
		inst, err := discovery.ParseEndpoint(s.Service, spec)
		if err != nil {
			v.errf(p, "%s", stripPackage(err.Error()))
			continue
		}
		if j, dup := first[inst.ID]; dup {
			v.errf(p, "%q repeats endpoints[%d] (id %q)", spec, j, inst.ID)
			continue
		}
		first[inst.ID] = i
	}
}

// etcd applies discovery/etcd.Config's rules to its mirror.
func (v *validator) etcd(path string, e *EtcdDiscovery) {
	if e.Service == "" {
		v.errf(path+".service", "is required")
	}
	if len(e.Endpoints) == 0 {
		v.errf(path+".endpoints", "at least one etcd endpoint is required")
	}
	for i, ep := range e.Endpoints {
		if err := etcd.CheckEndpoint(ep); err != nil {
			v.errf(index(path+".endpoints", i), "%q is not an etcd endpoint (http://host:port, https://host:port or host:port): %v", ep, err)
		}
	}
	if e.Prefix != "" && (!strings.HasPrefix(e.Prefix, "/") || !strings.HasSuffix(e.Prefix, "/")) {
		v.errf(path+".prefix", "%q must start and end with '/'", e.Prefix)
	}
	nonNegative(v, path+".dial_timeout", e.DialTimeout)
	nonNegative(v, path+".op_timeout", e.OpTimeout)
	nonNegative(v, path+".retry_interval", e.RetryInterval)
	nonNegative(v, path+".max_reconnect_delay", e.MaxReconnectDelay)
	if e.Password != "" && e.Username == "" {
		v.errf(path+".password", "is set without username")
	}
}

var lbPolicies = []string{LBRoundRobin, LBRandom, LBWeightedRoundRobin, LBLeastRequest, LBPeakEWMA, LBRingHash}

func (v *validator) loadBalancing(path string, lb *LoadBalancing) {
	known := lb.Policy == "" // round robin
	for _, p := range lbPolicies {
		known = known || lb.Policy == p
	}
	if !known {
		v.errf(path+".policy", "%q must be %s%s", lb.Policy, orList(lbPolicies), didYouMean(lb.Policy, lbPolicies))
	}
	switch {
	case lb.RingHash != nil && lb.Policy != LBRingHash:
		v.errf(path+".ring_hash", "applies only to policy ring_hash, not %q", cmp.Or(lb.Policy, LBRoundRobin))
	case lb.RingHash == nil && lb.Policy == LBRingHash:
		v.errf(path+".ring_hash", "is required with policy ring_hash: set its key")
	case lb.RingHash != nil:
		r := lb.RingHash
		v.keySource(path+".ring_hash.key", &r.Key)
		if r.VirtualNodes < 0 || r.VirtualNodes > 10000 {
			v.errf(path+".ring_hash.virtual_nodes", "%d must be in [0, 10000]", r.VirtualNodes)
		}
		if f := r.LoadFactor; f != 0 && !(f >= 1 && f <= 1e6) {
			v.errf(path+".ring_hash.load_factor", "%v must be >= 1 and finite", f)
		}
	}
	if lb.PeakEWMA != nil {
		if lb.Policy != LBPeakEWMA {
			v.errf(path+".peak_ewma", "applies only to policy peak_ewma, not %q", lb.Policy)
		}
		nonNegative(v, path+".peak_ewma.decay", lb.PeakEWMA.Decay)
	}
}

// interval checks a period that is zero (its default) or at least 1ms.
func (v *validator) interval(path string, d time.Duration) {
	if d < 0 || (d > 0 && d < time.Millisecond) {
		v.errf(path, "%v must be 0 or >= 1ms", d)
	}
}

func (v *validator) healthCheck(path string, h *HealthCheck) {
	switch h.Protocol {
	case "http", "":
		if h.Path != "" && h.Path[0] != '/' {
			v.errf(path+".path", "%q must start with /", h.Path)
		}
	case "tcp":
		if h.Path != "" {
			v.errf(path+".path", "applies only to protocol http")
		}
	default:
		v.errf(path+".protocol", "%q must be http or tcp", h.Protocol)
	}
	v.interval(path+".interval", h.Interval)
	nonNegative(v, path+".timeout", h.Timeout)
	nonNegative(v, path+".healthy_threshold", h.HealthyThreshold)
	nonNegative(v, path+".unhealthy_threshold", h.UnhealthyThreshold)
}

func (v *validator) outlier(path string, o *OutlierDetection) {
	nonNegative(v, path+".consecutive_failures", o.ConsecutiveFailures)
	v.interval(path+".interval", o.Interval)
	nonNegative(v, path+".base_ejection_time", o.BaseEjectionTime)
	nonNegative(v, path+".max_ejection_time", o.MaxEjectionTime)
	if o.MaxEjectionTime > 0 && o.MaxEjectionTime < o.BaseEjectionTime {
		v.errf(path+".max_ejection_time", "%v must be >= base_ejection_time %v", o.MaxEjectionTime, o.BaseEjectionTime)
	}
	if p := o.MaxEjectionPercent; p != 0 && !(p > 0 && p <= 100) || math.IsNaN(p) {
		v.errf(path+".max_ejection_percent", "%v must be in (0, 100]", p)
	}
}
