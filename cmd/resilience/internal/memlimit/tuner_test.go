package memlimit

import (
	"runtime/debug"
	"sync"
	"testing"
)

const mib = 1 << 20

// fakeRuntime is a Tuner's runtime: the test sets what it reads and
// records the limits set.
type fakeRuntime struct {
	mu     sync.Mutex
	sample Sample
	sets   []int64
}

func (f *fakeRuntime) read() Sample {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sample
}

func (f *fakeRuntime) set(v int64) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sets = append(f.sets, v)
	return 0
}

func TestFloor(t *testing.T) {
	tests := []struct {
		name string
		s    Sample
		want int64
	}{
		{"nothing live", Sample{}, 0},
		// 20 MiB heap, 10 MiB scanned stacks, no globals: the heap may grow
		// by a quarter of 30 MiB; plus 14 MiB of stacks and 5 MiB of overhead.
		{"proxy at 1000 connections", Sample{HeapLive: 20 * mib, StackScan: 10 * mib, Stacks: 14 * mib, Overhead: 5 * mib}, 27.5*mib + 14*mib + 5*mib},
		// 10% of the heap is unused space in spans: the goal grows by 10%.
		{"fragmented", Sample{HeapLive: 100 * mib, HeapAlloc: 100 * mib, HeapUnused: 10 * mib}, 137.5 * mib},
	}
	for _, tt := range tests {
		if got := Floor(tt.s); got != tt.want {
			t.Errorf("%s: Floor(%+v) = %d MiB want %d MiB", tt.name, tt.s, got/mib, tt.want/mib)
		}
	}
}

func TestTunerStep(t *testing.T) {
	f := &fakeRuntime{}
	tu := NewTuner(f.read, f.set)
	small := Sample{HeapLive: 4 * mib, StackScan: 1 * mib, Stacks: 2 * mib, Overhead: 3 * mib}
	big := Sample{HeapLive: 40 * mib, StackScan: 20 * mib, Stacks: 28 * mib, Overhead: 6 * mib}
	steps := []struct {
		name   string
		sample Sample
		target int64 // 0: unchanged
		want   int64
		sets   int // limits set so far
	}{
		{name: "a small load gets the target", sample: small, target: 56 * mib, want: 56 * mib, sets: 1},
		{name: "steady: nothing set again", sample: small, want: 56 * mib, sets: 1},
		{name: "the load outgrows the target: the floor", sample: big, want: Floor(big), sets: 2},
		{name: "a change under 1/32: kept", sample: Sample{HeapLive: big.HeapLive + mib, StackScan: big.StackScan, Stacks: big.Stacks, Overhead: big.Overhead}, want: Floor(big), sets: 2},
		{name: "the load goes: back to the target", sample: small, want: 56 * mib, sets: 3},
		{name: "a new target applies at once", sample: small, target: 100 * mib, want: 100 * mib, sets: 4},
	}
	for _, st := range steps {
		f.mu.Lock()
		f.sample = st.sample
		f.mu.Unlock()
		var got int64
		if st.target != 0 {
			tu.SetTarget(st.target)
			got, _ = tu.Limit()
		} else {
			got = tu.Step()
		}
		f.mu.Lock()
		n := len(f.sets)
		last := f.sets[n-1]
		f.mu.Unlock()
		if got != st.want || last != st.want || n != st.sets {
			t.Errorf("%s: limit %d MiB (last set %d MiB, %d sets) want %d MiB, %d sets", st.name, got/mib, last/mib, n, st.want/mib, st.sets)
		}
	}
}

// TestTunerRuns: a started Tuner keeps setting the limit until Stop, which
// ends its goroutine (TestMain checks for leaks); it reads the real
// runtime when given nothing to read.
func TestTunerRuns(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	tu := NewTuner(nil, nil)
	tu.SetTarget(1 << 40)
	if got := debug.SetMemoryLimit(-1); got != 1<<40 {
		t.Fatalf("runtime memory limit = %d want %d", got, int64(1<<40))
	}
	tu.Start()
	tu.Start() // no second goroutine
	tu.Stop()
	tu.Stop() // harmless
	tu.SetTarget(2 << 40)
	if got := debug.SetMemoryLimit(-1); got != 2<<40 {
		t.Errorf("runtime memory limit after Stop and SetTarget = %d want %d", got, int64(2<<40))
	}
	s := readRuntime()()
	if s.HeapAlloc == 0 || s.Stacks == 0 || s.Overhead == 0 {
		t.Errorf("runtime sample %+v: want heap, stacks and overhead", s)
	}
}
