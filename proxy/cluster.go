package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/balancer"
	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/httpx"
	"github.com/resilience-go/resilience/stats"
)

// cluster is the running state of a config.Cluster: its balancer, the
// discovery that feeds it and the transport to its endpoints.
type cluster struct {
	name      string
	cfg       config.Cluster
	bal       *balancer.Balancer
	transport *http.Transport
	cancel    context.CancelFunc
	src       discovery.Source
	done      chan struct{}
}

func newCluster(c config.Cluster, events resilience.Listener) (*cluster, error) {
	bcfg := balancer.Config{
		Name:      c.Name,
		Listener:  events,
		Policy:    balancer.Policy(c.LoadBalancing.Policy),
		PanicMode: c.LoadBalancing.PanicMode,
	}
	if rh := c.LoadBalancing.RingHash; rh != nil {
		bcfg.RingHash = balancer.RingHashConfig{VirtualNodes: rh.VirtualNodes, LoadFactor: rh.LoadFactor}
	}
	if pe := c.LoadBalancing.PeakEWMA; pe != nil {
		bcfg.PeakEWMA = balancer.PeakEWMAConfig{Decay: pe.Decay}
	}
	if o := c.OutlierDetection; o != nil {
		bcfg.Outlier = balancer.OutlierConfig{
			ConsecutiveFailures: o.ConsecutiveFailures,
			Interval:            o.Interval,
			BaseEjectionTime:    o.BaseEjectionTime,
			MaxEjectionTime:     o.MaxEjectionTime,
			MaxEjectionPercent:  o.MaxEjectionPercent,
		}
	}
	if h := c.HealthCheck; h != nil {
		bcfg.HealthCheck = balancer.HealthCheckConfig{
			Interval:           h.Interval,
			Timeout:            h.Timeout,
			HealthyThreshold:   h.HealthyThreshold,
			UnhealthyThreshold: h.UnhealthyThreshold,
			Protocol:           h.Protocol,
			Path:               h.Path,
		}
	}
	bal, err := balancer.New(bcfg)
	if err != nil {
		return nil, fmt.Errorf("proxy: cluster %q: %w", c.Name, err)
	}
	src, service, err := source(c)
	if err != nil {
		bal.Close()
		return nil, fmt.Errorf("proxy: cluster %q: %w", c.Name, err)
	}
	conns := c.Upstream.MaxConnsPerHost
	if conns == 0 {
		conns = config.DefaultMaxConnsPerHost
	}
	idle := c.Upstream.MaxIdleConnsPerHost
	if idle == 0 {
		idle = conns
	}
	dial := c.Upstream.DialTimeout
	if dial == 0 {
		dial = 5 * time.Second
	}
	idleTimeout := c.Upstream.IdleConnTimeout
	if idleTimeout == 0 {
		idleTimeout = 90 * time.Second
	}
	cl := &cluster{
		name: c.Name, cfg: c, bal: bal, src: src, done: make(chan struct{}),
		transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        0, // bounded per endpoint instead
			MaxIdleConnsPerHost: idle,
			MaxConnsPerHost:     conns,
			IdleConnTimeout:     idleTimeout,
			ForceAttemptHTTP2:   false,
		},
	}
	// Start with the current set so that the first requests find endpoints.
	ctx, cancel := context.WithCancel(context.Background())
	cl.cancel = cancel
	abort := func(err error) (*cluster, error) {
		cancel()
		bal.Close()
		closeSource(src)
		return nil, fmt.Errorf("proxy: cluster %q: %w", c.Name, err)
	}
	// An etcd watch lists the service before it watches, and its first
	// update is that listing: a Lookup first would only cost a second
	// round trip (two OpTimeouts while etcd is down).
	listsFirst := c.Discovery.Etcd != nil
	if !listsFirst {
		lctx, lcancel := context.WithTimeout(ctx, 5*time.Second)
		insts, err := src.Lookup(lctx, service)
		lcancel()
		if err == nil {
			if err := bal.Update(balancer.FromInstances(insts)); err != nil {
				return abort(err)
			}
		}
	}
	w, err := src.Watch(ctx, service)
	if err != nil {
		return abort(fmt.Errorf("watch: %w", err))
	}
	if listsFirst {
		nctx, ncancel := context.WithTimeout(ctx, 5*time.Second)
		u, err := w.Next(nctx)
		ncancel()
		if err == nil {
			err = bal.Update(balancer.FromInstances(u.Instances))
		}
		if err != nil {
			w.Close()
			return abort(fmt.Errorf("watch: %w", err))
		}
	}
	go func() {
		defer close(cl.done)
		defer w.Close()
		_ = balancer.Follow(ctx, bal, w)
	}()
	return cl, nil
}

// source builds the discovery source of c and the service it watches.
func source(c config.Cluster) (discovery.Source, string, error) {
	d := c.Discovery
	switch {
	case d.Static != nil:
		s := *d.Static
		if s.Service == "" {
			s.Service = c.Name
		}
		src, err := discovery.NewStatic(s)
		return src, s.Service, err
	case d.File != nil:
		s := *d.File
		if s.Service == "" {
			s.Service = c.Name
		}
		if s.Decode == nil {
			s.Decode = config.DecoderFor(s.Path) // YAML for .yaml/.yml files
		}
		src, err := discovery.NewFile(s)
		return src, s.Service, err
	case d.DNS != nil:
		s := *d.DNS
		if s.Service == "" {
			s.Service = c.Name
		}
		src, err := discovery.NewDNS(s)
		return src, s.Service, err
	case d.Etcd != nil:
		return etcdSource(c.Name, d.Etcd)
	}
	return nil, "", errors.New("no discovery source")
}

// close stops discovery and the balancer and closes idle connections.
func (c *cluster) close() {
	c.cancel()
	<-c.done
	c.bal.Close()
	closeSource(c.src)
	c.transport.CloseIdleConnections()
}

// closeSource closes a discovery source that holds resources (an etcd
// registry's client and watchers, a file watcher).
func closeSource(src discovery.Source) {
	if s, ok := src.(interface{ Close() error }); ok {
		_ = s.Close()
	}
}

// hashKey is the ring-hash key of r: the header or client address that
// load_balancing.ring_hash.key names; "" for the other policies.
func (c *cluster) hashKey(r *http.Request) string {
	rh := c.cfg.LoadBalancing.RingHash
	if rh == nil {
		return ""
	}
	if rh.Key.Source == "header" {
		return r.Header.Get(rh.Key.Header)
	}
	return httpx.ClientIP(r, rh.Key.TrustedProxies)
}

// clusterSource reports a cluster's endpoints for the dashboard and
// /metrics: its state is "healthy" while every endpoint takes traffic,
// "degraded" while some are ejected or failing health checks, and "down"
// when none is left; the values count them and the requests in flight.
func clusterSource(b *balancer.Balancer) stats.Source {
	return func() stats.Gauges {
		eps := b.Stats()
		var ejected, unhealthy, available, inFlight float64
		for _, e := range eps {
			switch {
			case e.Ejected:
				ejected++
			case !e.Healthy:
				unhealthy++
			default:
				available++
			}
			if e.InFlight > 0 {
				inFlight += float64(e.InFlight)
			}
		}
		state := "healthy"
		switch {
		case available == 0:
			state = "down"
		case ejected+unhealthy > 0:
			state = "degraded"
		}
		return stats.Gauges{
			State:  state,
			States: []string{"healthy", "degraded", "down"},
			Values: map[string]float64{
				"endpoints": float64(len(eps)), "available_endpoints": available,
				"ejected_endpoints": ejected, "unhealthy_endpoints": unhealthy, "in_flight": inFlight,
			},
		}
	}
}
