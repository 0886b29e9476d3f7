package dashboard

import (
	"cmp"
	"slices"
	"sync"

	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/circuitbreaker"
)

// Target kinds, as in Target.Kind and the page's control endpoints.
const (
	// KindBreaker is a circuit breaker, controlled by ForceOpen, ForceClose
	// and Reset.
	KindBreaker = "circuitbreaker"
	// KindChaos is a fault injector, controlled by SetChaos.
	KindChaos = "chaos"
)

// Target is one policy instance the page can control.
type Target struct {
	// Kind is KindBreaker or KindChaos, the policy name its stats instance
	// is registered under.
	Kind string `json:"kind"`
	// Name is the instance's name, the {name} of the control endpoints.
	Name string `json:"name"`
	// State is the instance's current state: a circuitbreaker.State name
	// ("closed", "forced_open", ...), or "enabled" / "disabled" for chaos.
	State string `json:"state"`
}

// Controls carries out the dashboard's manual controls. The sidecar proxy
// implements it over its routes and clusters; Registry implements it over
// breakers and injectors registered by hand. Every method must be safe for
// concurrent use and return ErrUnknownTarget (or an error wrapping it) for
// a name it does not control.
type Controls interface {
	// Targets lists what can be controlled, with current states, so the
	// page shows the right buttons.
	Targets() []Target
	// ForceOpen holds breaker name open: it rejects every call until
	// ForceClose or Reset.
	ForceOpen(name string) error
	// ForceClose closes breaker name now, so it admits calls again. It is
	// not a pinned state: the breaker keeps counting and trips again if
	// failures continue (Registry uses Breaker.Reset; pinning it closed
	// with Breaker.Disable would also stop it recording, which would blind
	// the dashboard).
	ForceClose(name string) error
	// Reset returns breaker name to automatic operation from whatever
	// state it is in, closed with its window cleared (Breaker.Reset).
	Reset(name string) error
	// SetChaos switches fault injection of injector name on or off
	// (Injector.Enable / Disable).
	SetChaos(name string, on bool) error
}

// Registry is a Controls over breakers and fault injectors registered by
// name. The zero value is an empty Registry ready to use; it is safe for
// concurrent use.
//
// ForceClose and Reset both call Breaker.Reset: the breaker closes with its
// window cleared and goes on tripping by itself. The two buttons differ
// only in the event the dashboard records.
type Registry struct {
	mu        sync.RWMutex
	breakers  map[string]*circuitbreaker.Breaker
	injectors map[string]*chaos.Injector
}

var _ Controls = (*Registry)(nil)

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry { return &Registry{} }

// AddBreaker registers b under b.Name(). It returns ErrNoName for a nil or
// unnamed breaker and ErrDuplicateName when a breaker has that name.
func (r *Registry) AddBreaker(b *circuitbreaker.Breaker) error {
	if b == nil || b.Name() == "" {
		return ErrNoName
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.breakers[b.Name()]; ok {
		return ErrDuplicateName
	}
	if r.breakers == nil {
		r.breakers = map[string]*circuitbreaker.Breaker{}
	}
	r.breakers[b.Name()] = b
	return nil
}

// AddInjector registers inj under inj.Name(). It returns ErrNoName for a
// nil injector and ErrDuplicateName when an injector has that name.
func (r *Registry) AddInjector(inj *chaos.Injector) error {
	if inj == nil || inj.Name() == "" {
		return ErrNoName
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.injectors[inj.Name()]; ok {
		return ErrDuplicateName
	}
	if r.injectors == nil {
		r.injectors = map[string]*chaos.Injector{}
	}
	r.injectors[inj.Name()] = inj
	return nil
}

// Targets lists the registered breakers then injectors, each sorted by
// name, with their current states.
func (r *Registry) Targets() []Target {
	r.mu.RLock()
	breakers := make([]*circuitbreaker.Breaker, 0, len(r.breakers))
	for _, b := range r.breakers {
		breakers = append(breakers, b)
	}
	injectors := make([]*chaos.Injector, 0, len(r.injectors))
	for _, inj := range r.injectors {
		injectors = append(injectors, inj)
	}
	r.mu.RUnlock()
	// Outside the lock: State may apply a due transition and report it to
	// the breaker's listener.
	out := make([]Target, 0, len(breakers)+len(injectors))
	for _, b := range breakers {
		out = append(out, Target{Kind: KindBreaker, Name: b.Name(), State: b.State().String()})
	}
	for _, inj := range injectors {
		out = append(out, Target{Kind: KindChaos, Name: inj.Name(), State: chaosState(inj.Enabled())})
	}
	byName := func(a, b Target) int { return cmp.Compare(a.Name, b.Name) }
	slices.SortFunc(out[:len(breakers)], byName)
	slices.SortFunc(out[len(breakers):], byName)
	return out
}

func chaosState(on bool) string {
	if on {
		return "enabled"
	}
	return "disabled"
}

// ForceOpen calls ForceOpen on the breaker named name.
func (r *Registry) ForceOpen(name string) error {
	return r.withBreaker(name, (*circuitbreaker.Breaker).ForceOpen)
}

// ForceClose calls Reset on the breaker named name: see Controls.
func (r *Registry) ForceClose(name string) error {
	return r.withBreaker(name, (*circuitbreaker.Breaker).Reset)
}

// Reset calls Reset on the breaker named name.
func (r *Registry) Reset(name string) error {
	return r.withBreaker(name, (*circuitbreaker.Breaker).Reset)
}

// SetChaos enables or disables the injector named name.
func (r *Registry) SetChaos(name string, on bool) error {
	r.mu.RLock()
	inj := r.injectors[name]
	r.mu.RUnlock()
	if inj == nil {
		return ErrUnknownTarget
	}
	if on {
		inj.Enable()
	} else {
		inj.Disable()
	}
	return nil
}

// withBreaker calls f on the named breaker outside the lock, since f
// reports events to the breaker's listener.
func (r *Registry) withBreaker(name string, f func(*circuitbreaker.Breaker)) error {
	r.mu.RLock()
	b := r.breakers[name]
	r.mu.RUnlock()
	if b == nil {
		return ErrUnknownTarget
	}
	f(b)
	return nil
}
