package discovery_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/discovery"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// inst makes a valid instance of service "api" at 10.0.0.<n>:8080.
func inst(id string, n int) discovery.Instance {
	return discovery.Instance{ID: id, Service: "api", Address: fmt.Sprintf("10.0.0.%d", n), Port: 8080, Weight: 1}
}

// ids lists the IDs of a set, for compact comparisons.
func ids(set []discovery.Instance) string {
	out := make([]string, len(set))
	for i, x := range set {
		out[i] = x.ID
	}
	return "[" + strings.Join(out, " ") + "]"
}

// next calls w.Next with a bounded real-time context, so that a bug fails
// the test instead of hanging it.
func next(t *testing.T, w discovery.Watcher) discovery.Update {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u, err := w.Next(ctx)
	if err != nil {
		t.Fatalf("Next() error %v", err)
	}
	return u
}

// noNext asserts that w has no update pending.
func noNext(t *testing.T, w discovery.Watcher) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if u, err := w.Next(ctx); err == nil {
		t.Fatalf("Next() = version %d %s, want nothing new", u.Version, ids(u.Instances))
	}
}

// recorder is a Listener that keeps events.
type recorder struct {
	mu     sync.Mutex
	events []resilience.Event
}

func (r *recorder) OnEvent(e resilience.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) count(k resilience.EventKind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Kind == k {
			n++
		}
	}
	return n
}

func (r *recorder) last(k resilience.EventKind) (resilience.Event, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.events) - 1; i >= 0; i-- {
		if r.events[i].Kind == k {
			return r.events[i], true
		}
	}
	return resilience.Event{}, false
}

// fakeSource is a Source whose answers the test sets. Lookup blocks while
// block is set, until its context ends (or, with ignoreCtx, until release
// is closed).
type fakeSource struct {
	mu        sync.Mutex
	set       []discovery.Instance
	err       error
	calls     int
	block     bool
	ignoreCtx bool
	release   chan struct{}
	started   chan struct{} // receives once per blocked call, if not nil
	watch     func(ctx context.Context, service string) (discovery.Watcher, error)
}

func (f *fakeSource) answer(set []discovery.Instance, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.set, f.err = set, err
}

func (f *fakeSource) Lookup(ctx context.Context, service string) ([]discovery.Instance, error) {
	f.mu.Lock()
	f.calls++
	set, err, block, ignore, release, started := f.set, f.err, f.block, f.ignoreCtx, f.release, f.started
	f.mu.Unlock()
	if block {
		if started != nil {
			select {
			case started <- struct{}{}:
			default:
			}
		}
		if ignore {
			<-release
			return set, err
		}
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return set, err
}

func (f *fakeSource) Watch(ctx context.Context, service string) (discovery.Watcher, error) {
	f.mu.Lock()
	w := f.watch
	f.mu.Unlock()
	if w == nil {
		return nil, errors.New("fake: no watch")
	}
	return w(ctx, service)
}

func (f *fakeSource) callCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

var errDown = errors.New("fake: source down")

// fakeResolver answers DNS lookups from maps; hosts missing from them get
// a *net.DNSError.
type fakeResolver struct {
	mu    sync.Mutex
	ips   map[string][]netip.Addr
	srv   map[string][]*net.SRV
	err   error
	calls int
	block bool // wait for ctx
}

func (r *fakeResolver) set(host string, addrs ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.ips == nil {
		r.ips = map[string][]netip.Addr{}
	}
	r.ips[host] = []netip.Addr{}
	for _, a := range addrs {
		r.ips[host] = append(r.ips[host], netip.MustParseAddr(a))
	}
}

func (r *fakeResolver) setErr(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.err = err
}

func (r *fakeResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	r.calls++
	addrs, ok := r.ips[host]
	addrs, err, block := slices.Clone(addrs), r.err, r.block
	r.mu.Unlock()
	if block {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var out []netip.Addr
	for _, a := range addrs {
		if network == "ip4" && !a.Is4() || network == "ip6" && !a.Is6() {
			continue
		}
		out = append(out, a)
	}
	return out, nil
}

func (r *fakeResolver) LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error) {
	r.mu.Lock()
	r.calls++
	recs, err := r.srv[name], r.err
	r.mu.Unlock()
	if err != nil {
		return "", nil, err
	}
	if recs == nil {
		return "", nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
	}
	return name, recs, nil
}
