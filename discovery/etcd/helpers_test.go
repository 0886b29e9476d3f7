package etcd

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

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

// cutProxy forwards TCP connections to target until cut: the network of
// a process that crashed, as etcd sees it.
type cutProxy struct {
	l     net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
	cut   bool
}

// newCutProxy forwards to the host:port of the URL target and returns the
// proxy with its own URL; it is cut at the test's end.
func newCutProxy(t *testing.T, target string) (*cutProxy, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{l: l}
	hostport := strings.TrimPrefix(target, "http://")
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", hostport)
			if err != nil {
				c.Close()
				continue
			}
			if !p.track(c, up) {
				return
			}
			p.wg.Add(2)
			go func() { defer p.wg.Done(); io.Copy(up, c); up.Close() }()
			go func() { defer p.wg.Done(); io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(p.Cut)
	return p, "http://" + l.Addr().String()
}

func (p *cutProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	p.conns = append(p.conns, cs...)
	return true
}

// Cut closes the listener and every connection, and waits for the copies.
func (p *cutProxy) Cut() {
	p.mu.Lock()
	p.cut = true
	p.l.Close()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
	p.mu.Unlock()
	p.wg.Wait()
}
