package memlimit

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"
)

// MinGCPercent is the floor a Tuner keeps the collector's pace at: it never
// lets the memory limit make collections more frequent than GOGC=25 would,
// that is, a heap allowed to grow by a quarter of the live data (heap,
// stacks, globals) between collections: at most four times the
// collector's usual work, where Go's own limit lets it take half the CPU.
// (At GOGC=50, a proxy at 1000 busy connections needs more than 64 MB.)
const MinGCPercent = 25

// TunePeriod is how often a running Tuner reads the live memory.
const TunePeriod = 100 * time.Millisecond

// Sample is what a Tuner reads from the runtime (runtime/metrics), in
// bytes.
type Sample struct {
	HeapLive   uint64 // /gc/heap/live: the heap the last collection kept
	StackScan  uint64 // /gc/scan/stack: the stack the collector scans
	Globals    uint64 // /gc/scan/globals
	Stacks     uint64 // /memory/classes/heap/stacks: stack memory held
	Overhead   uint64 // runtime metadata and other memory the limit counts
	HeapUnused uint64 // /memory/classes/heap/unused: fragmentation in spans
	HeapAlloc  uint64 // /memory/classes/heap/objects
}

// Tuner holds the runtime's soft memory limit at a target, raised while
// the live data needs more: never so low that the collector would run
// more often than at GOGC=MinGCPercent. Go's own memory limit is a cliff
// rather than a target: when the live data nears it, the collector runs
// back to back (up to half the CPU). With a Tuner, a target that the load
// outgrows costs at most four times the collector's usual work, and
// memory grows with the load instead.
//
// A Tuner is safe for concurrent use. Start runs it; Stop ends it and
// waits.
type Tuner struct {
	read func() Sample
	set  func(int64) int64

	mu      sync.Mutex
	target  int64
	current int64 // the limit last set; 0 before the first
	stop    chan struct{}
	done    chan struct{}
}

// NewTuner returns a Tuner that reads the runtime's metrics and sets its
// memory limit. Tests give their own read and set.
func NewTuner(read func() Sample, set func(int64) int64) *Tuner {
	if read == nil {
		read = readRuntime()
	}
	if set == nil {
		set = debug.SetMemoryLimit
	}
	return &Tuner{read: read, set: set}
}

// SetTarget changes the target and applies it at once.
func (t *Tuner) SetTarget(target int64) {
	t.mu.Lock()
	t.target = target
	t.mu.Unlock()
	t.Step()
}

// Limit returns the limit in force and the target.
func (t *Tuner) Limit() (limit, target int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.current, t.target
}

// Floor returns the smallest limit that lets the heap grow by MinGCPercent
// of the live data before a collection, counting the memory the limit
// counts besides the heap, plus fragmentation in the proportion s shows.
func Floor(s Sample) int64 {
	goal := float64(s.HeapLive) + float64(s.HeapLive+s.StackScan+s.Globals)*MinGCPercent/100
	if s.HeapAlloc > 0 {
		goal *= 1 + float64(s.HeapUnused)/float64(s.HeapAlloc)
	}
	return int64(goal) + int64(s.Stacks) + int64(s.Overhead)
}

// Step reads the live memory and sets the limit to the larger of the
// target and Floor. It leaves the limit alone when the change would be
// under 1/32 of it, so that a steady load does not reset it every period.
// It returns the limit in force.
func (t *Tuner) Step() int64 {
	s := t.read()
	t.mu.Lock()
	defer t.mu.Unlock()
	want := max(t.target, Floor(s))
	if t.current != 0 && abs(want-t.current) < t.current/32 {
		return t.current
	}
	t.set(want)
	t.current = want
	return want
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// Start runs Step every TunePeriod until Stop. Starting a running Tuner
// does nothing.
func (t *Tuner) Start() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stop != nil {
		return
	}
	t.stop, t.done = make(chan struct{}), make(chan struct{})
	go t.run(t.stop, t.done)
}

func (t *Tuner) run(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(TunePeriod)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			t.Step()
		}
	}
}

// Stop ends a running Tuner and waits for it; the limit stays as it is.
func (t *Tuner) Stop() {
	t.mu.Lock()
	stop, done := t.stop, t.done
	t.stop, t.done = nil, nil
	t.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

// readRuntime returns a reader of the runtime's metrics that reuses its
// samples.
func readRuntime() func() Sample {
	names := []string{
		"/gc/heap/live:bytes", "/gc/scan/stack:bytes", "/gc/scan/globals:bytes",
		"/memory/classes/heap/stacks:bytes", "/memory/classes/heap/unused:bytes",
		"/memory/classes/heap/objects:bytes",
		// Overhead:
		"/memory/classes/metadata/mcache/inuse:bytes", "/memory/classes/metadata/mcache/free:bytes",
		"/memory/classes/metadata/mspan/inuse:bytes", "/memory/classes/metadata/mspan/free:bytes",
		"/memory/classes/metadata/other:bytes", "/memory/classes/os-stacks:bytes",
		"/memory/classes/other:bytes", "/memory/classes/profiling/buckets:bytes",
	}
	samples := make([]metrics.Sample, len(names))
	for i, n := range names {
		samples[i].Name = n
	}
	var mu sync.Mutex
	return func() Sample {
		mu.Lock()
		defer mu.Unlock()
		metrics.Read(samples)
		v := func(i int) uint64 {
			if samples[i].Value.Kind() != metrics.KindUint64 {
				return 0 // not in this Go version
			}
			return samples[i].Value.Uint64()
		}
		s := Sample{HeapLive: v(0), StackScan: v(1), Globals: v(2), Stacks: v(3), HeapUnused: v(4), HeapAlloc: v(5)}
		for i := 6; i < len(names); i++ {
			s.Overhead += v(i)
		}
		return s
	}
}
