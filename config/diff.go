package config

import (
	"cmp"
	"reflect"
	"slices"
)

// PolicyKind names one stateful policy of a route: the unit whose state (a
// breaker's window, a limiter's buckets, a budget's counts, a cache) the
// proxy can carry over a reload.
type PolicyKind string

// The policy kinds, with the YAML key of each under policies.
const (
	KindTimeout        PolicyKind = "timeout"
	KindRetry          PolicyKind = "retry" // retry without its budget and hedge
	KindRetryBudget    PolicyKind = "retry.budget"
	KindHedge          PolicyKind = "retry.hedge"
	KindCircuitBreaker PolicyKind = "circuit_breaker"
	KindRateLimit      PolicyKind = "rate_limit"
	KindBulkhead       PolicyKind = "bulkhead"
	KindAdaptive       PolicyKind = "adaptive"
	KindShedder        PolicyKind = "shedder"
	KindFallback       PolicyKind = "fallback"
	KindChaos          PolicyKind = "chaos"
	KindDeadline       PolicyKind = "deadline"
)

// PolicyID identifies a policy across reloads: its route's name and its
// kind.
type PolicyID struct {
	// Route is the route's name.
	Route string `json:"route"`
	// Kind is the policy's kind.
	Kind PolicyKind `json:"kind"`
}

// String returns "route/kind".
func (id PolicyID) String() string { return id.Route + "/" + string(id.Kind) }

// NameChanges sorts the named elements of two configs, by name.
type NameChanges struct {
	// Added are only in the new config, Removed only in the old one;
	// Changed are in both with different settings, Unchanged in both with
	// equal settings. Each list is sorted.
	Added, Removed, Changed, Unchanged []string
}

// PolicyChanges sorts the policies of two configs, by route then kind.
type PolicyChanges struct {
	// Added, Removed, Changed and Unchanged are as in NameChanges, sorted
	// by route then kind.
	Added, Removed, Changed, Unchanged []PolicyID
}

// Changes is what Diff found between two configs.
type Changes struct {
	// Listeners, Routes and Clusters compare those lists by name.
	Listeners NameChanges
	Routes    NameChanges
	Clusters  NameChanges
	// Policies compares the routes' policies by route name and kind.
	Policies PolicyChanges
	// RoutesReordered is set when the routes both configs have are in a
	// different order, which changes which one matches first.
	RoutesReordered bool
	// Admin, Redis and Process are set when those sections changed.
	Admin, Redis, Process bool
}

// Empty reports whether the configs are equal.
func (c Changes) Empty() bool {
	return len(c.Listeners.Added)+len(c.Listeners.Removed)+len(c.Listeners.Changed)+
		len(c.Routes.Added)+len(c.Routes.Removed)+len(c.Routes.Changed)+
		len(c.Clusters.Added)+len(c.Clusters.Removed)+len(c.Clusters.Changed) == 0 &&
		!c.RoutesReordered && !c.Admin && !c.Redis && !c.Process
}

// Keep reports whether the policy of that kind on that route is in both
// configs with equal settings, so that the proxy should keep its running
// instance, and its state, rather than build a new one.
func (c Changes) Keep(route string, kind PolicyKind) bool {
	return slices.Contains(c.Policies.Unchanged, PolicyID{route, kind})
}

// Diff compares two configs: which listeners, routes and clusters were
// added, removed or changed (by name), and which policies (by route name
// and kind, compared by their settings). A nil old config counts as empty.
// A Redis rate limit counts as changed when redis.url changed.
func Diff(old, new *Config) Changes {
	if old == nil {
		old = &Config{}
	}
	if new == nil {
		new = &Config{}
	}
	var c Changes
	c.Listeners = diffNamed(old.Listeners, new.Listeners, func(l Listener) string { return l.Name })
	c.Routes = diffNamed(old.Routes, new.Routes, func(r Route) string { return r.Name })
	c.Clusters = diffNamed(old.Clusters, new.Clusters, func(cl Cluster) string { return cl.Name })
	c.Admin = !reflect.DeepEqual(old.Admin, new.Admin)
	c.Redis = !reflect.DeepEqual(old.Redis, new.Redis)
	c.Process = old.Process != new.Process
	c.RoutesReordered = !slices.Equal(commonOrder(old, new), commonOrder(new, old))

	oldRoutes := map[string]*Route{}
	for i := range old.Routes {
		oldRoutes[old.Routes[i].Name] = &old.Routes[i]
	}
	seen := map[PolicyID]bool{}
	for i := range new.Routes {
		r := &new.Routes[i]
		before := map[PolicyKind]any{}
		if o := oldRoutes[r.Name]; o != nil {
			before = policyParts(o)
		}
		for kind, cfg := range policyParts(r) {
			id := PolicyID{r.Name, kind}
			seen[id] = true
			prev, ok := before[kind]
			switch {
			case !ok:
				c.Policies.Added = append(c.Policies.Added, id)
			case kind == KindRateLimit && c.Redis && (usesRedis(prev) || usesRedis(cfg)):
				c.Policies.Changed = append(c.Policies.Changed, id)
			case reflect.DeepEqual(prev, cfg):
				c.Policies.Unchanged = append(c.Policies.Unchanged, id)
			default:
				c.Policies.Changed = append(c.Policies.Changed, id)
			}
		}
	}
	for i := range old.Routes {
		r := &old.Routes[i]
		for kind := range policyParts(r) {
			if id := (PolicyID{r.Name, kind}); !seen[id] {
				c.Policies.Removed = append(c.Policies.Removed, id)
			}
		}
	}
	for _, l := range []*[]PolicyID{&c.Policies.Added, &c.Policies.Removed, &c.Policies.Changed, &c.Policies.Unchanged} {
		slices.SortFunc(*l, func(a, b PolicyID) int {
			if a.Route != b.Route {
				return cmp.Compare(a.Route, b.Route)
			}
			return cmp.Compare(a.Kind, b.Kind)
		})
	}
	return c
}

// usesRedis reports whether a rate limit's settings use Redis.
func usesRedis(rl any) bool {
	r, ok := rl.(RateLimitPolicy)
	return ok && r.Redis != nil
}

// policyParts returns the settings of each policy of r, by kind.
func policyParts(r *Route) map[PolicyKind]any {
	p := &r.Policies
	out := map[PolicyKind]any{}
	add := func(kind PolicyKind, ptr any) {
		if v := reflect.ValueOf(ptr); !v.IsNil() {
			out[kind] = v.Elem().Interface()
		}
	}
	add(KindTimeout, p.Timeout)
	if p.Retry != nil {
		rp := *p.Retry
		rp.Budget, rp.Hedge = nil, nil
		out[KindRetry] = rp
		add(KindRetryBudget, p.Retry.Budget)
		add(KindHedge, p.Retry.Hedge)
	}
	add(KindCircuitBreaker, p.CircuitBreaker)
	if p.RateLimit != nil {
		out[KindRateLimit] = *p.RateLimit
	}
	add(KindBulkhead, p.Bulkhead)
	add(KindAdaptive, p.Adaptive)
	add(KindShedder, p.Shedder)
	add(KindFallback, p.Fallback)
	add(KindChaos, p.Chaos)
	add(KindDeadline, p.Deadline)
	return out
}

// diffNamed compares two lists of named elements.
func diffNamed[T any](old, new []T, name func(T) string) NameChanges {
	var c NameChanges
	before := map[string]T{}
	for _, x := range old {
		before[name(x)] = x
	}
	after := map[string]bool{}
	for _, x := range new {
		n := name(x)
		after[n] = true
		prev, ok := before[n]
		switch {
		case !ok:
			c.Added = append(c.Added, n)
		case reflect.DeepEqual(prev, x):
			c.Unchanged = append(c.Unchanged, n)
		default:
			c.Changed = append(c.Changed, n)
		}
	}
	for _, x := range old {
		if !after[name(x)] {
			c.Removed = append(c.Removed, name(x))
		}
	}
	for _, l := range []*[]string{&c.Added, &c.Removed, &c.Changed, &c.Unchanged} {
		slices.Sort(*l)
	}
	return c
}

// commonOrder returns the names of a's routes that b also has, in a's
// order.
func commonOrder(a, b *Config) []string {
	in := map[string]bool{}
	for _, r := range b.Routes {
		in[r.Name] = true
	}
	var out []string
	for _, r := range a.Routes {
		if in[r.Name] {
			out = append(out, r.Name)
		}
	}
	return out
}
