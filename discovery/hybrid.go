package discovery

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/resilience-go/resilience"
)

// Mode says which source a HybridSource serves a service from.
type Mode uint8

// The modes of a HybridSource.
const (
	// ModeNone: the service was not looked up or watched yet.
	ModeNone Mode = iota
	// ModeDirect: the direct endpoints serve.
	ModeDirect
	// ModeRegistry: no direct endpoint is healthy; the registry serves.
	ModeRegistry
)

// String returns "none", "direct" or "registry".
func (m Mode) String() string {
	switch m {
	case ModeDirect:
		return "direct"
	case ModeRegistry:
		return "registry"
	}
	return "none"
}

// HybridConfig configures a HybridSource. Direct and Registry are required.
type HybridConfig struct {
	// Name identifies the source in events. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// Direct is the preferred source, usually a StaticSource of seed
	// endpoints whose health a checker keeps up to date. Required.
	Direct Source `yaml:"-" json:"-"`
	// Registry is the fallback, usually a Cache around a registry. Required.
	Registry Source `yaml:"-" json:"-"`
	// Healthy decides whether a direct endpoint can serve. Nil means
	// Health.Usable: Healthy or Unknown.
	Healthy func(Instance) bool `yaml:"-" json:"-"`
	// Listener receives EventStateChange when a service switches between
	// "direct" and "registry". Nil means no events.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// Validate reports the first invalid field, naming it.
func (c HybridConfig) Validate() error {
	switch {
	case c.Direct == nil:
		return errors.New("discovery: hybrid: Direct is nil")
	case c.Registry == nil:
		return errors.New("discovery: hybrid: Registry is nil")
	}
	return nil
}

// HybridSource serves direct endpoints while any of them is healthy and
// falls back to a registry otherwise: the hybrid connection mode, where
// clients connect straight to known IP:port seeds and use service
// discovery only when the seeds fail.
//
// For each service, the direct set is served when the Direct source answers
// and at least one of its instances is healthy; otherwise the Registry's
// set is served. When the Registry fails too, the direct set is served if
// there is one (unhealthy endpoints beat none); otherwise Lookup returns
// both errors. The instances are served as their source gave them, health
// included; the choice never mixes the two sets.
//
// Make one with Hybrid or NewHybrid. It is safe for concurrent use. It
// bounds no call itself: wrap the Registry (and a slow Direct source) in a
// Cache for timeouts and last-known-good sets.
type HybridSource struct {
	cfg HybridConfig

	mu    sync.Mutex
	modes map[string]Mode
}

var _ Source = (*HybridSource)(nil)

// Hybrid returns a HybridSource preferring direct over registry. It panics
// if either is nil; NewHybrid returns an error instead.
func Hybrid(direct, registry Source) *HybridSource {
	h, err := NewHybrid(HybridConfig{Direct: direct, Registry: registry})
	if err != nil {
		panic(err)
	}
	return h
}

// NewHybrid returns a HybridSource configured by cfg, or cfg's error.
func NewHybrid(cfg HybridConfig) (*HybridSource, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Healthy == nil {
		cfg.Healthy = func(i Instance) bool { return i.Health.Usable() }
	}
	return &HybridSource{cfg: cfg, modes: map[string]Mode{}}, nil
}

// Mode returns which source served service last.
func (h *HybridSource) Mode(service string) Mode {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.modes[service]
}

// Lookup returns the direct set of service while any of it is healthy,
// else the registry's.
func (h *HybridSource) Lookup(ctx context.Context, service string) ([]Instance, error) {
	direct, derr := h.cfg.Direct.Lookup(ctx, service)
	if derr == nil && h.anyHealthy(direct) {
		h.setMode(service, ModeDirect)
		return direct, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	reg, rerr := h.cfg.Registry.Lookup(ctx, service)
	if rerr == nil {
		h.setMode(service, ModeRegistry)
		return reg, nil
	}
	if derr == nil && len(direct) > 0 {
		h.setMode(service, ModeDirect)
		return direct, nil
	}
	if derr == nil {
		derr = fmt.Errorf("discovery: hybrid: direct source has no endpoint of %s: %w", strconv.Quote(service), ErrNoInstances)
	}
	return nil, fmt.Errorf("discovery: hybrid: %s: direct: %w; registry: %w", strconv.Quote(service), derr, rerr)
}

func (h *HybridSource) anyHealthy(set []Instance) bool {
	for _, inst := range set {
		if h.cfg.Healthy(inst) {
			return true
		}
	}
	return false
}

// choose picks a set by the same rules as Lookup from the sets watched so
// far; ok is false while neither source has delivered.
func (h *HybridSource) choose(direct, reg []Instance, haveDirect, haveReg bool) (set []Instance, m Mode, ok bool) {
	switch {
	case haveDirect && h.anyHealthy(direct):
		return direct, ModeDirect, true
	case haveReg:
		return reg, ModeRegistry, true
	case haveDirect:
		return direct, ModeDirect, true
	}
	return nil, ModeNone, false
}

func (h *HybridSource) setMode(service string, m Mode) {
	h.reportSwitch(service, h.swapMode(service, m), m)
}

// swapMode records service's mode and returns the one before.
func (h *HybridSource) swapMode(service string, m Mode) Mode {
	h.mu.Lock()
	defer h.mu.Unlock()
	old := h.modes[service]
	h.modes[service] = m
	return old
}

// reportSwitch emits the switch from old to m, if it is one. It is called
// with no lock held.
func (h *HybridSource) reportSwitch(service string, old, m Mode) {
	if old != m && old != ModeNone && h.cfg.Listener != nil {
		h.cfg.Listener.OnEvent(resilience.Event{
			Kind: resilience.EventStateChange, Policy: "discovery", Name: h.cfg.Name,
			From: old.String(), To: m.String(), Detail: "hybrid: " + service,
		})
	}
}
