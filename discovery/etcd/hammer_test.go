package etcd

import (
	"fmt"
	"sync"
	"testing"

	"github.com/resilience-go/resilience/discovery"
)

// Many goroutines register, look up and deregister on one Registry while a
// watcher follows; at the end the watcher agrees with Lookup.
func TestRegistryHammer(t *testing.T) {
	s := startEtcd(t)
	ctx := bg(t)
	r := newRegistry(t, s, nil)
	w, err := r.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const workers, rounds = 8, 10
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				id := fmt.Sprintf("w%d-%d", g, i)
				in := discovery.Instance{ID: id, Service: "api", Address: fmt.Sprintf("10.0.%d.%d", g, i+1), Port: 8080}
				if err := r.Register(ctx, in); err != nil {
					t.Errorf("Register(%s) = %v", id, err)
					return
				}
				if _, err := r.Lookup(ctx, "api"); err != nil {
					t.Errorf("Lookup = %v", err)
					return
				}
				if i%2 == 0 {
					if err := r.Deregister(ctx, id); err != nil {
						t.Errorf("Deregister(%s) = %v", id, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	got, err := r.Lookup(ctx, "api")
	if err != nil || len(got) != workers*rounds/2 {
		t.Fatalf("Lookup after the hammer = %d instances, %v want %d", len(got), err, workers*rounds/2)
	}
	nextUntil(t, w, ids(got))
}
