package bulkhead_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/internal/leaktest"
)

func mustPool(t *testing.T, cfg bulkhead.PoolConfig) *bulkhead.Pool {
	t.Helper()
	p, err := bulkhead.NewPool(cfg)
	if err != nil {
		t.Fatalf("NewPool(%+v) = %v", cfg, err)
	}
	return p
}

func TestPoolRunsAndRejects(t *testing.T) {
	defer leaktest.VerifyNone(t)
	rec := &recorder{}
	p := mustPool(t, bulkhead.PoolConfig{Workers: 2, QueueSize: 3, Listener: rec})
	block := make(chan struct{})
	started := make(chan struct{}, 2)
	for i := range 2 {
		if err := p.Submit(func() { started <- struct{}{}; <-block }); err != nil {
			t.Fatalf("Submit #%d = %v", i, err)
		}
	}
	<-started
	<-started // both workers busy
	var ran atomic.Int64
	for i := range 3 {
		if err := p.Submit(func() { ran.Add(1) }); err != nil {
			t.Fatalf("Submit to the queue #%d = %v", i, err)
		}
	}
	if err := p.Submit(func() { ran.Add(1) }); !errors.Is(err, bulkhead.ErrFull) || !errors.Is(err, resilience.ErrRejected) {
		t.Fatalf("Submit with the queue full = %v want ErrFull", err)
	}
	if err := p.Submit(nil); !errors.Is(err, bulkhead.ErrNilTask) {
		t.Errorf("Submit(nil) = %v want ErrNilTask", err)
	}
	st := p.Stats()
	if st.Active != 2 || st.Queued != 3 || st.QueueSize != 3 || st.Rejected != 1 || st.Submitted != 5 || st.Workers != 2 {
		t.Errorf("Stats() = %+v want Active 2, Queued 3, QueueSize 3, Rejected 1, Submitted 5, Workers 2", st)
	}
	close(block)
	if err := p.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if got := ran.Load(); got != 3 {
		t.Errorf("queued tasks run by Close = %d want 3", got)
	}
	if err := p.Submit(func() {}); !errors.Is(err, bulkhead.ErrClosed) {
		t.Errorf("Submit after Close = %v want ErrClosed", err)
	}
	if err := p.SubmitWait(context.Background(), func() {}); !errors.Is(err, bulkhead.ErrClosed) {
		t.Errorf("SubmitWait after Close = %v want ErrClosed", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close() = %v want nil", err)
	}
	if got := rec.kinds(); len(got) != 1 || got[0] != resilience.EventRejected {
		t.Errorf("events = %v want [rejected]", got)
	}
}

func TestPoolSubmitWait(t *testing.T) {
	defer leaktest.VerifyNone(t)
	p := mustPool(t, bulkhead.PoolConfig{Workers: 1})
	block := make(chan struct{})
	started := make(chan struct{})
	if err := p.SubmitWait(context.Background(), func() { close(started); <-block }); err != nil {
		t.Fatalf("SubmitWait = %v", err)
	}
	<-started
	// No queue and the worker busy: SubmitWait blocks until ctx ends...
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() { res <- p.SubmitWait(ctx, func() {}) }()
	cancel()
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Errorf("SubmitWait with ctx cancelled = %v want context.Canceled", err)
	}
	// ...or until the worker is free.
	done := make(chan struct{})
	go func() { res <- p.SubmitWait(context.Background(), func() { close(done) }) }()
	close(block)
	if err := <-res; err != nil {
		t.Errorf("SubmitWait once the worker is free = %v want nil", err)
	}
	<-done
	// A SubmitWait blocked when Close starts returns ErrClosed.
	block2 := make(chan struct{})
	started2 := make(chan struct{})
	_ = p.SubmitWait(context.Background(), func() { close(started2); <-block2 })
	<-started2
	go func() { res <- p.SubmitWait(context.Background(), func() { t.Error("task ran after Close") }) }()
	closed := make(chan error, 1)
	go func() { closed <- p.Close() }()
	if err := <-res; !errors.Is(err, bulkhead.ErrClosed) {
		t.Errorf("SubmitWait blocked across Close = %v want ErrClosed", err)
	}
	close(block2)
	if err := <-closed; err != nil {
		t.Errorf("Close() = %v", err)
	}
}

func TestPoolShutdownDeadline(t *testing.T) {
	defer leaktest.VerifyNone(t)
	p := mustPool(t, bulkhead.PoolConfig{Workers: 1, QueueSize: 1})
	block := make(chan struct{})
	started := make(chan struct{})
	_ = p.Submit(func() { close(started); <-block })
	<-started
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown(cancelled ctx) with a task running = %v want context.Canceled", err)
	}
	close(block)
	if err := p.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
}

func TestPoolSurvivesPanics(t *testing.T) {
	defer leaktest.VerifyNone(t)
	rec := &recorder{}
	p := mustPool(t, bulkhead.PoolConfig{Name: "jobs", Workers: 1, QueueSize: 10, Listener: rec})
	var ran atomic.Int64
	_ = p.Submit(func() { panic("first") })
	_ = p.Submit(func() { ran.Add(1) })
	_ = p.Submit(func() { panic(errors.New("second")) })
	_ = p.Submit(func() { ran.Add(1) })
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if got := ran.Load(); got != 2 {
		t.Errorf("tasks run after panics = %d want 2: the single worker must survive", got)
	}
	if st := p.Stats(); st.Panics != 2 || st.Completed != 4 {
		t.Errorf("Stats() = %+v want Panics 2, Completed 4", st)
	}
	var details []string
	for _, e := range rec.events {
		if e.Kind != resilience.EventPanic || !errors.Is(e.Err, resilience.ErrPanicked) || e.Name != "jobs" {
			t.Errorf("event = %+v want a panic event of pool jobs", e)
		}
		details = append(details, e.Detail)
	}
	if len(details) != 2 || details[0] != "first" || details[1] != "second" {
		t.Errorf("panic details = %q want [first second]", details)
	}
}

// TestPoolHammer submits from many goroutines while the pool closes and
// checks that every accepted task runs exactly once and nothing leaks.
func TestPoolHammer(t *testing.T) {
	defer leaktest.VerifyNone(t)
	p := mustPool(t, bulkhead.PoolConfig{Workers: 4, QueueSize: 8})
	var accepted, ran atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				var err error
				if (g+i)%2 == 0 {
					err = p.Submit(func() { ran.Add(1) })
				} else {
					err = p.SubmitWait(context.Background(), func() { ran.Add(1) })
				}
				switch {
				case err == nil:
					accepted.Add(1)
				case errors.Is(err, bulkhead.ErrClosed):
					return
				case !errors.Is(err, bulkhead.ErrFull):
					t.Errorf("Submit = %v", err)
				}
			}
		}()
	}
	// Close while the submitters are still going.
	for p.Stats().Submitted < 1000 {
		if err := p.Submit(func() { ran.Add(1) }); err == nil {
			accepted.Add(1)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if accepted.Load() != ran.Load() {
		t.Errorf("accepted %d tasks but ran %d", accepted.Load(), ran.Load())
	}
	if st := p.Stats(); st.Completed != uint64(ran.Load()) || st.Active != 0 || st.Queued != 0 {
		t.Errorf("Stats() = %+v want Completed %d and nothing active or queued", st, ran.Load())
	}
}
