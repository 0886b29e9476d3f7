package discovery_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/discovery"
)

func TestHybridLookup(t *testing.T) {
	ctx := context.Background()
	seeds, err := discovery.Static("api", "10.0.0.1:8080", "10.0.0.2:8080")
	if err != nil {
		t.Fatal(err)
	}
	reg := discovery.NewMemory()
	defer reg.Close()
	reg.Register(ctx, inst("r1", 11))
	rec := &recorder{}
	h, err := discovery.NewHybrid(discovery.HybridConfig{Direct: seeds, Registry: reg, Listener: rec})
	if err != nil {
		t.Fatal(err)
	}
	if h.Mode("api") != discovery.ModeNone {
		t.Fatalf("Mode before lookup = %v", h.Mode("api"))
	}

	steps := []struct {
		name  string
		do    func()
		want  string
		mode  discovery.Mode
		error bool
	}{
		{"seeds-unknown-health-are-usable", func() {}, "[10.0.0.1:8080 10.0.0.2:8080]", discovery.ModeDirect, false},
		{"one-seed-down", func() { seeds.SetHealth("10.0.0.1:8080", discovery.Unhealthy) }, "[10.0.0.1:8080 10.0.0.2:8080]", discovery.ModeDirect, false},
		{"all-seeds-down", func() { seeds.SetHealth("10.0.0.2:8080", discovery.Unhealthy) }, "[r1]", discovery.ModeRegistry, false},
		{"registry-down-too", func() { reg.Close() }, "[10.0.0.1:8080 10.0.0.2:8080]", discovery.ModeDirect, false},
		{"seed-back", func() { seeds.SetHealth("10.0.0.2:8080", discovery.Healthy) }, "[10.0.0.1:8080 10.0.0.2:8080]", discovery.ModeDirect, false},
	}
	for _, s := range steps {
		s.do()
		got, err := h.Lookup(ctx, "api")
		if err != nil || ids(got) != s.want || h.Mode("api") != s.mode {
			t.Fatalf("%s: Lookup = %s, %v, mode %v want %s, mode %v", s.name, ids(got), err, h.Mode("api"), s.want, s.mode)
		}
	}
	if n := rec.count(resilience.EventStateChange); n != 2 {
		t.Fatalf("EventStateChange count = %d want 2 (direct->registry->direct)", n)
	}
	if e, _ := rec.last(resilience.EventStateChange); e.From != "registry" || e.To != "direct" {
		t.Fatalf("last switch = %s -> %s want registry -> direct", e.From, e.To)
	}

	// Another service: the static source does not know it, the registry is
	// closed: both errors are reported.
	_, err = h.Lookup(ctx, "db")
	if !errors.Is(err, discovery.ErrUnknownService) || !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Lookup(db) = %v want both sources' errors", err)
	}
}

func TestHybridConfig(t *testing.T) {
	m := discovery.NewMemory()
	if _, err := discovery.NewHybrid(discovery.HybridConfig{Registry: m}); err == nil || !strings.Contains(err.Error(), "Direct is nil") {
		t.Fatalf("NewHybrid(no direct) = %v", err)
	}
	if _, err := discovery.NewHybrid(discovery.HybridConfig{Direct: m}); err == nil || !strings.Contains(err.Error(), "Registry is nil") {
		t.Fatalf("NewHybrid(no registry) = %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Hybrid(nil, nil) did not panic")
		}
	}()
	discovery.Hybrid(nil, nil)
}

func TestHybridCustomHealthy(t *testing.T) {
	ctx := context.Background()
	seeds, _ := discovery.Static("api", "10.0.0.1:8080")
	reg := discovery.NewMemory()
	reg.Register(ctx, inst("r1", 11))
	// Only explicitly healthy seeds count.
	h, _ := discovery.NewHybrid(discovery.HybridConfig{Direct: seeds, Registry: reg,
		Healthy: func(i discovery.Instance) bool { return i.Health == discovery.Healthy }})
	if got, _ := h.Lookup(ctx, "api"); ids(got) != "[r1]" {
		t.Fatalf("Lookup with unknown-health seeds = %s want the registry's [r1]", ids(got))
	}
	seeds.SetHealth("10.0.0.1:8080", discovery.Healthy)
	if got, _ := h.Lookup(ctx, "api"); ids(got) != "[10.0.0.1:8080]" {
		t.Fatalf("Lookup with a healthy seed = %s", ids(got))
	}
}

// nextUntil reads updates until one holds the wanted set; at most 3.
func nextUntil(t *testing.T, w discovery.Watcher, want string) {
	t.Helper()
	for range 3 {
		if u := next(t, w); ids(u.Instances) == want {
			return
		}
	}
	t.Fatalf("no update with %s within 3 updates", want)
}

func TestHybridWatch(t *testing.T) {
	ctx := context.Background()
	seeds, _ := discovery.Static("api", "10.0.0.1:8080")
	reg := discovery.NewMemory()
	defer reg.Close()
	reg.Register(ctx, inst("r1", 11))
	h := discovery.Hybrid(seeds, reg)
	w, err := h.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// The two sources deliver in either order; the seed wins once it has.
	nextUntil(t, w, "[10.0.0.1:8080]")
	seeds.SetHealth("10.0.0.1:8080", discovery.Unhealthy)
	// If the registry has not delivered yet, the unhealthy seed is served
	// until it does.
	nextUntil(t, w, "[r1]")
	var u discovery.Update
	reg.Register(ctx, inst("r2", 12))
	if u = next(t, w); ids(u.Instances) != "[r1 r2]" {
		t.Fatalf("Next after a registration = %s want [r1 r2]", ids(u.Instances))
	}
	seeds.SetHealth("10.0.0.1:8080", discovery.Healthy)
	if u = next(t, w); ids(u.Instances) != "[10.0.0.1:8080]" || h.Mode("api") != discovery.ModeDirect {
		t.Fatalf("Next after the seed recovered = %s, mode %v", ids(u.Instances), h.Mode("api"))
	}
	w.Close()
	if _, err := w.Next(ctx); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Next after Close = %v want ErrClosed", err)
	}

	// Neither source can be watched: an error naming both.
	closed := discovery.NewMemory()
	closed.Close()
	h2 := discovery.Hybrid(closed, closed)
	if _, err := h2.Watch(ctx, "api"); !errors.Is(err, discovery.ErrClosed) || !strings.Contains(err.Error(), "registry") {
		t.Fatalf("Watch with both sources closed = %v", err)
	}
}
