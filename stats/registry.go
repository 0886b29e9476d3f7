package stats

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// Registry lists named policy instances and snapshots them all, for
// exporters and dashboards. A Registry is itself a resilience.Listener
// that routes each event to the instance named by its Policy and Name,
// making it on first sight; binding a policy to its own Instance (see
// Listener) skips that lookup.
//
// Make one with NewRegistry, or share Default. A Registry is safe for
// concurrent use; lookups take no lock.
type Registry struct {
	clk   clock.Clock
	limit int

	mu       sync.Mutex // serialises changes to byKey
	byKey    atomic.Pointer[map[instanceKey]*Instance]
	overflow map[string]*Instance // by policy; guarded by mu
}

var _ resilience.Listener = (*Registry)(nil)

type instanceKey struct{ policy, name string }

// NewRegistry returns an empty Registry, or cfg.Validate's error.
func NewRegistry(cfg Config) (*Registry, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &Registry{clk: clock.Or(cfg.Clock), limit: cfg.MaxInstances, overflow: map[string]*Instance{}}
	if r.limit == 0 {
		r.limit = DefaultMaxInstances
	}
	m := map[instanceKey]*Instance{}
	r.byKey.Store(&m)
	return r, nil
}

var defaultRegistry = sync.OnceValue(func() *Registry {
	r, _ := NewRegistry(Config{})
	return r
})

// Default returns the process-wide Registry, on the real clock, that
// exporters read when given none.
func Default() *Registry { return defaultRegistry() }

// Instance returns the instance named (policy, name), making it if need
// be. Beyond Config.MaxInstances it returns the policy's overflow instance
// (named OverflowName).
func (r *Registry) Instance(policy, name string) *Instance {
	if in := (*r.byKey.Load())[instanceKey{policy, name}]; in != nil {
		return in
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old := *r.byKey.Load()
	k := instanceKey{policy, name}
	if in := old[k]; in != nil {
		return in
	}
	if in := r.overflow[policy]; in != nil && len(old) >= r.limit {
		return in
	}
	in := newInstance(policy, name, r.clk)
	if len(old) >= r.limit {
		in = newInstance(policy, OverflowName, r.clk)
		r.overflow[policy] = in
		k.name = OverflowName
	}
	m := make(map[instanceKey]*Instance, len(old)+1)
	for key, v := range old {
		m[key] = v
	}
	m[k] = in
	r.byKey.Store(&m)
	return in
}

// Listener returns the Instance named (policy, name) as a Listener, to set
// as that policy's Config.Listener. Use the same name as the policy's
// Config.Name, so that events routed by name and sources agree.
func (r *Registry) Listener(policy, name string) resilience.Listener {
	return r.Instance(policy, name)
}

// OnEvent routes e to the instance named by e.Policy and e.Name.
func (r *Registry) OnEvent(e resilience.Event) {
	r.Instance(e.Policy, e.Name).OnEvent(e)
}

// Remove forgets the instance named (policy, name) and reports whether
// there was one. Listeners bound to it keep recording into it unseen.
func (r *Registry) Remove(policy, name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := *r.byKey.Load()
	k := instanceKey{policy, name}
	if old[k] == nil {
		return false
	}
	m := make(map[instanceKey]*Instance, len(old))
	for key, v := range old {
		if key != k {
			m[key] = v
		}
	}
	if name == OverflowName {
		delete(r.overflow, policy)
	}
	r.byKey.Store(&m)
	return true
}

// Instances returns every instance, sorted by policy then name.
func (r *Registry) Instances() []*Instance {
	m := *r.byKey.Load()
	out := make([]*Instance, 0, len(m))
	for _, in := range m {
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b *Instance) int {
		return cmp.Or(cmp.Compare(a.policy, b.policy), cmp.Compare(a.name, b.name))
	})
	return out
}

// Snapshot returns a snapshot of every instance, sorted by policy then
// name.
func (r *Registry) Snapshot() []InstanceSnapshot {
	ins := r.Instances()
	out := make([]InstanceSnapshot, len(ins))
	for i, in := range ins {
		out[i] = in.Snapshot()
	}
	return out
}
