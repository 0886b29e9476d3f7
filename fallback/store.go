package fallback

import "sync"

// store is a bounded map with CLOCK eviction: each slot has a reference bit
// set on access; when full, the hand sweeps the slots, clearing set bits,
// and evicts the first slot whose bit is clear. Entries found expired on
// lookup are dropped, and their slots are reused first. One mutex guards it all: the
// state spans several words and the critical sections are a map access.
type store[K comparable, R any] struct {
	mu    sync.Mutex
	index map[K]int32
	slots []slot[K, R]
	hand  int
	used  int // slots handed out so far, before the first sweep
}

type slot[K comparable, R any] struct {
	key    K
	val    R
	stored int64 // clock reading when stored
	ref    bool
	live   bool
}

func newStore[K comparable, R any](n int) *store[K, R] {
	return &store[K, R]{index: make(map[K]int32, n), slots: make([]slot[K, R], n)}
}

// get returns key's value and when it was stored, if it is live and was
// stored less than maxAge ago at now.
func (s *store[K, R]) get(key K, now, maxAge int64) (v R, stored int64, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, found := s.index[key]
	if !found {
		return v, 0, false
	}
	e := &s.slots[i]
	if now-e.stored >= maxAge {
		delete(s.index, key) // expired: drop it, its slot is reused first
		*e = slot[K, R]{}
		return v, 0, false
	}
	e.ref = true
	return e.val, e.stored, true
}

// put stores v under key at now and reports whether another key was
// evicted to make room.
func (s *store[K, R]) put(key K, v R, now int64) (evicted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, found := s.index[key]; found {
		e := &s.slots[i]
		e.val, e.stored, e.ref = v, now, true
		return false
	}
	var i int
	if s.used < len(s.slots) {
		i = s.used
		s.used++
	} else {
		i = s.victim()
		if e := &s.slots[i]; e.live {
			delete(s.index, e.key)
			evicted = true
		}
	}
	s.slots[i] = slot[K, R]{key: key, val: v, stored: now, ref: true, live: true}
	s.index[key] = int32(i)
	return evicted
}

// victim advances the hand to a slot to reuse: a dead one, or one whose
// reference bit is clear. It ends within two sweeps.
func (s *store[K, R]) victim() int {
	for {
		i := s.hand
		s.hand++
		if s.hand == len(s.slots) {
			s.hand = 0
		}
		e := &s.slots[i]
		if !e.live || !e.ref {
			return i
		}
		e.ref = false
	}
}

// remove deletes key, reporting whether it was there.
func (s *store[K, R]) remove(key K) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, found := s.index[key]
	if !found {
		return false
	}
	delete(s.index, key)
	s.slots[i] = slot[K, R]{} // releases the value for the garbage collector
	return true
}

func (s *store[K, R]) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.index)
}
