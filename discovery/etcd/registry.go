package etcd

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"sync"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

// Registry is a discovery.Registry on etcd v3, spoken through etcd's JSON
// gateway over net/http.
//
// Register stores an instance as JSON at Prefix+service+"/"+id, attached to
// the Registry's lease, which a background keep-alive renews every TTL/3:
// when the process dies, renewals stop and etcd deletes its instances TTL
// later. An ID is refused with discovery.ErrDuplicateID when its key
// already exists, whoever registered it. If the lease is lost (etcd was
// unreachable for longer than TTL), the Registry grants a new one and
// registers its instances again, every RetryInterval until it succeeds.
//
// Lookup lists a service's keys. Watch lists them, then watches the prefix
// from the next revision, so no change between the two is missed; when the
// watch breaks (compaction, a lost leader, a closed stream) it lists again
// and carries on. Updates are full snapshots (see discovery.Watcher).
//
// Every request is bounded by OpTimeout, so an etcd that does not answer
// yields ErrUnavailable instead of a hang; wrap the Registry in a
// discovery.Cache to serve the last known good instances while etcd is
// down.
//
// Make one with New and stop it with Close, which revokes the lease (the
// instances vanish at once), ends every watcher and waits for every
// goroutine. A Registry is safe for concurrent use.
type Registry struct {
	cfg Config
	cli *client
	clk clock.Clock

	ctx    context.Context // ends on Close
	cancel context.CancelFunc
	wg     sync.WaitGroup

	// leaseMu serializes the writes tied to the lease: granting, putting,
	// restoring after a loss.
	leaseMu     sync.Mutex
	lease       int64 // 0: none
	leaseCancel context.CancelFunc

	mu     sync.Mutex
	regs   map[string]*registration // by ID; nil value: being registered
	closed bool
}

type registration struct {
	key   string
	value string
}

var _ discovery.Registry = (*Registry)(nil)

// New returns a Registry configured by cfg, or cfg's error. It does not wait
// for a connection: requests made while etcd is unreachable fail after
// OpTimeout with ErrUnavailable.
func New(cfg Config) (*Registry, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	r := &Registry{cfg: cfg, clk: cfg.Clock, cli: newClient(cfg), regs: map[string]*registration{}}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	return r, nil
}

func (r *Registry) key(service, id string) string { return r.cfg.Prefix + service + "/" + id }

func (r *Registry) servicePrefix(service string) string { return r.cfg.Prefix + service + "/" }

// Register stores inst under the Registry's lease. Invalid instances are
// refused with an error matching discovery.ErrInvalidInstance, an ID this
// Registry holds or whose key exists in etcd with discovery.ErrDuplicateID;
// an etcd that does not answer gives ErrUnavailable. Nothing is stored
// when it fails.
func (r *Registry) Register(ctx context.Context, inst discovery.Instance) error {
	if inst.Weight == 0 {
		inst.Weight = 1
	}
	if err := inst.Validate(); err != nil {
		return err
	}
	if inst.Metadata != nil {
		inst.Metadata = maps.Clone(inst.Metadata)
	}
	value, err := json.Marshal(inst)
	if err != nil {
		return fmt.Errorf("etcd: register %q: encode: %w", inst.ID, err)
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return discovery.ErrClosed
	}
	if _, dup := r.regs[inst.ID]; dup {
		r.mu.Unlock()
		return fmt.Errorf("etcd: register %q: this registry already holds it: %w", inst.ID, discovery.ErrDuplicateID)
	}
	r.regs[inst.ID] = nil // reserved while it is being registered
	r.mu.Unlock()

	reg := &registration{key: r.key(inst.Service, inst.ID), value: string(value)}
	if err := r.put(ctx, inst.ID, reg); err != nil {
		r.mu.Lock()
		delete(r.regs, inst.ID)
		r.mu.Unlock()
		return err
	}
	r.mu.Lock()
	r.regs[inst.ID] = reg
	r.mu.Unlock()
	return nil
}

// put stores reg if its key is free, under the current lease (granting one
// if needed).
func (r *Registry) put(ctx context.Context, id string, reg *registration) error {
	r.leaseMu.Lock()
	defer r.leaseMu.Unlock()
	lease, err := r.ensureLeaseLocked(ctx)
	if err != nil {
		return err
	}
	opCtx, cancel := r.op(ctx)
	defer cancel()
	created, err := r.cli.create(opCtx, reg.key, reg.value, lease)
	if err != nil {
		return r.wrap(ctx, opCtx, "register "+strconv.Quote(id), err)
	}
	if !created {
		return fmt.Errorf("etcd: register %q: key %s already exists: %w", id, reg.key, discovery.ErrDuplicateID)
	}
	return nil
}

// Deregister deletes the instance this Registry registered with that ID.
// An ID it does not hold is discovery.ErrNotFound. If etcd does not answer,
// the instance stays registered here (and in etcd until its lease ends)
// and the error matches ErrUnavailable: call Deregister again.
func (r *Registry) Deregister(ctx context.Context, id string) error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return discovery.ErrClosed
	}
	reg := r.regs[id]
	r.mu.Unlock()
	if reg == nil {
		return fmt.Errorf("etcd: deregister %q: not registered by this registry: %w", id, discovery.ErrNotFound)
	}
	r.leaseMu.Lock() // not while the lease is being restored
	defer r.leaseMu.Unlock()
	opCtx, cancel := r.op(ctx)
	defer cancel()
	if err := r.cli.deleteKey(opCtx, reg.key); err != nil {
		return r.wrap(ctx, opCtx, "deregister "+strconv.Quote(id), err)
	}
	r.mu.Lock()
	if r.regs[id] == reg {
		delete(r.regs, id)
	}
	r.mu.Unlock()
	return nil
}

// Close revokes the lease, so that this Registry's instances vanish at once
// (if etcd does not answer within OpTimeout they vanish when the lease
// expires), ends every watcher and request in flight, waits for every
// goroutine and closes its connections. It returns the revoke's error, if
// any.
func (r *Registry) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	r.mu.Unlock()

	var err error
	r.leaseMu.Lock()
	if r.lease != 0 {
		ctx, cancel := r.op(context.Background())
		if rerr := r.cli.revoke(ctx, r.lease); rerr != nil {
			err = r.wrap(context.Background(), ctx, "close: revoke lease", rerr)
		}
		cancel()
		r.leaseCancel()
		r.lease = 0
	}
	r.leaseMu.Unlock()
	r.cancel()
	r.wg.Wait()
	r.cli.close()
	return err
}

// track counts a goroutine in r.wg unless the Registry is closed: Close
// sets closed before it waits, so no Add races with its Wait.
func (r *Registry) track() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.wg.Add(1)
	return true
}

func (r *Registry) emit(kind resilience.EventKind, err error, detail string) {
	if l := r.cfg.Listener; l != nil {
		l.OnEvent(resilience.Event{Kind: kind, Policy: "discovery", Name: r.cfg.Name, Err: err, Detail: "etcd: " + detail})
	}
}
