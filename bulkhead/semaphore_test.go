package bulkhead_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/clock"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// recorder is a Listener that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []resilience.Event
}

func (r *recorder) OnEvent(e resilience.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) kinds() []resilience.EventKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ks []resilience.EventKind
	for _, e := range r.events {
		ks = append(ks, e.Kind)
	}
	return ks
}

func mustNew(t *testing.T, cfg bulkhead.Config) *bulkhead.Semaphore {
	t.Helper()
	s, err := bulkhead.New(cfg)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	return s
}

func TestSemaphoreAdmitsUpToLimit(t *testing.T) {
	tests := []struct {
		name  string
		limit int
	}{{"one", 1}, {"three", 3}, {"hundred", 100}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustNew(t, bulkhead.Config{MaxConcurrent: tt.limit})
			ctx := context.Background()
			var permits []resilience.Permit
			for i := range tt.limit {
				p, err := s.Acquire(ctx)
				if err != nil {
					t.Fatalf("Acquire #%d = %v, want nil", i+1, err)
				}
				permits = append(permits, p)
			}
			if got := s.InFlight(); got != tt.limit {
				t.Errorf("InFlight() = %d want %d", got, tt.limit)
			}
			_, err := s.Acquire(ctx)
			if !errors.Is(err, bulkhead.ErrFull) || !errors.Is(err, resilience.ErrRejected) {
				t.Fatalf("Acquire over the limit = %v want ErrFull matching ErrRejected", err)
			}
			if _, ok := s.TryAcquire(); ok {
				t.Errorf("TryAcquire() over the limit = true want false")
			}
			permits[0].Done(nil)
			p, err := s.Acquire(ctx)
			if err != nil {
				t.Fatalf("Acquire after a release = %v want nil", err)
			}
			permits[0] = p
			for _, p := range permits {
				p.Done(nil)
			}
			st := s.Stats()
			if st.InFlight != 0 || st.Rejected != 2 || st.MaxConcurrent != tt.limit {
				t.Errorf("Stats() = %+v want InFlight 0, Rejected 2, MaxConcurrent %d", st, tt.limit)
			}
		})
	}
}

func TestSemaphoreDoneTwiceIsIgnored(t *testing.T) {
	s := mustNew(t, bulkhead.Config{MaxConcurrent: 1})
	p, _ := s.Acquire(context.Background())
	p.Done(nil)
	p.Done(nil)
	if got := s.InFlight(); got != 0 {
		t.Fatalf("InFlight() = %d after a double Done, want 0", got)
	}
	if _, err := s.Acquire(context.Background()); err != nil {
		t.Fatalf("Acquire() = %v want nil", err)
	}
	if _, err := s.Acquire(context.Background()); !errors.Is(err, bulkhead.ErrFull) {
		t.Fatalf("second Acquire() = %v want ErrFull: a double Done must not free an extra slot", err)
	}
}

// acquireAsync starts Acquire in a goroutine and returns its result channel;
// a granted permit is released before the result is sent.
func acquireAsync(ctx context.Context, s *bulkhead.Semaphore) <-chan error {
	ch := make(chan error, 1)
	go func() {
		p, err := s.Acquire(ctx)
		p.Done(nil)
		ch <- err
	}()
	return ch
}

func TestSemaphoreWaitTimesOut(t *testing.T) {
	clk := clock.NewManual(t0)
	rec := &recorder{}
	s := mustNew(t, bulkhead.Config{MaxConcurrent: 1, MaxWait: 50 * time.Millisecond, Clock: clk, Listener: rec})
	p, _ := s.Acquire(context.Background())
	defer p.Done(nil)
	res := acquireAsync(context.Background(), s)
	clk.WaitForTimers(1)
	if got := s.Waiting(); got != 1 {
		t.Errorf("Waiting() = %d want 1", got)
	}
	clk.Advance(49 * time.Millisecond)
	select {
	case err := <-res:
		t.Fatalf("Acquire returned %v before MaxWait", err)
	default:
	}
	clk.Advance(time.Millisecond)
	if err := <-res; !errors.Is(err, bulkhead.ErrFull) {
		t.Fatalf("Acquire after MaxWait = %v want ErrFull", err)
	}
	if st := s.Stats(); st.Waiting != 0 || st.Rejected != 1 {
		t.Errorf("Stats() = %+v want Waiting 0, Rejected 1", st)
	}
	if got := rec.kinds(); len(got) != 1 || got[0] != resilience.EventRejected {
		t.Errorf("events = %v want [rejected]", got)
	}
}

func TestSemaphoreWaitersAreServedInOrder(t *testing.T) {
	clk := clock.NewManual(t0)
	s := mustNew(t, bulkhead.Config{MaxConcurrent: 1, MaxWait: time.Hour, Clock: clk})
	first, _ := s.Acquire(context.Background())
	order := make(chan int, 3)
	release := make([]chan struct{}, 3)
	var wg sync.WaitGroup
	for i := range 3 {
		release[i] = make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := s.Acquire(context.Background())
			if err != nil {
				t.Errorf("waiter %d: Acquire = %v", i, err)
				return
			}
			order <- i
			<-release[i]
			p.Done(nil)
		}()
		clk.WaitForTimers(i + 1) // waiter i is queued before i+1 starts
	}
	// A newcomer must not overtake the queue, even with TryAcquire.
	first.Done(nil)
	if _, ok := s.TryAcquire(); ok {
		t.Errorf("TryAcquire() with waiters queued = true want false")
	}
	for want := range 3 {
		if got := <-order; got != want {
			t.Fatalf("waiter %d got the slot, want waiter %d", got, want)
		}
		if got := s.InFlight(); got != 1 {
			t.Errorf("InFlight() = %d want 1", got)
		}
		close(release[want])
	}
	wg.Wait()
	if st := s.Stats(); st.InFlight != 0 || st.Waiting != 0 || st.Waited != 3 {
		t.Errorf("Stats() = %+v want InFlight 0, Waiting 0, Waited 3", st)
	}
}

func TestSemaphoreWaitCancelled(t *testing.T) {
	clk := clock.NewManual(t0)
	s := mustNew(t, bulkhead.Config{MaxConcurrent: 1, MaxWait: time.Hour, Clock: clk})
	p, _ := s.Acquire(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	res := acquireAsync(ctx, s)
	clk.WaitForTimers(1)
	cancel()
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire with a cancelled ctx = %v want context.Canceled", err)
	}
	if st := s.Stats(); st.Waiting != 0 || st.Cancelled != 1 {
		t.Errorf("Stats() = %+v want Waiting 0, Cancelled 1", st)
	}
	// An already cancelled ctx does not queue at all.
	if _, err := s.Acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire(done ctx) on a full semaphore = %v want context.Canceled", err)
	}
	p.Done(nil)
	// A free slot is granted even to a done ctx, as x/sync/semaphore does.
	p2, err := s.Acquire(ctx)
	if err != nil {
		t.Fatalf("Acquire(done ctx) with a free slot = %v want nil", err)
	}
	p2.Done(nil)
}

func TestSemaphoreShadow(t *testing.T) {
	rec := &recorder{}
	s := mustNew(t, bulkhead.Config{MaxConcurrent: 1, MaxWait: time.Hour, Shadow: true, Listener: rec})
	p1, err1 := s.Acquire(context.Background())
	p2, err2 := s.Acquire(context.Background())
	p3, ok := s.TryAcquire()
	if err1 != nil || err2 != nil || !ok {
		t.Fatalf("shadow Acquire, Acquire, TryAcquire = %v, %v, %v want nil, nil, true", err1, err2, ok)
	}
	if got := s.InFlight(); got != 3 {
		t.Errorf("InFlight() = %d want 3: shadow mode counts every call", got)
	}
	p1.Done(nil)
	p2.Done(errors.New("boom"))
	p3.Done(context.Canceled)
	want := []resilience.EventKind{resilience.EventShadowRejected, resilience.EventShadowRejected,
		resilience.EventSuccess, resilience.EventFailure}
	got := rec.kinds()
	if len(got) != len(want) {
		t.Fatalf("events = %v want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events = %v want %v", got, want)
		}
	}
	if st := s.Stats(); st.ShadowRejected != 2 || st.Rejected != 0 || st.InFlight != 0 {
		t.Errorf("Stats() = %+v want ShadowRejected 2, Rejected 0, InFlight 0", st)
	}
}

func TestSemaphoreEventsCarryLatency(t *testing.T) {
	clk := clock.NewManual(t0)
	rec := &recorder{}
	s := mustNew(t, bulkhead.Config{Name: "db", MaxConcurrent: 1, Clock: clk, Listener: rec})
	p, _ := s.Acquire(context.Background())
	clk.Advance(7 * time.Millisecond)
	p.Done(nil)
	if len(rec.events) != 1 {
		t.Fatalf("events = %v want one", rec.events)
	}
	e := rec.events[0]
	if e.Kind != resilience.EventSuccess || e.Latency != 7*time.Millisecond || e.Name != "db" || e.Policy != "bulkhead" {
		t.Errorf("event = %+v want success, 7ms, name db, policy bulkhead", e)
	}
}

func TestExecute(t *testing.T) {
	s := mustNew(t, bulkhead.Config{MaxConcurrent: 1})
	boom := errors.New("boom")
	if err := s.Execute(context.Background(), func(context.Context) error { return boom }); err != boom {
		t.Errorf("Execute = %v want boom", err)
	}
	err := s.Execute(context.Background(), func(ctx context.Context) error {
		return s.Execute(ctx, func(context.Context) error { t.Error("inner fn ran"); return nil })
	})
	if !errors.Is(err, bulkhead.ErrFull) {
		t.Errorf("nested Execute = %v want ErrFull", err)
	}
	func() {
		defer func() {
			if v := recover(); v != "kaboom" {
				t.Errorf("recover() = %v want kaboom", v)
			}
		}()
		_ = s.Execute(context.Background(), func(context.Context) error { panic("kaboom") })
	}()
	if got := s.InFlight(); got != 0 {
		t.Errorf("InFlight() after a panic = %d want 0", got)
	}
}
