package clock

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience/internal/tick"
)

// Real returns the process's real clock. Its Nanotime is coarse: a reading
// refreshed every millisecond by one background goroutine, which starts on
// first use and stops by itself after a second without readers.
func Real() Clock { return realClock{} }

type realClock struct{}

func (realClock) Now() time.Time  { return time.Now() }
func (realClock) Nanotime() int64 { return coarseNanotime() }

func (realClock) NewTimer(d time.Duration) Timer {
	return realTimer{time.NewTimer(d)}
}

func (realClock) AfterFunc(d time.Duration, f func()) Timer {
	return realTimer{time.AfterFunc(d, f)}
}

type realTimer struct{ t *time.Timer }

func (r realTimer) C() <-chan time.Time        { return r.t.C }
func (r realTimer) Stop() bool                 { return r.t.Stop() }
func (r realTimer) Reset(d time.Duration) bool { return r.t.Reset(d) }

// CoarseResolution is how often the real clock's Nanotime is refreshed.
const CoarseResolution = time.Millisecond

// coarseIdleTicks is how many refreshes without a reader stop the ticker.
const coarseIdleTicks = 1000

// epoch anchors Nanotime readings; time.Since(epoch) is monotonic.
var epoch = time.Now()

// coarse is the published reading. now and running change together and are
// read on every call; used is written by readers once per idle period, so it
// lives on its own cache line.
var coarse struct {
	now     atomic.Int64
	running atomic.Bool
	_       [55]byte
	used    atomic.Bool
	_       [63]byte
	mu      sync.Mutex
}

func coarseNanotime() int64 {
	if !coarse.running.Load() {
		return startCoarse()
	}
	if !coarse.used.Load() {
		coarse.used.Store(true)
	}
	return coarse.now.Load()
}

// startCoarse publishes a fresh reading and starts the ticker if it is not
// running.
func startCoarse() int64 {
	coarse.mu.Lock()
	defer coarse.mu.Unlock()
	now := int64(time.Since(epoch))
	if coarse.running.Load() {
		return coarse.now.Load()
	}
	coarse.now.Store(now)
	coarse.used.Store(true)
	coarse.running.Store(true)
	go runCoarse()
	return now
}

// runCoarse refreshes the reading until nobody has read it for
// coarseIdleTicks refreshes.
// It sleeps in tick.Sleep rather than on a time.Ticker: see package tick
// for why the runtime's timers are avoided.
func runCoarse() {
	ticks := 0
	for {
		tick.Sleep(CoarseResolution)
		coarse.now.Store(int64(time.Since(epoch)))
		ticks++
		if ticks < coarseIdleTicks {
			continue
		}
		ticks = 0
		if coarse.used.Swap(false) {
			continue
		}
		coarse.mu.Lock()
		coarse.running.Store(false)
		coarse.mu.Unlock()
		return
	}
}
