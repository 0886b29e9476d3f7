package etcd

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/discovery"
)

func inst(id string, n int) discovery.Instance {
	return discovery.Instance{ID: id, Service: "api", Address: "10.0.0." + string(rune('0'+n)), Port: 8080}
}

func ids(set []discovery.Instance) string {
	out := make([]string, len(set))
	for i, x := range set {
		out[i] = x.ID
	}
	return "[" + strings.Join(out, " ") + "]"
}

// newRegistry makes a Registry on s, closed at the test's end.
func newRegistry(t *testing.T, s *etcdServer, mod func(*Config)) *Registry {
	t.Helper()
	cfg := Config{Endpoints: []string{s.Endpoint()}, TTL: 5 * time.Second, OpTimeout: 2 * time.Second,
		DialTimeout: time.Second, RetryInterval: 200 * time.Millisecond, MaxReconnectDelay: 500 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// rawClient is a plain etcd client for checks behind the Registry's back.
func rawClient(t *testing.T, s *etcdServer) *clientv3.Client {
	t.Helper()
	cli, err := clientv3.New(clientv3.Config{Endpoints: []string{s.Endpoint()}, DialTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli
}

func bg(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// nextUntil reads w until a set with the wanted IDs arrives, within 20s of
// real time (etcd's lease expiry and restarts run on real time).
func nextUntil(t *testing.T, w discovery.Watcher, want string) discovery.Update {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var last discovery.Update
	for {
		u, err := w.Next(ctx)
		if err != nil {
			t.Fatalf("waiting for %s: Next() error %v (last set %s)", want, err, ids(last.Instances))
		}
		if ids(u.Instances) == want {
			return u
		}
		last = u
	}
}

// eventChan is a Listener that hands events to the test without blocking
// the registry (events beyond its buffer are dropped).
type eventChan chan resilience.Event

func (c eventChan) OnEvent(e resilience.Event) {
	select {
	case c <- e:
	default:
	}
}

func waitEvent(t *testing.T, c eventChan, kind resilience.EventKind, detail string, within time.Duration) resilience.Event {
	t.Helper()
	timer := time.NewTimer(within)
	defer timer.Stop()
	for {
		select {
		case e := <-c:
			if e.Kind == kind && strings.Contains(e.Detail, detail) {
				return e
			}
		case <-timer.C:
			t.Fatalf("no %v event about %q within %v", kind, detail, within)
		}
	}
}

// within runs f and fails the test if it does not return in d: the guard
// against hangs.
func within(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %v", what, d)
	}
}

type recorder struct {
	mu     sync.Mutex
	events []resilience.Event
}

func (r *recorder) OnEvent(e resilience.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) has(kind resilience.EventKind, detail string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range r.events {
		if e.Kind == kind && strings.Contains(e.Detail, detail) {
			return true
		}
	}
	return false
}

func clientvGetPrefix() []clientv3.OpOption { return []clientv3.OpOption{clientv3.WithPrefix()} }
