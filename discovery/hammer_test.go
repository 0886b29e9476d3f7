package discovery_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

// Registrations, health changes, lookups and watchers from many goroutines:
// watchers see increasing versions, never the same set twice in a row, and
// end on the final state.
func TestMemoryHammer(t *testing.T) {
	ctx := context.Background()
	m := discovery.NewMemory()
	defer m.Close()
	const workers, rounds = 8, 200

	var watchers sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		w, err := m.Watch(ctx, "api")
		if err != nil {
			t.Fatal(err)
		}
		watchers.Add(1)
		go func() {
			defer watchers.Done()
			defer w.Close()
			var last discovery.Update
			wctx, cancel := context.WithCancel(ctx)
			defer cancel()
			go func() { <-stop; cancel() }()
			for {
				u, err := w.Next(wctx)
				if err != nil {
					return
				}
				if u.Version <= last.Version {
					t.Errorf("version %d after %d", u.Version, last.Version)
				}
				if last.Version != 0 && equalIDsAndHealth(u.Instances, last.Instances) {
					t.Errorf("duplicate update at version %d: %s", u.Version, ids(u.Instances))
				}
				last = u
			}
		}()
	}

	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				id := fmt.Sprintf("w%d-%d", g, i%5)
				in := discovery.Instance{ID: id, Service: "api", Address: fmt.Sprintf("10.0.%d.%d", g, i%5+1), Port: 80}
				_ = m.Register(ctx, in) // may be a duplicate: then it is refused
				_ = m.SetHealth(id, discovery.Health(i%3))
				if _, err := m.Lookup(ctx, "api"); err != nil {
					t.Error(err)
				}
				if i%2 == 1 {
					_ = m.Deregister(ctx, id)
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	watchers.Wait()
	want, _ := m.Lookup(ctx, "api")
	if len(want) > workers*5 {
		t.Fatalf("Lookup = %d instances, more than %d IDs exist", len(want), workers*5)
	}
	// A fresh watcher sees exactly Lookup's state.
	w, _ := m.Watch(ctx, "api")
	defer w.Close()
	if u := next(t, w); ids(u.Instances) != ids(want) {
		t.Fatalf("fresh watcher = %s want %s", ids(u.Instances), ids(want))
	}
}

func equalIDsAndHealth(a, b []discovery.Instance) bool {
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

// Lookups of a cache whose source flaps, from many goroutines: every
// Lookup gets a good set, never an error, once one good answer was seen.
func TestCacheHammer(t *testing.T) {
	src := &fakeSource{}
	src.answer([]discovery.Instance{inst("a", 1)}, nil)
	m := clock.NewManual(t0)
	c, err := discovery.NewCache(discovery.CacheConfig{Source: src, Clock: m, RetryInterval: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lookup(context.Background(), "api"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				switch {
				case g == 0 && i%2 == 0:
					src.answer(nil, errDown)
				case g == 0:
					src.answer([]discovery.Instance{inst("a", 1), inst("b", 2)}, nil)
				case g == 1:
					m.Advance(1)
				}
				got, err := c.Lookup(context.Background(), "api")
				if err != nil || len(got) == 0 {
					t.Errorf("Lookup = %s, %v want a good set", ids(got), err)
					return
				}
				c.Stale("api")
			}
		}()
	}
	wg.Wait()
}
