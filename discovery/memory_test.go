package discovery_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/discovery"
)

func TestMemoryRegisterLookupWatch(t *testing.T) {
	ctx := context.Background()
	m := discovery.NewMemory()
	defer m.Close()

	w, err := m.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if u := next(t, w); u.Version != 1 || len(u.Instances) != 0 {
		t.Fatalf("first Next = %+v want version 1, empty", u)
	}

	a := inst("a", 1)
	a.Weight = 0
	a.Metadata = map[string]string{"k": "v"}
	if err := m.Register(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.Metadata["k"] = "changed by caller" // must not leak into the registry
	if err := m.Register(ctx, inst("b", 2)); err != nil {
		t.Fatal(err)
	}
	other := inst("x", 9)
	other.Service = "db"
	if err := m.Register(ctx, other); err != nil {
		t.Fatal(err)
	}

	got, err := m.Lookup(ctx, "api")
	if err != nil || ids(got) != "[a b]" {
		t.Fatalf("Lookup(api) = %s, %v want [a b]", ids(got), err)
	}
	if got[0].Weight != 1 || got[0].Metadata["k"] != "v" {
		t.Fatalf("registered a = %+v want Weight 1 and its own Metadata copy", got[0])
	}
	if u := next(t, w); ids(u.Instances) != "[a b]" || u.Version != 3 {
		t.Fatalf("Next = version %d %s want version 3 [a b] (the latest, skipping [a])", u.Version, ids(u.Instances))
	}

	// Duplicate IDs are refused, whatever the service; nothing changes.
	dup := inst("a", 5)
	dup.Service = "db"
	err = m.Register(ctx, dup)
	if !errors.Is(err, discovery.ErrDuplicateID) || !strings.Contains(err.Error(), `"a" is already registered`) {
		t.Fatalf("Register(dup) = %v want ErrDuplicateID", err)
	}
	if got, _ := m.Lookup(ctx, "db"); ids(got) != "[x]" {
		t.Fatalf("after refused dup, db = %s want [x]", ids(got))
	}
	noNext(t, w)

	// Invalid instances are refused.
	bad := inst("c", 3)
	bad.Weight = -1
	if err := m.Register(ctx, bad); !errors.Is(err, discovery.ErrInvalidWeight) {
		t.Fatalf("Register(weight -1) = %v want ErrInvalidWeight", err)
	}

	if err := m.SetHealth("b", discovery.Unhealthy); err != nil {
		t.Fatal(err)
	}
	if u := next(t, w); u.Instances[1].Health != discovery.Unhealthy {
		t.Fatalf("after SetHealth, b = %+v", u.Instances[1])
	}
	if err := m.SetHealth("nope", discovery.Healthy); !errors.Is(err, discovery.ErrNotFound) {
		t.Fatalf("SetHealth(unknown) = %v want ErrNotFound", err)
	}
	if err := m.Deregister(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := m.Deregister(ctx, "a"); !errors.Is(err, discovery.ErrNotFound) {
		t.Fatalf("Deregister twice = %v want ErrNotFound", err)
	}
	if u := next(t, w); ids(u.Instances) != "[b]" {
		t.Fatalf("after Deregister, Next = %s want [b]", ids(u.Instances))
	}
	// The ID is free again.
	if err := m.Register(ctx, inst("a", 7)); err != nil {
		t.Fatalf("Register after Deregister = %v", err)
	}
	if got, _ := m.Lookup(ctx, "nothing"); len(got) != 0 {
		t.Fatalf("Lookup(unknown service) = %s want empty", ids(got))
	}
}

func TestMemoryClosedAndCancelled(t *testing.T) {
	m := discovery.NewMemory()
	w, err := m.Watch(context.Background(), "api")
	if err != nil {
		t.Fatal(err)
	}
	next(t, w)
	m.Close()
	if _, err := w.Next(context.Background()); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Next after registry Close = %v want ErrClosed", err)
	}
	if err := m.Register(context.Background(), inst("a", 1)); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Register after Close = %v want ErrClosed", err)
	}
	if _, err := m.Watch(context.Background(), "api"); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Watch after Close = %v want ErrClosed", err)
	}
	if _, err := m.Lookup(context.Background(), "api"); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Lookup after Close = %v want ErrClosed", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m2 := discovery.NewMemory()
	if err := m2.Register(ctx, inst("a", 1)); !errors.Is(err, context.Canceled) {
		t.Fatalf("Register(cancelled) = %v want context.Canceled", err)
	}
}
