package discovery_test

import (
	"context"
	"errors"
	"testing"

	"github.com/resilience-go/resilience/discovery"
)

func TestFeedOrderedDedupLatest(t *testing.T) {
	f := discovery.NewFeed("api")
	w := f.Watch(context.Background())
	defer w.Close()
	noNext(t, w) // nothing published yet

	if v, changed := f.Publish([]discovery.Instance{inst("b", 2), inst("a", 1)}); v != 1 || !changed {
		t.Fatalf("Publish #1 = %d, %v want 1, true", v, changed)
	}
	u := next(t, w)
	if u.Version != 1 || ids(u.Instances) != "[a b]" || u.Service != "api" {
		t.Fatalf("Next = %+v want version 1 [a b] sorted", u)
	}
	// The same set in another order is not a change.
	if v, changed := f.Publish([]discovery.Instance{inst("a", 1), inst("b", 2)}); v != 1 || changed {
		t.Fatalf("Publish(same set) = %d, %v want 1, false", v, changed)
	}
	noNext(t, w)

	// A slow consumer skips to the latest set; nothing queues.
	f.Publish([]discovery.Instance{inst("a", 1)})
	f.Publish([]discovery.Instance{inst("c", 3)})
	f.Publish(nil)
	u = next(t, w)
	if u.Version != 4 || len(u.Instances) != 0 {
		t.Fatalf("Next after 3 changes = version %d %s want version 4 []", u.Version, ids(u.Instances))
	}
	noNext(t, w)

	// A changed field (health) is a change.
	f.Publish([]discovery.Instance{inst("a", 1)})
	h := inst("a", 1)
	h.Health = discovery.Unhealthy
	f.Publish([]discovery.Instance{h})
	if u = next(t, w); u.Version != 6 || u.Instances[0].Health != discovery.Unhealthy {
		t.Fatalf("Next = %+v want version 6 with a unhealthy", u)
	}

	// A second watcher starts from the current set.
	w2 := f.Watch(context.Background())
	if u = next(t, w2); u.Version != 6 {
		t.Fatalf("new watcher's first Next = version %d want 6", u.Version)
	}
	w2.Close()
	if _, err := w2.Next(context.Background()); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Next after Close = %v want ErrClosed", err)
	}

	// Closing the feed delivers what is unseen, then ErrClosed.
	f.Publish([]discovery.Instance{inst("z", 9)})
	f.Close()
	if u = next(t, w); ids(u.Instances) != "[z]" {
		t.Fatalf("Next after feed Close = %s want [z]", ids(u.Instances))
	}
	if _, err := w.Next(context.Background()); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Next on closed feed = %v want ErrClosed", err)
	}
	if _, changed := f.Publish(nil); changed {
		t.Fatal("Publish on a closed feed reported a change")
	}
}

func TestFeedWatcherContexts(t *testing.T) {
	f := discovery.NewFeed("api")
	defer f.Close()

	// Next's own context ends the wait with its cause.
	w := f.Watch(context.Background())
	defer w.Close()
	cause := errors.New("caller gave up")
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan error, 1)
	go func() { _, err := w.Next(ctx); done <- err }()
	cancel(cause)
	if err := <-done; !errors.Is(err, cause) {
		t.Fatalf("Next with cancelled ctx = %v want %v", err, cause)
	}

	// The Watch context ends the watcher: ErrClosed, blocked or not.
	wctx, wcancel := context.WithCancel(context.Background())
	w2 := f.Watch(wctx)
	go func() { _, err := w2.Next(context.Background()); done <- err }()
	wcancel()
	if err := <-done; !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Next after Watch ctx ended = %v want ErrClosed", err)
	}
	if err := w2.Close(); err != nil {
		t.Fatalf("Close after ctx end = %v", err)
	}

	// A blocked Next wakes on Publish.
	go func() { u, err := w.Next(context.Background()); done <- errors.Join(err, errIf(u.Version != 1)) }()
	f.Publish([]discovery.Instance{inst("a", 1)})
	if err := <-done; err != nil {
		t.Fatalf("blocked Next after Publish = %v", err)
	}

	// Right after the Watch ctx ends, Next is ErrClosed even with a set
	// it has not seen: the watcher ended, whenever its AfterFunc runs.
	for i := range 100 {
		wctx, wcancel := context.WithCancel(context.Background())
		w3 := f.Watch(wctx)
		wcancel()
		if _, err := w3.Next(context.Background()); !errors.Is(err, discovery.ErrClosed) {
			t.Fatalf("round %d: Next right after Watch ctx ended = %v want ErrClosed", i, err)
		}
		w3.Close()
	}
}

func errIf(b bool) error {
	if b {
		return errors.New("unexpected value")
	}
	return nil
}

// A watcher that missed B in A -> B -> A does not get A a second time.
func TestFeedWatcherSkipsEqualSetAfterMissedChange(t *testing.T) {
	f := discovery.NewFeed("api")
	defer f.Close()
	w := f.Watch(context.Background())
	defer w.Close()
	a := []discovery.Instance{inst("a", 1)}
	f.Publish(a)
	if u := next(t, w); u.Version != 1 {
		t.Fatalf("Next = version %d want 1", u.Version)
	}
	f.Publish([]discovery.Instance{inst("b", 2)})
	f.Publish(a)
	noNext(t, w)
	f.Publish([]discovery.Instance{inst("c", 3)})
	if u := next(t, w); u.Version != 4 || ids(u.Instances) != "[c]" {
		t.Fatalf("Next = version %d %s want version 4 [c]", u.Version, ids(u.Instances))
	}
}
