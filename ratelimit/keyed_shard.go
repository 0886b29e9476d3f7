package ratelimit

import (
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

// sampleSize is how many keys a full shard looks at to choose a victim.
const sampleSize = 8

// shard holds a share of a Keyed limiter's keys. The map gives each key a
// slot in tats, the GCRA states; freed slots are reused. Deciding for a
// stored key holds the read lock and updates its slot with a CAS; storing
// and dropping keys holds the write lock.
type shard struct {
	mu        sync.RWMutex
	m         map[string]uint32
	tats      []int64 // accessed atomically under mu.RLock
	free      []uint32
	cap       int
	inserts   int   // insertion attempts since the last sweep
	nextSweep int64 // no key can be dropped before this clock reading
	_         [40]byte
}

func (s *shard) init(capacity int) {
	s.m = make(map[string]uint32)
	s.cap = max(capacity, 1)
}

func (s *shard) len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m)
}

// take decides for a stored key; ok is false when key is not stored.
func (s *shard) take(g gcra.Params, key string, now, n int64) (d gcra.Decision, ok bool) {
	s.mu.RLock()
	i, ok := s.m[key]
	if ok {
		d = casTake(&s.tats[i], g, now, n)
	}
	s.mu.RUnlock()
	return d, ok
}

func casTake(w *int64, g gcra.Params, now, n int64) gcra.Decision {
	for {
		tat := atomic.LoadInt64(w)
		d := gcra.Allow(g, tat, now, n)
		if !d.Allowed || d.TAT == tat || atomic.CompareAndSwapInt64(w, tat, d.TAT) {
			return d
		}
	}
}

// insert decides for a key that was not stored when take looked, and
// stores it if its events were admitted.
func (s *shard) insert(k *Keyed, key string, now, n int64) (gcra.Decision, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.m[key]; ok { // stored meanwhile
		return casTake(&s.tats[i], k.g, now, n), false
	}
	d := gcra.Allow(k.g, 0, now, n)
	if !d.Allowed || n == 0 {
		return d, false // nothing to remember
	}
	s.inserts++
	if s.inserts >= len(s.m)/4 && now >= s.nextSweep {
		s.sweepLocked(k, now)
	}
	if len(s.m) >= s.cap && !s.evictOne(k, now) {
		return gcra.Decision{Wait: max(gcra.Sub(s.nextSweep, now), 1)}, true
	}
	s.nextSweep = min(s.nextSweep, gcra.Add(d.TAT, k.idle))
	var i uint32
	if last := len(s.free) - 1; last >= 0 {
		i = s.free[last]
		s.free = s.free[:last]
		s.tats[i] = d.TAT
	} else {
		i = uint32(len(s.tats))
		s.tats = append(s.tats, d.TAT)
	}
	s.m[strings.Clone(key)] = i
	return d, false
}

// sweep drops the keys that may be dropped at now.
func (s *shard) sweep(k *Keyed, now int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(k, now)
}

// sweepLocked drops the droppable keys and notes when the next one can
// become droppable. insert calls it at most once per len/4 insertion
// attempts, so each attempt pays for scanning about 4 keys. Caller holds
// the write lock.
func (s *shard) sweepLocked(k *Keyed, now int64) {
	next := int64(gcra.Never)
	for key, i := range s.m {
		tat := s.tats[i]
		if k.evictable(tat, now) {
			s.drop(key, i)
			continue
		}
		next = min(next, gcra.Add(tat, k.idle))
	}
	s.inserts = 0
	s.nextSweep = next
}

// evictOne makes room for one key in a full shard: a droppable key among a
// sample, else (unless RejectNewKeys) the sampled key closest to a full
// bucket. It reports whether it made room. Caller holds the write lock.
func (s *shard) evictOne(k *Keyed, now int64) bool {
	victim, vi, best, seen := "", uint32(0), int64(gcra.Never), 0
	for key, i := range s.m {
		tat := s.tats[i]
		if k.evictable(tat, now) {
			s.drop(key, i)
			return true
		}
		if tat < best || seen == 0 {
			victim, vi, best = key, i, tat
		}
		if seen++; seen == sampleSize {
			break
		}
	}
	if k.reject || seen == 0 {
		return false
	}
	s.drop(victim, vi)
	return true
}

func (s *shard) drop(key string, i uint32) {
	delete(s.m, key)
	s.free = append(s.free, i)
}

// unsafeString views b as a string without copying; the caller keeps b
// alive and unchanged while the string is used, and insert clones it.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
