package etcd

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/discovery"
)

// The scenario of the discovery issue, on a real etcd: two processes
// register, one dies without deregistering and vanishes when its lease
// expires; etcd stops and the last known good set is served, stale; etcd
// restarts and everything recovers. It runs on real time (etcd's leases),
// with every wait bounded.
func TestScenarioLeaseExpiryOutageRecovery(t *testing.T) {
	s := startEtcd(t)
	ctx := bg(t)

	// Process A: a long TTL, so that it survives the outage below.
	procA := newRegistry(t, s, func(c *Config) { c.TTL = 10 * time.Second })
	// Process B: a 2s lease, reaching etcd through a proxy whose cut stands
	// for its crash.
	netB, endpointB := newCutProxy(t, s.Endpoint())
	procB := newRegistry(t, s, func(c *Config) { c.Endpoints, c.TTL, c.OpTimeout = []string{endpointB}, 2*time.Second, time.Second })
	if err := procA.Register(ctx, inst("a", 1)); err != nil {
		t.Fatal(err)
	}
	if err := procB.Register(ctx, inst("b", 2)); err != nil {
		t.Fatal(err)
	}

	// A client watches, and looks up through a last-known-good cache.
	client := newRegistry(t, s, func(c *Config) { c.OpTimeout = time.Second })
	cache, err := discovery.NewCache(discovery.CacheConfig{Source: client, Timeout: 2 * time.Second, RetryInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	w, err := client.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	nextUntil(t, w, "[a b]")
	if got, err := cache.Lookup(ctx, "api"); err != nil || ids(got) != "[a b]" {
		t.Fatalf("cache.Lookup = %s, %v", ids(got), err)
	}

	// B dies: it goes away without deregistering or revoking. Its lease
	// expires after 2s and its instance vanishes from the watch.
	netB.Cut()
	start := time.Now()
	nextUntil(t, w, "[a]")
	t.Logf("b vanished %v after its process died", time.Since(start).Round(100*time.Millisecond))
	within(t, 10*time.Second, "Close of the dead process's registry", func() { procB.Close() })
	if got, _ := cache.Lookup(ctx, "api"); ids(got) != "[a]" {
		t.Fatalf("cache.Lookup after b died = %s want [a]", ids(got))
	}

	// etcd stops: the registry reports it, the cache serves [a], stale.
	s.Stop()
	within(t, 10*time.Second, "Lookup with etcd down", func() {
		if _, err := client.Lookup(ctx, "api"); !errors.Is(err, ErrUnavailable) || !errors.Is(err, discovery.ErrTimeout) {
			t.Errorf("Lookup with etcd down = %v want ErrUnavailable", err)
		}
	})
	within(t, 10*time.Second, "cache.Lookup with etcd down", func() {
		time.Sleep(150 * time.Millisecond) // past the cache's RetryInterval, so it asks etcd
		got, err := cache.Lookup(ctx, "api")
		if err != nil || ids(got) != "[a]" {
			t.Errorf("cache.Lookup with etcd down = %s, %v want the last known good [a]", ids(got), err)
		}
	})
	if stale, age := cache.Stale("api"); !stale || age <= 0 {
		t.Fatalf("Stale with etcd down = %v, %v want true, > 0", stale, age)
	}
	if s := cache.Stats("api"); !errors.Is(s.Err, ErrUnavailable) || s.StaleServed == 0 {
		t.Fatalf("cache.Stats = %+v want ErrUnavailable and a stale set served", s)
	}

	// etcd restarts on the same ports and data: the cache recovers, the
	// watch resumes, A's registration survived.
	s.Start()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := cache.Lookup(ctx, "api")
		if stale, _ := cache.Stale("api"); !stale && err == nil {
			if ids(got) != "[a]" {
				t.Fatalf("after restart cache.Lookup = %s want [a]", ids(got))
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("cache still stale 20s after etcd restarted: %+v", cache.Stats("api"))
		}
		time.Sleep(100 * time.Millisecond) // real server restarting: bounded poll
	}
	if err := procA.Register(ctx, inst("c", 3)); err != nil {
		t.Fatalf("Register after restart = %v", err)
	}
	nextUntil(t, w, "[a c]")
}

// A lease lost during an outage longer than its TTL is replaced, and the
// instances are registered again, once etcd is back.
func TestLeaseRestoredAfterLongOutage(t *testing.T) {
	s := startEtcd(t)
	ctx := bg(t)
	events := make(eventChan, 100)
	r := newRegistry(t, s, func(c *Config) { c.TTL, c.OpTimeout, c.Listener = 2*time.Second, 500*time.Millisecond, events })
	if err := r.Register(ctx, inst("a", 1)); err != nil {
		t.Fatal(err)
	}
	r.leaseMu.Lock()
	first := r.lease
	r.leaseMu.Unlock()

	s.Stop()
	waitEvent(t, events, resilience.EventFailure, "lease lost", 20*time.Second)
	s.Start()
	waitEvent(t, events, resilience.EventSuccess, "lease restored", 20*time.Second)

	r.leaseMu.Lock()
	second := r.lease
	r.leaseMu.Unlock()
	if second == 0 || second == first {
		t.Fatalf("lease after restore = %x want a new one (was %x)", second, first)
	}
	raw := rawClient(t, s)
	if kvs := raw.get("/services/api/a", false); len(kvs) != 1 || kvs[0].Lease != second {
		t.Fatalf("key after restore = %+v want it on the new lease %x", kvs, second)
	}
}

// Close with etcd gone returns within OpTimeout (the revoke gives up) and
// leaves no goroutine behind.
func TestCloseWithEtcdDown(t *testing.T) {
	s := startEtcd(t)
	ctx := bg(t)
	r := newRegistry(t, s, func(c *Config) { c.OpTimeout = 500 * time.Millisecond })
	if err := r.Register(ctx, inst("a", 1)); err != nil {
		t.Fatal(err)
	}
	w, err := r.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	s.Stop()
	within(t, 10*time.Second, "Close with etcd down", func() {
		if err := r.Close(); !errors.Is(err, ErrUnavailable) {
			t.Errorf("Close with etcd down = %v want ErrUnavailable from the revoke", err)
		}
	})
	if _, err := w.Next(context.Background()); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Next after Close = %v want ErrClosed", err)
	}
}

// A lease revoked behind the Registry's back (by an operator, or lost in
// etcd) is noticed at the next renewal: a new lease is granted and the
// instances are registered again.
func TestLeaseRevokedBehindItsBack(t *testing.T) {
	s := startEtcd(t)
	ctx := bg(t)
	events := make(eventChan, 100)
	r := newRegistry(t, s, func(c *Config) { c.TTL, c.Listener = 3*time.Second, events })
	raw := rawClient(t, s)
	if err := r.Register(ctx, inst("a", 1)); err != nil {
		t.Fatal(err)
	}
	r.leaseMu.Lock()
	first := r.lease
	r.leaseMu.Unlock()
	raw.revoke(first)
	if kvs := raw.get("/services/api/a", false); len(kvs) != 0 {
		t.Fatalf("key after the revoke = %+v want none", kvs)
	}
	waitEvent(t, events, resilience.EventFailure, "lease lost", 10*time.Second)
	waitEvent(t, events, resilience.EventSuccess, "lease restored", 10*time.Second)
	kvs := raw.get("/services/api/a", false)
	if len(kvs) != 1 || kvs[0].Lease == 0 || kvs[0].Lease == first {
		t.Fatalf("key after restore = %+v want it on a new lease (the old was %x)", kvs, first)
	}
}
