package discovery

import (
	"cmp"
	"context"
	"slices"
	"sync"
)

// Feed holds the latest instance set of one service and hands it to any
// number of Watchers: the building block of every Watch in this package,
// exported for adapters (the etcd registry uses it).
//
// Publish sorts a set by ID and drops it when it equals the current one, so
// watchers see each distinct set at most once, in order, each with a
// Version one higher than the last published. Watchers hold no queue: a
// slow one gets the latest set. No goroutine is involved.
//
// The zero Feed is not usable; make one with NewFeed. A Feed is safe for
// concurrent use.
type Feed struct {
	service string

	mu        sync.Mutex
	version   uint64
	set       []Instance
	published bool
	closed    bool
	changed   chan struct{} // closed and replaced on every change
}

// NewFeed returns a Feed of service that has published nothing yet: its
// watchers block until the first Publish.
func NewFeed(service string) *Feed {
	return &Feed{service: service, changed: make(chan struct{})}
}

// Publish makes instances the current set, sorted by ID, and returns its
// Version. A set equal to the current one changes nothing and returns
// changed false. Publish copies the slice, not the instances: do not
// modify them afterwards. Publishing to a closed Feed does nothing.
func (f *Feed) Publish(instances []Instance) (version uint64, changed bool) {
	set := slices.Clone(instances)
	slices.SortFunc(set, func(a, b Instance) int { return cmp.Compare(a.ID, b.ID) })
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || f.published && equalSets(f.set, set) {
		return f.version, false
	}
	if len(set) == 0 {
		set = nil
	}
	f.set = set
	f.published = true
	f.version++
	close(f.changed)
	f.changed = make(chan struct{})
	return f.version, true
}

// Snapshot returns the current set and whether one was ever published.
func (f *Feed) Snapshot() (Update, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return Update{Service: f.service, Version: f.version, Instances: f.set}, f.published
}

// Close ends the Feed: its watchers return the last set they have not yet
// seen, then ErrClosed.
func (f *Feed) Close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		close(f.changed)
	}
}

// Watch returns a Watcher of the Feed, which ends on Close or when ctx is
// done (a nil ctx never ends it).
func (f *Feed) Watch(ctx context.Context) Watcher {
	w := &feedWatcher{f: f, done: make(chan struct{})}
	if ctx != nil && ctx.Done() != nil {
		w.ctxDone = ctx.Done()
		w.stop = context.AfterFunc(ctx, func() { w.Close() })
	}
	return w
}

type feedWatcher struct {
	f         *Feed
	seen      uint64     // guarded by f.mu: the last version returned or skipped
	last      []Instance // guarded by f.mu: the last set returned
	returned  bool       // guarded by f.mu: a set was returned
	done      chan struct{}
	ctxDone   <-chan struct{} // the Watch ctx's, nil if it never ends
	closeOnce sync.Once
	stop      func() bool
}

func (w *feedWatcher) Next(ctx context.Context) (Update, error) {
	f := w.f
	for {
		// The AfterFunc closing w runs in its own goroutine: look at the
		// Watch ctx too, so that Next after its end is always ErrClosed.
		select {
		case <-w.done:
			return Update{}, ErrClosed
		case <-w.ctxDone:
			return Update{}, ErrClosed
		default:
		}
		f.mu.Lock()
		if f.published && f.version > w.seen {
			w.seen = f.version
			// A slow watcher that missed A -> B -> A would see A twice:
			// skip a set equal to the one it has.
			if !w.returned || !equalSets(w.last, f.set) {
				w.last, w.returned = f.set, true
				u := Update{Service: f.service, Version: f.version, Instances: f.set}
				f.mu.Unlock()
				return u, nil
			}
		}
		if f.closed {
			f.mu.Unlock()
			return Update{}, ErrClosed
		}
		ch := f.changed
		f.mu.Unlock()
		select {
		case <-ch:
		case <-w.done:
			return Update{}, ErrClosed
		case <-ctx.Done():
			return Update{}, context.Cause(ctx)
		}
	}
}

func (w *feedWatcher) Close() error {
	w.closeOnce.Do(func() {
		if w.stop != nil {
			w.stop()
		}
		close(w.done)
	})
	return nil
}

// equalSets compares two sets sorted by ID.
func equalSets(a, b []Instance) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

// hub keeps one Feed per service for a source.
type hub struct {
	mu     sync.Mutex
	feeds  map[string]*Feed
	closed bool
	// empty makes new feeds start with a published empty set, for sources
	// that know the full state (a registry, a loaded file); false leaves
	// them unpublished until the source's first answer.
	empty bool
}

func newHub(empty bool) *hub { return &hub{feeds: map[string]*Feed{}, empty: empty} }

// feed returns service's Feed, making it if needed; nil once closed.
func (h *hub) feed(service string) *Feed {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	f := h.feeds[service]
	if f == nil {
		f = NewFeed(service)
		if h.empty {
			f.Publish(nil)
		}
		h.feeds[service] = f
	}
	return f
}

// lookup returns service's current set without making a Feed.
func (h *hub) lookup(service string) ([]Instance, bool) {
	h.mu.Lock()
	f := h.feeds[service]
	closed := h.closed
	h.mu.Unlock()
	if closed || f == nil {
		return nil, false
	}
	u, ok := f.Snapshot()
	return u.Instances, ok
}

// watch returns a Watcher of service, or ErrClosed.
func (h *hub) watch(ctx context.Context, service string) (Watcher, error) {
	f := h.feed(service)
	if f == nil {
		return nil, ErrClosed
	}
	return f.Watch(ctx), nil
}

// publishAll publishes each service's set of groups and an empty set to
// every other known service.
func (h *hub) publishAll(groups map[string][]Instance) {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	for s := range groups {
		if h.feeds[s] == nil {
			h.feeds[s] = NewFeed(s)
		}
	}
	feeds := make([]*Feed, 0, len(h.feeds))
	for _, f := range h.feeds {
		feeds = append(feeds, f)
	}
	h.mu.Unlock()
	for _, f := range feeds {
		f.Publish(groups[f.service])
	}
}

func (h *hub) close() {
	h.mu.Lock()
	h.closed = true
	feeds := h.feeds
	h.feeds = map[string]*Feed{}
	h.mu.Unlock()
	for _, f := range feeds {
		f.Close()
	}
}
