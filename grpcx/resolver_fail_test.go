package grpcx_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc/resolver"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/grpcx"
)

// scripted is a Source whose Watch fails with the errors queued in
// watchErrs (nil entries succeed), and whose watchers, after their first
// update, fail with nextErr or, when stuck, deliver nothing more.
type scripted struct {
	feed    *discovery.Feed
	watches atomic.Int64

	mu        sync.Mutex
	watchErrs []error
	nextErr   error
	stuck     bool
}

func newScripted(set ...discovery.Instance) *scripted {
	s := &scripted{feed: discovery.NewFeed("api")}
	if set != nil {
		s.feed.Publish(set)
	}
	return s
}

func (s *scripted) Lookup(context.Context, string) ([]discovery.Instance, error) {
	u, _ := s.feed.Snapshot()
	return u.Instances, nil
}

func (s *scripted) Watch(ctx context.Context, _ string) (discovery.Watcher, error) {
	s.watches.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.watchErrs) > 0 {
		err := s.watchErrs[0]
		s.watchErrs = s.watchErrs[1:]
		if err != nil {
			return nil, err
		}
	}
	return &scriptedWatcher{Watcher: s.feed.Watch(ctx), nextErr: s.nextErr, stuck: s.stuck}, nil
}

func (s *scripted) set(f func(s *scripted)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

type scriptedWatcher struct {
	discovery.Watcher
	nextErr error
	stuck   bool
	n       int
}

func (w *scriptedWatcher) Next(ctx context.Context) (discovery.Update, error) {
	if w.n > 0 && w.nextErr != nil {
		return discovery.Update{}, w.nextErr
	}
	if w.n > 0 && w.stuck {
		<-ctx.Done()
		return discovery.Update{}, context.Cause(ctx)
	}
	w.n++
	return w.Watcher.Next(ctx)
}

type resolverEvents struct {
	ch chan resilience.Event
}

func (e resolverEvents) OnEvent(ev resilience.Event) { e.ch <- ev }

func (e resolverEvents) next(t *testing.T) resilience.Event {
	t.Helper()
	select {
	case ev := <-e.ch:
		return ev
	case <-time.After(bound):
		t.Fatalf("no event within %v", bound)
		return resilience.Event{}
	}
}

var errBoom = errors.New("registry unreachable")

// TestResolverKeepsLastGoodState: once the source fails, the resolver
// keeps the addresses it pushed, reports no error to grpc-go, retries
// after a doubling backoff, and pushes the set once the source is back.
func TestResolverKeepsLastGoodState(t *testing.T) {
	clk := clock.NewManual(t0)
	src := newScripted(inst("a", 7001))
	src.set(func(s *scripted) {
		s.nextErr = errBoom
		s.watchErrs = []error{nil, errBoom, errBoom}
	})
	ev := resolverEvents{make(chan resilience.Event, 16)}
	cc, _ := build(t, grpcx.ResolverConfig{Source: src, Clock: clk, Listener: ev, RetryInitial: 100 * time.Millisecond}, "api")
	if got := ids(t, cc.nextState(t)); !equalIDs(got, "a") {
		t.Fatalf("first state = %v want [a]", got)
	}
	for i, wait := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond} {
		e := ev.next(t)
		if e.Kind != resilience.EventFailure || !errors.Is(e.Err, errBoom) || e.Detail != "keeping the last good addresses" {
			t.Errorf("failure %d: event %+v want EventFailure of errBoom keeping the addresses", i, e)
		}
		clk.WaitForTimers(1)
		clk.Advance(wait - time.Nanosecond)
		if n := src.watches.Load(); n != int64(i+1) {
			t.Fatalf("Watch called %d times before the backoff of %v ended want %d", n, wait, i+1)
		}
		clk.Advance(time.Nanosecond)
	}
	ev.next(t) // the third watch fails too
	src.set(func(s *scripted) { s.nextErr = nil })
	src.feed.Publish([]discovery.Instance{inst("a", 7001), inst("b", 7002)})
	clk.WaitForTimers(1)
	clk.Advance(400 * time.Millisecond)
	if got := ids(t, cc.nextState(t)); !equalIDs(got, "a", "b") {
		t.Errorf("state after the source recovered = %v want [a b]", got)
	}
	select {
	case err := <-cc.errs:
		t.Errorf("ReportError(%v) after a state was pushed", err)
	default:
	}
}

// TestResolverReportsErrorUntilResolved: while nothing was ever resolved,
// failures are reported to grpc-go; ResolveNow retries without waiting out
// the backoff.
func TestResolverReportsErrorUntilResolved(t *testing.T) {
	clk := clock.NewManual(t0)
	src := newScripted(inst("a", 7001))
	src.set(func(s *scripted) { s.watchErrs = []error{errBoom, errBoom} })
	cc, r := build(t, grpcx.ResolverConfig{Source: src, Clock: clk}, "api")
	if err := cc.nextErr(t); !errors.Is(err, errBoom) {
		t.Fatalf("ReportError(%v) want errBoom", err)
	}
	clk.WaitForTimers(1)
	r.ResolveNow(resolver.ResolveNowOptions{}) // cuts the backoff short
	if err := cc.nextErr(t); !errors.Is(err, errBoom) {
		t.Fatalf("second ReportError(%v) want errBoom", err)
	}
	clk.WaitForTimers(1)
	clk.Advance(time.Minute)
	if got := ids(t, cc.nextState(t)); !equalIDs(got, "a") {
		t.Errorf("state = %v want [a]", got)
	}
	if n := src.watches.Load(); n != 3 {
		t.Errorf("Watch called %d times want 3", n)
	}
}

// TestResolverResolveNow: ResolveNow watches the source anew, which
// brings a set that a stuck watcher never delivered; calls closer together
// than MinRefreshInterval are ignored.
func TestResolverResolveNow(t *testing.T) {
	clk := clock.NewManual(t0)
	src := newScripted(inst("a", 7001))
	src.set(func(s *scripted) { s.stuck = true })
	cc, r := build(t, grpcx.ResolverConfig{Source: src, Clock: clk, MinRefreshInterval: time.Second}, "api")
	if got := ids(t, cc.nextState(t)); !equalIDs(got, "a") {
		t.Fatalf("first state = %v want [a]", got)
	}
	src.feed.Publish([]discovery.Instance{inst("a", 7001), inst("b", 7002)})
	r.ResolveNow(resolver.ResolveNowOptions{})
	if got := ids(t, cc.nextState(t)); !equalIDs(got, "a", "b") {
		t.Fatalf("state after ResolveNow = %v want [a b]", got)
	}
	r.ResolveNow(resolver.ResolveNowOptions{}) // too soon: ignored
	src.feed.Publish([]discovery.Instance{inst("c", 7003)})
	clk.Advance(time.Second)
	r.ResolveNow(resolver.ResolveNowOptions{})
	if got := ids(t, cc.nextState(t)); !equalIDs(got, "c") {
		t.Fatalf("state after the second ResolveNow = %v want [c]", got)
	}
	if n := src.watches.Load(); n != 3 {
		t.Errorf("Watch called %d times want 3: the early ResolveNow was not ignored", n)
	}
}
