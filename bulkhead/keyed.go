package bulkhead

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/resilience-go/resilience"
)

// KeyedConfig configures a Keyed bulkhead.
type KeyedConfig struct {
	// Semaphore is the Config every key's Semaphore is made with; its Name,
	// when set, prefixes each key's name ("name/key"). Required, as for New.
	Semaphore Config `yaml:"semaphore" json:"semaphore"`
	// MaxKeys bounds how many keys have a semaphore at once. When a new key
	// would exceed it, an idle key (nothing in flight or waiting) is evicted;
	// if none is idle the call is refused with ErrTooManyKeys. Zero means
	// 1024; negative is an error.
	MaxKeys int `yaml:"max_keys" json:"max_keys"`
}

// DefaultKeyedConfig returns DefaultConfig for each key and MaxKeys 1024.
func DefaultKeyedConfig() KeyedConfig {
	return KeyedConfig{Semaphore: DefaultConfig(), MaxKeys: defaultMaxKeys}
}

const defaultMaxKeys = 1024

// Validate reports the first invalid field, e.g.
// "bulkhead: MaxKeys -1 must be >= 0".
func (c KeyedConfig) Validate() error {
	if err := c.Semaphore.Validate(); err != nil {
		return err
	}
	if c.MaxKeys < 0 {
		return fmt.Errorf("bulkhead: MaxKeys %d must be >= 0", c.MaxKeys)
	}
	return nil
}

// Keyed is a set of bulkheads, one Semaphore per key, for example one per
// downstream service, so that a slow dependency fills only its own slots.
// Semaphores are created on first use with the shared Config and evicted
// when idle once MaxKeys is reached.
//
// Most callers want Acquire(ctx, key) and Permit.Done. Looking a key up is
// a lock-free map read; creating or evicting one takes a mutex. A Keyed is
// safe for simultaneous use by multiple goroutines.
type Keyed struct {
	cfg     Config
	maxKeys int
	sems    sync.Map // string -> *Semaphore
	mu      sync.Mutex
	count   atomic.Int64
}

// NewKeyed returns a Keyed bulkhead, or the error of cfg.Validate.
func NewKeyed(cfg KeyedConfig) (*Keyed, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxKeys == 0 {
		cfg.MaxKeys = defaultMaxKeys
	}
	return &Keyed{cfg: cfg.Semaphore, maxKeys: cfg.MaxKeys}, nil
}

// Acquire takes a slot in key's semaphore, creating it if needed; see
// Semaphore.Acquire. It returns ErrTooManyKeys when key is new and no
// existing key can be evicted.
func (k *Keyed) Acquire(ctx context.Context, key string) (resilience.Permit, error) {
	for {
		s, err := k.semaphore(key)
		if err != nil {
			return resilience.Permit{}, err
		}
		p, err := s.Acquire(ctx)
		// Eviction marks a semaphore retired and then checks that it is
		// idle; we changed its state and then check the mark. With
		// sequentially consistent atomics one of us sees the other, so a
		// permit is never kept on a semaphore that left the map.
		if !s.retired.Load() {
			return p, err
		}
		if err == nil {
			s.releaseSlot()
		}
	}
}

// Execute runs fn in a slot of key's semaphore; see Semaphore.Execute.
func (k *Keyed) Execute(ctx context.Context, key string, fn func(context.Context) error) (err error) {
	p, err := k.Acquire(ctx, key)
	if err != nil {
		return err
	}
	finished := false
	defer func() {
		if !finished {
			p.Done(resilience.ErrPanicked)
		}
	}()
	err = fn(ctx)
	finished = true
	p.Done(err)
	return err
}

// Get returns key's semaphore if it exists, for reading its Stats or
// changing its limit. Acquire through Keyed, not through the result: an
// evicted semaphore no longer limits its key.
func (k *Keyed) Get(key string) (*Semaphore, bool) {
	v, ok := k.sems.Load(key)
	if !ok {
		return nil, false
	}
	return v.(*Semaphore), true
}

// Len returns how many keys have a semaphore.
func (k *Keyed) Len() int { return int(k.count.Load()) }

// Range calls f for each key and its semaphore until f returns false, in no
// particular order.
func (k *Keyed) Range(f func(key string, s *Semaphore) bool) {
	k.sems.Range(func(key, v any) bool { return f(key.(string), v.(*Semaphore)) })
}

// semaphore returns key's semaphore, creating it (and evicting an idle one
// when at MaxKeys) if needed.
func (k *Keyed) semaphore(key string) (*Semaphore, error) {
	if v, ok := k.sems.Load(key); ok {
		return v.(*Semaphore), nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if v, ok := k.sems.Load(key); ok {
		return v.(*Semaphore), nil
	}
	if int(k.count.Load()) >= k.maxKeys && !k.evictIdleLocked() {
		return nil, ErrTooManyKeys
	}
	name := key
	if k.cfg.Name != "" {
		name = k.cfg.Name + "/" + key
	}
	s := newSemaphore(k.cfg, name)
	k.sems.Store(key, s)
	k.count.Add(1)
	return s, nil
}

// evictIdleLocked removes one semaphore with nothing in flight or waiting.
func (k *Keyed) evictIdleLocked() bool {
	evicted := false
	k.sems.Range(func(key, v any) bool {
		s := v.(*Semaphore)
		s.retired.Store(true)
		if s.state.Load() != 0 {
			s.retired.Store(false)
			return true
		}
		k.sems.Delete(key)
		k.count.Add(-1)
		evicted = true
		return false
	})
	return evicted
}
