package discovery

import (
	"context"
	"strconv"
	"sync"
)

// Memory is a Registry held in process memory: for tests, for single-process
// deployments, and as the model the other registries follow. Register and
// Deregister publish the service's new set to its watchers at once.
//
// An ID identifies one instance in the whole registry, whatever its
// service. The zero Memory is not usable; make one with NewMemory. Memory
// is safe for concurrent use.
type Memory struct {
	mu       sync.Mutex
	byID     map[string]Instance
	services map[string]map[string]Instance
	closed   bool
	hub      *hub
}

var _ Registry = (*Memory)(nil)

// NewMemory returns an empty Memory registry.
func NewMemory() *Memory {
	return &Memory{
		byID:     map[string]Instance{},
		services: map[string]map[string]Instance{},
		hub:      newHub(true),
	}
}

// Register adds inst to its service. Invalid instances are refused with an
// error matching ErrInvalidInstance, an ID already registered with
// ErrDuplicateID; nothing changes then.
func (m *Memory) Register(ctx context.Context, inst Instance) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	inst = inst.normalized()
	if err := inst.Validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	if old, dup := m.byID[inst.ID]; dup {
		return &invalidError{
			msg: "discovery: instance id " + strconv.Quote(inst.ID) + " is already registered (service " +
				strconv.Quote(old.Service) + ", " + old.HostPort() + ")",
			err: ErrDuplicateID,
		}
	}
	m.byID[inst.ID] = inst
	set := m.services[inst.Service]
	if set == nil {
		set = map[string]Instance{}
		m.services[inst.Service] = set
	}
	set[inst.ID] = inst
	m.publishLocked(inst.Service)
	return nil
}

// Deregister removes the instance with that ID, or returns ErrNotFound.
func (m *Memory) Deregister(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return context.Cause(ctx)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	inst, ok := m.byID[id]
	if !ok {
		return notFound(id)
	}
	delete(m.byID, id)
	delete(m.services[inst.Service], id)
	if len(m.services[inst.Service]) == 0 {
		delete(m.services, inst.Service)
	}
	m.publishLocked(inst.Service)
	return nil
}

// SetHealth changes the Health of a registered instance and publishes the
// change; it returns ErrNotFound for an unknown ID and an error matching
// ErrInvalidHealth for an invalid h.
func (m *Memory) SetHealth(id string, h Health) error {
	if !h.valid() {
		return invalidf(ErrInvalidHealth, "health %d must be Unknown, Healthy or Unhealthy", h)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	inst, ok := m.byID[id]
	if !ok {
		return notFound(id)
	}
	inst.Health = h
	m.byID[id] = inst
	m.services[inst.Service][id] = inst
	m.publishLocked(inst.Service)
	return nil
}

// publishLocked publishes service's set. Publishing under m.mu keeps the
// versions in the order of the changes; Feed.Publish calls no user code.
func (m *Memory) publishLocked(service string) {
	f := m.hub.feed(service)
	if f == nil {
		return
	}
	set := make([]Instance, 0, len(m.services[service]))
	for _, inst := range m.services[service] {
		set = append(set, inst)
	}
	f.Publish(set)
}

// Lookup returns service's instances sorted by ID (none for an unknown
// service), as a shared snapshot.
func (m *Memory) Lookup(ctx context.Context, service string) ([]Instance, error) {
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	m.mu.Lock()
	closed := m.closed
	m.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	set, _ := m.hub.lookup(service)
	return set, nil
}

// Watch returns a Watcher of service's set; its first Next returns the
// current set at once, empty for a service without instances.
func (m *Memory) Watch(ctx context.Context, service string) (Watcher, error) {
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	return m.hub.watch(ctx, service)
}

// Close ends every watcher (their Next returns ErrClosed) and makes every
// later call return ErrClosed. It returns nil.
func (m *Memory) Close() error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.hub.close()
	return nil
}

func notFound(id string) error {
	return &invalidError{msg: "discovery: instance id " + strconv.Quote(id) + " is not registered", err: ErrNotFound}
}
