package etcd

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/discovery"
)

func TestRegistryRegisterLookupDeregister(t *testing.T) {
	s := startEtcd(t)
	ctx := bg(t)
	rec := &recorder{}
	r := newRegistry(t, s, func(c *Config) { c.Listener = rec })
	raw := rawClient(t, s)

	a := inst("a", 1)
	a.Metadata = map[string]string{"pool": "blue"}
	for _, i := range []discovery.Instance{a, inst("b", 2)} {
		if err := r.Register(ctx, i); err != nil {
			t.Fatalf("Register(%s) = %v", i.ID, err)
		}
	}
	db := inst("x", 9)
	db.Service = "db"
	if err := r.Register(ctx, db); err != nil {
		t.Fatal(err)
	}
	got, err := r.Lookup(ctx, "api")
	if err != nil || ids(got) != "[a b]" || got[0].Weight != 1 || got[0].Metadata["pool"] != "blue" {
		t.Fatalf("Lookup(api) = %+v, %v", got, err)
	}

	// The layout: /services/<service>/<id> holds the instance's JSON, on a lease.
	kvs := raw.get("/services/api/a", false)
	if len(kvs) != 1 || kvs[0].Lease == 0 {
		t.Fatalf("get(/services/api/a) = %+v want one key with a lease", kvs)
	}
	var stored discovery.Instance
	if err := json.Unmarshal(kvs[0].Value, &stored); err != nil || !stored.Equal(got[0]) {
		t.Fatalf("stored JSON = %s, %v", kvs[0].Value, err)
	}

	// Duplicates: held here, or registered by another process.
	if err := r.Register(ctx, inst("a", 3)); !errors.Is(err, discovery.ErrDuplicateID) {
		t.Fatalf("Register(a) twice = %v want ErrDuplicateID", err)
	}
	other := newRegistry(t, s, nil)
	if err := other.Register(ctx, inst("b", 4)); !errors.Is(err, discovery.ErrDuplicateID) {
		t.Fatalf("another registry's Register(b) = %v want ErrDuplicateID", err)
	}
	if got, _ := r.Lookup(ctx, "api"); got[1].Address != "10.0.0.2" {
		t.Fatalf("a refused duplicate changed b: %+v", got[1])
	}
	// Invalid input.
	bad := inst("c", 5)
	bad.Weight = -1
	if err := r.Register(ctx, bad); !errors.Is(err, discovery.ErrInvalidWeight) {
		t.Fatalf("Register(weight -1) = %v want ErrInvalidWeight", err)
	}
	bad = inst("c", 5)
	bad.Address = "10.0.0.1:80"
	if err := r.Register(ctx, bad); !errors.Is(err, discovery.ErrInvalidAddress) {
		t.Fatalf("Register(bad address) = %v want ErrInvalidAddress", err)
	}
	if _, err := r.Lookup(ctx, "api/a"); !errors.Is(err, discovery.ErrInvalidID) {
		t.Fatalf("Lookup(api/a) = %v want ErrInvalidID", err)
	}

	// Entries that do not decode are skipped and reported.
	raw.put("/services/api/junk", "{not json")
	raw.put("/services/api/misplaced", `{"id":"zz","service":"api","address":"10.0.0.7","port":1}`)
	if got, err := r.Lookup(ctx, "api"); err != nil || ids(got) != "[a b]" {
		t.Fatalf("Lookup with junk entries = %s, %v want [a b]", ids(got), err)
	}
	if !rec.has(resilience.EventFailure, "skipped an invalid entry") {
		t.Fatal("no event for the skipped entries")
	}
	raw.delete("/services/api/junk")
	raw.delete("/services/api/misplaced")

	if err := r.Deregister(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := r.Deregister(ctx, "a"); !errors.Is(err, discovery.ErrNotFound) {
		t.Fatalf("Deregister twice = %v want ErrNotFound", err)
	}
	if got, _ := r.Lookup(ctx, "api"); ids(got) != "[b]" {
		t.Fatalf("after Deregister = %s want [b]", ids(got))
	}

	// Close revokes the lease: the instances vanish at once.
	if err := r.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if kvs := raw.get("/services/", true); len(kvs) != 0 {
		t.Fatalf("keys after Close = %d want none", len(kvs))
	}
	if err := r.Register(ctx, inst("d", 6)); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Register after Close = %v want ErrClosed", err)
	}
	if _, err := r.Lookup(ctx, "api"); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Lookup after Close = %v want ErrClosed", err)
	}
}

func TestRegistryWatch(t *testing.T) {
	s := startEtcd(t)
	ctx := bg(t)
	r := newRegistry(t, s, nil)
	raw := rawClient(t, s)
	r.Register(ctx, inst("a", 1))

	w, err := r.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	u := nextUntil(t, w, "[a]")
	if u.Version != 1 {
		t.Fatalf("first update version %d want 1", u.Version)
	}
	r.Register(ctx, inst("b", 2))
	nextUntil(t, w, "[a b]")
	r.Deregister(ctx, "a")
	nextUntil(t, w, "[b]")
	// Another writer's entry (no lease) is seen too; junk is not.
	raw.put("/services/api/junk", "{")
	raw.put("/services/api/c", `{"id":"c","service":"api","address":"10.0.0.3","port":80}`)
	u = nextUntil(t, w, "[b c]")
	if u.Instances[1].Weight != 1 {
		t.Fatalf("c = %+v want the default weight", u.Instances[1])
	}
	// Another service's changes do not reach this watcher.
	db := inst("x", 9)
	db.Service = "db"
	r.Register(ctx, db)
	raw.delete("/services/api/c")
	nextUntil(t, w, "[b]")

	// Closing the watcher ends it; a cancelled Watch ctx does too.
	w.Close()
	if _, err := w.Next(ctx); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Next after Close = %v want ErrClosed", err)
	}
	wctx, cancel := context.WithCancel(ctx)
	w2, err := r.Watch(wctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	nextUntil(t, w2, "[b]")
	cancel()
	if _, err := w2.Next(ctx); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Next after ctx end = %v want ErrClosed", err)
	}
	w2.Close()
	// Closing the registry ends its watchers.
	w3, err := r.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	nextUntil(t, w3, "[b]")
	r.Close()
	if _, err := w3.Next(ctx); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Next after registry Close = %v want ErrClosed", err)
	}
	w3.Close()
}

// A watch whose revision was compacted lists again and goes on.
func TestRegistryWatchRelistsAfterCompaction(t *testing.T) {
	s := startEtcd(t)
	ctx := bg(t)
	events := make(eventChan, 100)
	r := newRegistry(t, s, func(c *Config) { c.Listener = events })
	raw := rawClient(t, s)
	r.Register(ctx, inst("a", 1))
	set, rev, err := r.list(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	r.Register(ctx, inst("b", 2))
	raw.compact(raw.put("/other", "x"))
	feed := discovery.NewFeed("api")
	feed.Publish(sorted(set))
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.follow(fctx, "api", feed, set, rev) // starts at a compacted revision
	}()
	w := feed.Watch(ctx)
	defer w.Close()
	nextUntil(t, w, "[a b]")
	waitEvent(t, events, resilience.EventFailure, "broke; listing again", 10e9)
	waitEvent(t, events, resilience.EventSuccess, "restored", 10e9)
	r.Register(ctx, inst("c", 3)) // and it follows changes after that
	nextUntil(t, w, "[a b c]")
	cancel()
	<-done
}
