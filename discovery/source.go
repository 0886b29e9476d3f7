package discovery

import "context"

// Source is the read side of discovery: where callers find a service's
// instances. Static, File, DNS, Memory, Cache, HybridSource and the etcd
// registry are Sources.
type Source interface {
	// Lookup returns the current instances of service, sorted by ID. The
	// slice and the instances are shared snapshots: do not modify them.
	// Sources bound to one service return ErrUnknownService for others;
	// the others return an empty set for a service they do not know.
	Lookup(ctx context.Context, service string) ([]Instance, error)
	// Watch returns a Watcher of service's instance set. Its first Next
	// returns the current set as soon as the source knows one. The watcher
	// ends when it is closed or ctx is done; either way it releases every
	// goroutine it started.
	Watch(ctx context.Context, service string) (Watcher, error)
}

// Registry is a Source that instances can join and leave.
type Registry interface {
	Source
	// Register adds inst to its service. The instance is validated first
	// (Instance.Validate; errors match ErrInvalidInstance) and its default
	// weight filled in. An ID that is already registered is refused with
	// ErrDuplicateID and nothing changes.
	Register(ctx context.Context, inst Instance) error
	// Deregister removes the instance with that ID, or returns ErrNotFound.
	Deregister(ctx context.Context, id string) error
}

// Update is one snapshot of a service's instance set, delivered by a
// Watcher. Each update replaces the previous one whole: there are no
// deltas to apply and none to miss.
type Update struct {
	// Service is the watched service.
	Service string
	// Version numbers the snapshots of one watched set, from 1, and grows
	// by one each time the set changes; a watcher may skip versions when
	// its consumer is slower than the changes.
	Version uint64
	// Instances is the whole set, sorted by ID; shared, do not modify.
	Instances []Instance
}

// Watcher delivers a service's instance sets in order.
//
// Updates are full snapshots with a growing Version. Next never returns
// the same set twice in a row: a set equal to the one the watcher returned
// last is skipped, even when the sets in between were missed. A slow consumer is never queued behind: each Next
// returns the latest set, skipping the ones it missed, so memory stays
// bounded whatever the rate of change.
//
// Next is meant for one goroutine; Close may be called from any goroutine,
// more than once.
type Watcher interface {
	// Next blocks until a set newer than the last one returned is
	// available, then returns it. It returns ctx's cause when ctx ends
	// first, and ErrClosed once the watcher, its source or the context
	// given to Watch is done.
	Next(ctx context.Context) (Update, error)
	// Close ends the watcher and releases its goroutines; a Next blocked on
	// it returns ErrClosed. It returns nil.
	Close() error
}
