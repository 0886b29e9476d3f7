package discovery

import (
	"context"
	"fmt"
	"strconv"
	"sync"
)

// StaticConfig configures a StaticSource from a config file: direct mode,
// where the client connects to the listed endpoints without any registry.
type StaticConfig struct {
	// Service names the one service the endpoints belong to. Required.
	Service string `yaml:"service" json:"service"`
	// Endpoints are the specs parsed by ParseEndpoint ("10.0.0.1:8080",
	// "[::1]:9090;weight=2;zone=a"). At least one is required.
	Endpoints []string `yaml:"endpoints" json:"endpoints"`
}

// Validate reports the first invalid field or endpoint, naming it.
func (c StaticConfig) Validate() error {
	_, err := c.instances()
	return err
}

func (c StaticConfig) instances() ([]Instance, error) {
	if err := validName("static: Service", c.Service); err != nil {
		return nil, err
	}
	if len(c.Endpoints) == 0 {
		return nil, fmt.Errorf("discovery: static: Endpoints of service %q is empty: %w", c.Service, ErrNoInstances)
	}
	return ParseEndpoints(c.Service, c.Endpoints...)
}

// StaticSource serves a fixed list of endpoints of one service: the direct
// mode. Its set changes only through SetHealth, which a health checker
// calls to mark endpoints up or down; watchers see those changes.
//
// Make one with Static, NewStatic or StaticInstances; the zero value is not
// usable. It is safe for concurrent use and starts no goroutine.
type StaticSource struct {
	service string
	feed    *Feed

	mu   sync.Mutex
	byID map[string]Instance
}

var _ Source = (*StaticSource)(nil)

// Static returns a StaticSource of service with the given endpoint specs
// ("host:port", optionally ";weight=N;zone=Z;..." as ParseEndpoint reads
// them). Malformed specs and duplicate endpoints are errors naming them.
func Static(service string, endpoints ...string) (*StaticSource, error) {
	return NewStatic(StaticConfig{Service: service, Endpoints: endpoints})
}

// NewStatic returns a StaticSource configured by cfg, or cfg's error.
func NewStatic(cfg StaticConfig) (*StaticSource, error) {
	list, err := cfg.instances()
	if err != nil {
		return nil, err
	}
	return newStatic(cfg.Service, list), nil
}

// StaticInstances returns a StaticSource of service serving the given
// instances, validated, with the service and default weight filled in
// where missing. An instance of another service is an error.
func StaticInstances(service string, instances ...Instance) (*StaticSource, error) {
	if err := validName("static: service", service); err != nil {
		return nil, err
	}
	if len(instances) == 0 {
		return nil, fmt.Errorf("discovery: static: no instances for service %q: %w", service, ErrNoInstances)
	}
	list, err := prepareList(instances, service)
	if err != nil {
		return nil, err
	}
	for n, inst := range list {
		if inst.Service != service {
			return nil, invalidf(ErrInvalidInstance, "static: instance #%d (%q) belongs to service %q, not %q", n+1, inst.ID, inst.Service, service)
		}
	}
	return newStatic(service, list), nil
}

func newStatic(service string, list []Instance) *StaticSource {
	s := &StaticSource{service: service, feed: NewFeed(service), byID: make(map[string]Instance, len(list))}
	for _, inst := range list {
		s.byID[inst.ID] = inst
	}
	s.feed.Publish(list)
	return s
}

// Service returns the service the source serves.
func (s *StaticSource) Service() string { return s.service }

// Lookup returns the endpoints, or ErrUnknownService for another service.
func (s *StaticSource) Lookup(ctx context.Context, service string) ([]Instance, error) {
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	if service != s.service {
		return nil, s.unknown(service)
	}
	u, _ := s.feed.Snapshot()
	return u.Instances, nil
}

// Watch returns a Watcher whose first Next returns the endpoints; later ones
// follow SetHealth. Another service is ErrUnknownService.
func (s *StaticSource) Watch(ctx context.Context, service string) (Watcher, error) {
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	if service != s.service {
		return nil, s.unknown(service)
	}
	return s.feed.Watch(ctx), nil
}

// SetHealth marks the endpoint with that ID (its host:port unless the spec
// named an id) and publishes the change. Unknown IDs are ErrNotFound.
func (s *StaticSource) SetHealth(id string, h Health) error {
	if !h.valid() {
		return invalidf(ErrInvalidHealth, "health %d must be Unknown, Healthy or Unhealthy", h)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, ok := s.byID[id]
	if !ok {
		return notFound(id)
	}
	inst.Health = h
	s.byID[id] = inst
	set := make([]Instance, 0, len(s.byID))
	for _, i := range s.byID {
		set = append(set, i)
	}
	s.feed.Publish(set)
	return nil
}

func (s *StaticSource) unknown(service string) error {
	return fmt.Errorf("discovery: static source of %s asked for %s: %w", strconv.Quote(s.service), strconv.Quote(service), ErrUnknownService)
}
