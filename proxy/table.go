package proxy

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/dashboard"
	"github.com/resilience-go/resilience/errcode"
	"github.com/resilience-go/resilience/stats"
)

// table is one immutable routing table: the routes of a config, in order,
// and the clusters they send to. Apply swaps tables atomically.
type table struct {
	cfg      *config.Config
	routes   []*route
	clusters map[string]*cluster
	controls *dashboard.Registry
}

// buildTable makes the table of cfg, reusing from old the clusters and
// policy instances that ch reports unchanged. On error, whatever it built is
// closed and old is untouched.
func buildTable(cfg *config.Config, old *table, ch config.Changes, reg *stats.Registry, events resilience.Listener) (_ *table, err error) {
	// t, not the named result, which an error return sets to nil before
	// the deferred cleanup reads it.
	t := &table{cfg: cfg, clusters: make(map[string]*cluster), controls: dashboard.NewRegistry()}
	var built []*cluster
	oldRoutes := map[string]*route{}
	defer func() {
		if err != nil {
			for _, c := range built {
				c.close()
			}
			for _, r := range t.routes {
				var prev *policies
				if or := oldRoutes[r.name]; or != nil {
					prev = or.pol
				}
				if r.pol.redis != nil && (prev == nil || prev.redis != r.pol.redis) {
					_ = r.pol.redis.Close()
				}
			}
		}
	}()
	for _, c := range cfg.Clusters {
		if old != nil && slices.Contains(ch.Clusters.Unchanged, c.Name) && old.clusters[c.Name] != nil {
			t.clusters[c.Name] = old.clusters[c.Name]
			continue
		}
		cl, err := newCluster(c, resilience.Listeners(reg.Listener("cluster", c.Name), events))
		if err != nil {
			return nil, err
		}
		built = append(built, cl)
		reg.Instance("cluster", c.Name).SetSource(clusterSource(cl.bal))
		t.clusters[c.Name] = cl
	}
	if old != nil {
		for _, r := range old.routes {
			oldRoutes[r.name] = r
		}
	}
	for _, rc := range cfg.Routes {
		var oldPol *policies
		if or := oldRoutes[rc.Name]; or != nil {
			oldPol = or.pol
		}
		name := rc.Name
		pol, err := buildPolicies(rc, cfg.Redis.URL, oldPol, func(k config.PolicyKind) bool { return ch.Keep(name, k) }, reg, events)
		if err != nil {
			return nil, fmt.Errorf("proxy: %w", err)
		}
		m, err := newMatcher(rc.Match)
		if err != nil {
			return nil, fmt.Errorf("proxy: route %q: match: %w", rc.Name, err)
		}
		rt := &route{
			name: rc.Name, cfg: rc, match: m, cluster: t.clusters[rc.Cluster], pol: pol,
			stats:   reg.Instance("route", rc.Name),
			clStats: reg.Instance("cluster", rc.Cluster),
			timeout: routeTimeout(rc.Policies),
		}
		if rt.cluster == nil {
			return nil, fmt.Errorf("proxy: route %q: unknown cluster %q", rc.Name, rc.Cluster)
		}
		if rp := rc.Policies.Retry; rp != nil {
			rt.statuses = rp.RetryOnStatus
			if rt.statuses == nil {
				rt.statuses = []int{502, 503, 504}
			}
		}
		if rt.handler, err = pol.wrap(http.HandlerFunc(rt.forward), routeBound(rc.Policies)); err != nil {
			return nil, fmt.Errorf("proxy: route %q: %w", rc.Name, err)
		}
		if pol.breaker != nil {
			_ = t.controls.AddBreaker(pol.breaker)
		}
		if pol.injector != nil {
			_ = t.controls.AddInjector(pol.injector)
		}
		t.routes = append(t.routes, rt)
	}
	return t, nil
}

// route returns the first route of listener that matches r, or nil.
func (t *table) route(listener string, r *http.Request) *route {
	for _, rt := range t.routes {
		if len(rt.cfg.Listeners) > 0 && !slices.Contains(rt.cfg.Listeners, listener) {
			continue
		}
		if rt.match.matches(r) {
			return rt
		}
	}
	return nil
}

// closeUnused closes the clusters and policy resources of t that next does
// not use.
func (t *table) closeUnused(next *table) {
	for _, r := range t.routes {
		var np *policies
		if next != nil {
			for _, nr := range next.routes {
				if nr.name == r.name {
					np = nr.pol
				}
			}
		}
		r.pol.release(np)
	}
	for name, c := range t.clusters {
		if next == nil || next.clusters[name] != c {
			c.close()
		}
	}
}

// listenerHandler serves one listener from the current table.
type listenerHandler struct {
	p    *Proxy
	name string
}

func (h listenerHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := h.p.table.Load()
	rt := t.route(h.name, r)
	if rt == nil {
		errcode.NewProblem(http.StatusNotFound, "", "no route matches the request").Write(w)
		return
	}
	rt.handler.ServeHTTP(w, r)
}
