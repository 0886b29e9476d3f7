package discovery_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

// eventChan is a Listener that hands events to the test.
type eventChan chan resilience.Event

func (c eventChan) OnEvent(e resilience.Event) { c <- e }

// waitEvent returns the next event of that kind whose Err matches target
// (any Err when target is nil).
func waitEvent(t *testing.T, c eventChan, kind resilience.EventKind, target error) resilience.Event {
	t.Helper()
	timer := time.NewTimer(10 * time.Second)
	defer timer.Stop()
	for {
		select {
		case e := <-c:
			if e.Kind == kind && (target == nil || errors.Is(e.Err, target)) {
				return e
			}
		case <-timer.C:
			t.Fatalf("no %v event within 10s", kind)
		}
	}
}

// swappable is a Source whose Watch goes to a registry the test can swap
// or break.
type swappable struct {
	mu  sync.Mutex
	reg *discovery.Memory
	err error
}

func (s *swappable) use(reg *discovery.Memory, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reg, s.err = reg, err
}

func (s *swappable) Lookup(ctx context.Context, service string) ([]discovery.Instance, error) {
	s.mu.Lock()
	reg, err := s.reg, s.err
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return reg.Lookup(ctx, service)
}

func (s *swappable) Watch(ctx context.Context, service string) (discovery.Watcher, error) {
	s.mu.Lock()
	reg, err := s.reg, s.err
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return reg.Watch(ctx, service)
}

func TestCacheWatchSurvivesSourceFailure(t *testing.T) {
	ctx := context.Background()
	mem1 := discovery.NewMemory()
	mem1.Register(ctx, inst("a", 1))
	mem1.Register(ctx, inst("b", 2))
	src := &swappable{}
	src.use(mem1, nil)
	m := clock.NewManual(t0)
	events := make(eventChan, 100)
	c, err := discovery.NewCache(discovery.CacheConfig{Source: src, RetryInterval: time.Second, Clock: m, Listener: events})
	if err != nil {
		t.Fatal(err)
	}
	w, err := c.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if u := next(t, w); ids(u.Instances) != "[a b]" {
		t.Fatalf("first Next = %s", ids(u.Instances))
	}
	mem1.Register(ctx, inst("c", 3))
	if u := next(t, w); ids(u.Instances) != "[a b c]" {
		t.Fatalf("Next = %s want [a b c]", ids(u.Instances))
	}

	// The source's watch ends and it cannot be watched: the last set stays.
	src.use(nil, errDown)
	mem1.Close()
	waitEvent(t, events, resilience.EventFallback, discovery.ErrClosed) // the source's watch ended
	if stale, _ := c.Stale("api"); !stale {
		t.Fatal("not stale after the source's watch ended")
	}
	// Lookups serve the watched set meanwhile.
	if got, err := c.Lookup(ctx, "api"); err != nil || ids(got) != "[a b c]" {
		t.Fatalf("Lookup while the source is down = %s, %v", ids(got), err)
	}
	m.WaitForTimers(1)
	m.Advance(time.Second)
	waitEvent(t, events, resilience.EventFallback, errDown) // watching again failed
	noNext(t, w)

	// The source comes back (another registry): the watcher follows.
	mem2 := discovery.NewMemory()
	defer mem2.Close()
	mem2.Register(ctx, inst("d", 4))
	src.use(mem2, nil)
	m.WaitForTimers(1)
	m.Advance(time.Second)
	if u := next(t, w); ids(u.Instances) != "[d]" {
		t.Fatalf("Next after recovery = %s want [d]", ids(u.Instances))
	}
	if stale, _ := c.Stale("api"); stale {
		t.Fatal("still stale after recovery")
	}
	w.Close()
	if _, err := w.Next(ctx); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Next after Close = %v want ErrClosed", err)
	}
}

func TestCacheWatchStartsFromLastKnownGood(t *testing.T) {
	ctx := context.Background()
	mem := discovery.NewMemory()
	defer mem.Close()
	mem.Register(ctx, inst("a", 1))
	src := &swappable{}
	src.use(mem, nil)
	m := clock.NewManual(t0)
	c, err := discovery.NewCache(discovery.CacheConfig{Source: src, Clock: m})
	if err != nil {
		t.Fatal(err)
	}
	src.use(nil, errDown)
	if _, err := c.Watch(ctx, "api"); !errors.Is(err, errDown) {
		t.Fatalf("Watch with nothing known and the source down = %v want errDown", err)
	}
	src.use(mem, nil)
	m.Advance(time.Second) // past the retry interval of that failure
	if _, err := c.Lookup(ctx, "api"); err != nil {
		t.Fatal(err)
	}
	src.use(nil, errDown)
	wctx, cancel := context.WithCancel(ctx)
	w, err := c.Watch(wctx, "api")
	if err != nil {
		t.Fatalf("Watch with a known set and the source down = %v", err)
	}
	if u := next(t, w); ids(u.Instances) != "[a]" {
		t.Fatalf("first Next = %s want the last known good [a]", ids(u.Instances))
	}
	cancel() // ending the context ends the watcher and its goroutine
	if _, err := w.Next(ctx); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Next after ctx end = %v want ErrClosed", err)
	}
	w.Close()
}

func TestCacheWatchTimeout(t *testing.T) {
	hang := make(chan struct{})
	src := &fakeSource{watch: func(ctx context.Context, service string) (discovery.Watcher, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-hang:
			return nil, errDown
		}
	}}
	m := clock.NewManual(t0)
	c, err := discovery.NewCache(discovery.CacheConfig{Source: src, Timeout: time.Second, Clock: m})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := c.Watch(context.Background(), "api"); done <- err }()
	m.WaitForTimers(1)
	m.Advance(time.Second)
	if err := <-done; !errors.Is(err, discovery.ErrTimeout) {
		t.Fatalf("Watch of a hung source = %v want ErrTimeout", err)
	}
	close(hang)
}
