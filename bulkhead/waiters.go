package bulkhead

import (
	"context"
	"sync"

	"github.com/resilience-go/resilience"
)

// A waiter is one caller queued for a slot. Releasers hand it the slot
// directly, under Semaphore.mu, by setting granted and signalling ready, so a
// released slot can never be taken by a newcomer ahead of the queue.
type waiter struct {
	ready      chan struct{} // buffered(1): signalled once per wait
	granted    bool
	prev, next *waiter
}

var waiterPool = sync.Pool{New: func() any { return &waiter{ready: make(chan struct{}, 1)} }}

func putWaiter(w *waiter) {
	w.granted, w.prev, w.next = false, nil, nil
	waiterPool.Put(w)
}

// wait queues the caller for a slot, for up to maxWait or until ctx is done.
func (s *Semaphore) wait(ctx context.Context) (resilience.Permit, error) {
	if ctx.Err() != nil {
		s.cancelled.Add(1)
		return resilience.Permit{}, context.Cause(ctx)
	}
	s.mu.Lock()
	for {
		st := s.state.Load()
		if st>>32 == 0 && inflightOf(st) < s.limit.Load() {
			if s.state.CompareAndSwap(st, st+1) {
				s.mu.Unlock()
				return s.permit(), nil
			}
			continue
		}
		if s.state.CompareAndSwap(st, st+waiterOne) {
			break
		}
	}
	w := waiterPool.Get().(*waiter)
	s.pushLocked(w)
	s.mu.Unlock()

	t := s.clock.NewTimer(s.maxWait)
	var err error
	select {
	case <-w.ready:
		t.Stop()
		putWaiter(w)
		s.waited.Add(1)
		return s.permit(), nil
	case <-ctx.Done():
		err = context.Cause(ctx)
	case <-t.C():
		err = ErrFull
	}
	t.Stop()

	s.mu.Lock()
	if w.granted {
		// A releaser handed us the slot as we gave up. At the deadline we
		// keep it; when the caller cancelled we pass it on.
		s.mu.Unlock()
		<-w.ready
		putWaiter(w)
		if err == ErrFull {
			s.waited.Add(1)
			return s.permit(), nil
		}
		s.releaseSlot()
	} else {
		s.removeLocked(w)
		s.state.Add(^uint64(waiterOne - 1)) // waiters--
		s.mu.Unlock()
		putWaiter(w)
	}
	if err == ErrFull {
		return s.reject()
	}
	s.cancelled.Add(1)
	return resilience.Permit{}, err
}

// settleLocked grants waiters, oldest first, every slot that the limit
// leaves free. Whoever frees a slot while callers wait (a release, a raised
// limit, a speculative add given back) calls it, so a waiter is never left
// queued beside a free slot: the waiter count changes only under s.mu, and
// a waiter joins only after seeing the semaphore full.
func (s *Semaphore) settleLocked() {
	for {
		st := s.state.Load()
		inflight, waiters := inflightOf(st), waitersOf(st)
		grant := min(s.limit.Load()-inflight, waiters)
		if grant <= 0 {
			return
		}
		next := uint64(inflight+grant) | uint64(waiters-grant)<<32
		if !s.state.CompareAndSwap(st, next) {
			continue
		}
		for ; grant > 0; grant-- {
			w := s.head
			s.removeLocked(w)
			w.granted = true
			w.ready <- struct{}{}
		}
		return
	}
}

// SetMaxConcurrent changes the limit. Raising it wakes as many waiters as
// the new slots allow; lowering it lets the calls in flight finish and
// admits new ones only once the count is below the new limit. It returns an
// error, and changes nothing, when n is out of [1, MaxLimit].
func (s *Semaphore) SetMaxConcurrent(n int) error {
	if err := validateLimit(n); err != nil {
		return err
	}
	s.limit.Store(int64(n))
	s.mu.Lock()
	s.settleLocked()
	s.mu.Unlock()
	return nil
}

func (s *Semaphore) pushLocked(w *waiter) {
	w.prev, w.next = s.tail, nil
	if s.tail != nil {
		s.tail.next = w
	} else {
		s.head = w
	}
	s.tail = w
}

func (s *Semaphore) removeLocked(w *waiter) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		s.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		s.tail = w.prev
	}
	w.prev, w.next = nil, nil
}
