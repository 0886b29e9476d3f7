package etcd

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/internal/leaktest"
)

// blackhole accepts connections and never answers.
func blackhole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() { defer wg.Done(); io.Copy(io.Discard, c) }()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "http://" + l.Addr().String()
}

// An etcd endpoint that does not answer gives bounded errors, never a
// hang, and leaves no goroutine behind.
func TestUnansweringEndpoint(t *testing.T) {
	endpoints := map[string]func(*testing.T) string{
		"closed-port": func(t *testing.T) string { return "http://127.0.0.1:" + strconv.Itoa(freePort(t)) },
		"blackhole":   blackhole,
	}
	for name, endpoint := range endpoints {
		t.Run(name, func(t *testing.T) {
			// Registered first, so it runs last, after the endpoint's own
			// cleanup.
			t.Cleanup(func() { leaktest.VerifyNone(t) })
			ep := endpoint(t)
			r, err := New(Config{Endpoints: []string{ep}, DialTimeout: 200 * time.Millisecond, OpTimeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatalf("New = %v (it must not wait for a connection)", err)
			}
			ctx := context.Background()
			within(t, 10*time.Second, "Register", func() {
				err := r.Register(ctx, inst("a", 1))
				if !errors.Is(err, ErrUnavailable) || !errors.Is(err, discovery.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("Register = %v want ErrUnavailable", err)
				}
			})
			within(t, 10*time.Second, "Lookup", func() {
				if _, err := r.Lookup(ctx, "api"); !errors.Is(err, ErrUnavailable) {
					t.Errorf("Lookup = %v want ErrUnavailable", err)
				}
			})
			within(t, 10*time.Second, "Watch", func() {
				if _, err := r.Watch(ctx, "api"); !errors.Is(err, ErrUnavailable) {
					t.Errorf("Watch = %v want ErrUnavailable", err)
				}
			})
			// Nothing was registered, so there is nothing to deregister.
			if err := r.Deregister(ctx, "a"); !errors.Is(err, discovery.ErrNotFound) {
				t.Errorf("Deregister = %v want ErrNotFound", err)
			}
			// A cache with nothing known reports the failure, bounded.
			c, err := discovery.NewCache(discovery.CacheConfig{Source: r, Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			within(t, 10*time.Second, "cache.Lookup", func() {
				if _, err := c.Lookup(ctx, "api"); !errors.Is(err, ErrUnavailable) {
					t.Errorf("cache.Lookup = %v want ErrUnavailable", err)
				}
			})
			// The caller's own deadline is reported as the caller's.
			short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
			defer cancel()
			if _, err := r.Lookup(short, "api"); errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Lookup with the caller's short deadline = %v want context.DeadlineExceeded, not ErrUnavailable", err)
			}
			within(t, 10*time.Second, "Close", func() {
				if err := r.Close(); err != nil {
					t.Errorf("Close = %v want nil (no lease was granted)", err)
				}
			})
		})
	}
}
