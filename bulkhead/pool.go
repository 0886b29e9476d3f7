package bulkhead

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/resilience-go/resilience"
)

// Pool is a bulkhead made of a fixed set of worker goroutines and a bounded
// queue: at most Workers tasks run at once, at most QueueSize wait, and the
// rest are refused with ErrFull. Unlike a Semaphore, the caller does not
// wait for the task; use it for fire-and-forget work that must not pile up.
//
// Most callers want Submit, and Close when done. A task that panics does
// not kill its worker: the panic is recovered, counted in Stats.Panics and
// reported as EventPanic.
//
// The zero Pool is not usable; create one with NewPool, which starts the
// workers. A Pool is safe for simultaneous use by multiple goroutines.
type Pool struct {
	name     string
	listener resilience.Listener
	workers  int

	queue   chan func()
	closing chan struct{} // closed when Close starts: wakes SubmitWait
	done    chan struct{} // closed when the last worker exits
	mu      sync.RWMutex  // submitters hold it shared; Close exclusively
	closed  bool
	once    sync.Once
	running atomic.Int64 // workers still running

	active    atomic.Int64
	submitted atomic.Uint64
	rejected  atomic.Uint64
	completed atomic.Uint64
	panics    atomic.Uint64
}

// NewPool starts a Pool's workers, or returns the error of cfg.Validate.
func NewPool(cfg PoolConfig) (*Pool, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Pool{
		name:     cfg.Name,
		listener: cfg.Listener,
		workers:  cfg.Workers,
		queue:    make(chan func(), cfg.QueueSize),
		closing:  make(chan struct{}),
		done:     make(chan struct{}),
	}
	p.running.Store(int64(cfg.Workers))
	for range cfg.Workers {
		go p.work()
	}
	return p, nil
}

// Submit queues task without waiting. It returns ErrFull when the queue is
// full (with QueueSize zero: when no worker is idle), ErrClosed once Close
// has started, and ErrNilTask for a nil task.
func (p *Pool) Submit(task func()) error {
	if task == nil {
		return ErrNilTask
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return ErrClosed
	}
	select {
	case p.queue <- task:
		p.submitted.Add(1)
		return nil
	default:
	}
	p.rejected.Add(1)
	p.report(resilience.EventRejected, ErrFull, "")
	return ErrFull
}

// SubmitWait queues task, waiting for room while ctx is not done. It
// returns ctx's error when ctx ended the wait, ErrClosed once Close has
// started, and ErrNilTask for a nil task.
func (p *Pool) SubmitWait(ctx context.Context, task func()) error {
	if task == nil {
		return ErrNilTask
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return ErrClosed
	}
	select {
	case p.queue <- task:
		p.submitted.Add(1)
		return nil
	case <-p.closing:
		return ErrClosed
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Close stops accepting tasks, runs the tasks already queued, and returns
// once every worker has exited. It is Shutdown without a deadline.
func (p *Pool) Close() error {
	return p.Shutdown(context.Background())
}

// Shutdown stops accepting tasks (Submit returns ErrClosed, blocked
// SubmitWait calls return ErrClosed), lets the workers run the tasks already
// queued, and waits for them to exit. If ctx ends first it returns ctx's
// error; the workers still finish the queue and exit on their own. Calling
// it again waits again.
func (p *Pool) Shutdown(ctx context.Context) error {
	p.once.Do(func() {
		close(p.closing)
		p.mu.Lock()
		p.closed = true
		close(p.queue)
		p.mu.Unlock()
	})
	select {
	case <-p.done:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (p *Pool) work() {
	defer func() {
		if p.running.Add(-1) == 0 {
			close(p.done)
		}
	}()
	for task := range p.queue {
		p.run(task)
	}
}

// run runs one task, recovering a panic so that the worker survives it.
func (p *Pool) run(task func()) {
	p.active.Add(1)
	defer func() {
		p.active.Add(-1)
		p.completed.Add(1)
		if v := recover(); v != nil {
			p.panics.Add(1)
			p.report(resilience.EventPanic, resilience.ErrPanicked, fmt.Sprint(v))
		}
	}()
	task()
}

// PoolStats is a snapshot of a Pool, read by metrics adapters at scrape
// time. Counters are cumulative since NewPool.
type PoolStats struct {
	// Workers is the number of worker goroutines.
	Workers int
	// Active is how many tasks are running.
	Active int
	// Queued is how many tasks wait for a worker.
	Queued int
	// QueueSize is the queue's capacity.
	QueueSize int
	// Submitted counts tasks accepted by Submit or SubmitWait.
	Submitted uint64
	// Rejected counts tasks refused with ErrFull.
	Rejected uint64
	// Completed counts tasks that finished, panicked ones included.
	Completed uint64
	// Panics counts tasks that panicked.
	Panics uint64
}

// Stats returns a snapshot of the pool's state and counters.
func (p *Pool) Stats() PoolStats {
	return PoolStats{
		Workers:   p.workers,
		Active:    int(p.active.Load()),
		Queued:    len(p.queue),
		QueueSize: cap(p.queue),
		Submitted: p.submitted.Load(),
		Rejected:  p.rejected.Load(),
		Completed: p.completed.Load(),
		Panics:    p.panics.Load(),
	}
}

func (p *Pool) report(kind resilience.EventKind, err error, detail string) {
	if p.listener == nil {
		return
	}
	p.listener.OnEvent(resilience.Event{Kind: kind, Policy: policyName, Name: p.name, Err: err, Detail: detail})
}
