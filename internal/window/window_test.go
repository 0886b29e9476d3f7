package window

import (
	"sync"
	"testing"
)

func TestCountWindow(t *testing.T) {
	tests := []struct {
		name       string
		n, b       int
		size       int
		adds       []uint64
		want       Counts
		wantRotate int
	}{
		{"empty", 10, 10, 10, nil, Counts{}, 0},
		{"partial", 10, 5, 10, []uint64{Call, Call | Failure, Call | Slow}, Counts{3, 1, 1}, 1},
		{"exact-at-boundary", 4, 4, 4, []uint64{Call | Failure, Call, Call, Call, Call, Call}, Counts{4, 0, 0}, 6},
		{"bucket-of-two", 4, 2, 4, []uint64{Call | Failure, Call | Failure, Call, Call, Call, Call, Call}, Counts{5, 0, 0}, 3},
		{"rounded-up", 5, 2, 6, []uint64{Call | Failure, Call, Call, Call, Call, Call, Call | Failure}, Counts{7, 2, 0}, 2},
		{"clamped-buckets", 3, 100, 3, []uint64{Call, Call, Call, Call | Slow}, Counts{3, 0, 1}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewCount(tt.n, tt.b)
			if w.Size() != tt.size {
				t.Fatalf("NewCount(%d, %d).Size() = %d want %d", tt.n, tt.b, w.Size(), tt.size)
			}
			rotations := 0
			for _, d := range tt.adds {
				if w.Add(d) {
					rotations++
				}
			}
			win, life := w.Counts()
			if win != tt.want {
				t.Errorf("Counts() window = %+v want %+v", win, tt.want)
			}
			if rotations != tt.wantRotate {
				t.Errorf("rotations = %d want %d", rotations, tt.wantRotate)
			}
			if life.Calls != uint64(len(tt.adds)) {
				t.Errorf("lifetime Calls = %d want %d", life.Calls, len(tt.adds))
			}
			ring := w.RingCounts()
			if full := uint64(rotations) * uint64(w.BucketSize()); ring.Calls != min(full, uint64(w.Size())) {
				t.Errorf("RingCounts().Calls = %d want %d", ring.Calls, min(full, uint64(w.Size())))
			}
			w.Clear()
			win, life2 := w.Counts()
			if win != (Counts{}) || life2.Calls != life.Calls || life2.Failures != life.Failures {
				t.Errorf("after Clear: window %+v lifetime %+v want empty and %+v", win, life2, life)
			}
		})
	}
}

func TestTimeWindow(t *testing.T) {
	const s = int64(1e9)
	w := NewTime(10*s, 10)
	base := 1000 * s
	type add struct {
		at    int64
		delta uint64
	}
	for _, a := range []add{{0, Call}, {0, Call | Failure}, {3 * s, Call | Slow}, {9 * s, Call}} {
		w.Add(a.delta, base+a.at)
	}
	if win, _ := w.Counts(); win != (Counts{4, 1, 1}) {
		t.Fatalf("Counts() = %+v want {4 1 1}", win)
	}
	tests := []struct {
		at   int64
		want Counts
	}{
		{9*s + s/2, Counts{4, 1, 1}},
		{10 * s, Counts{2, 0, 1}}, // bucket 0 expired
		{13 * s, Counts{1, 0, 0}}, // bucket 3 expired
		{19 * s, Counts{0, 0, 0}},
	}
	for _, tt := range tests {
		w.Advance(base + tt.at)
		if win, _ := w.Counts(); win != tt.want {
			t.Errorf("Advance(+%ds) Counts() = %+v want %+v", tt.at/s, win, tt.want)
		}
	}
	if _, life := w.Counts(); life.Calls != 4 || life.Failures != 1 {
		t.Errorf("lifetime = %+v want 4 calls 1 failure", life)
	}
	if w.Advance(base) {
		t.Errorf("Advance to the past reported a rotation")
	}
	w.Add(Call, base+20*s)
	w.Clear()
	if win, life := w.Counts(); win != (Counts{}) || life.Calls != 5 {
		t.Errorf("after Clear: %+v, %+v want empty, 5 lifetime calls", win, life)
	}
	w.Add(Call|Failure, base+20*s)
	if win, _ := w.Counts(); win != (Counts{1, 1, 0}) {
		t.Errorf("after Clear and Add: %+v want {1 1 0}", win)
	}
}

func TestTimeWindowFlush(t *testing.T) {
	w := NewTime(1e9, 1)
	for range maxBucketCalls + 10 {
		w.Add(Call|Failure, 5)
	}
	win, life := w.Counts()
	if want := uint64(maxBucketCalls + 10); win.Calls != want || win.Failures != want || life.Calls != want {
		t.Errorf("Counts() = %+v, %+v want %d calls and failures (no overflow)", win, life, want)
	}
}

func TestConcurrentAdds(t *testing.T) {
	const workers, per = 8, 20000
	cw := NewCount(100, 10)
	tw := NewTime(1e9, 10)
	var st Striped
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				d := Call
				if i%4 == 0 {
					d |= Failure
				}
				cw.Add(d)
				tw.Add(d, int64(g*per+i)) // time moves within the first bucket only
				st.Inc()
			}
		}()
	}
	wg.Wait()
	_, life := cw.Counts()
	if life.Calls != workers*per || life.Failures != workers*per/4 {
		t.Errorf("Count lifetime = %+v want %d calls %d failures", life, workers*per, workers*per/4)
	}
	win, _ := cw.Counts()
	if win.Calls < 100 || win.Calls > 100+workers*10 {
		t.Errorf("Count window holds %d calls want about 100", win.Calls)
	}
	twin, tlife := tw.Counts()
	if tlife.Calls != workers*per || twin.Calls != workers*per {
		t.Errorf("Time counts = %+v, %+v want %d calls", twin, tlife, workers*per)
	}
	if got := st.Load(); got != workers*per {
		t.Errorf("Striped.Load() = %d want %d", got, workers*per)
	}
}

func TestAddDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	cw := NewCount(100, 10)
	tw := NewTime(1e9, 10)
	var st Striped
	now := int64(0)
	n := testing.AllocsPerRun(1000, func() {
		now += 1e6
		cw.Add(Call)
		tw.Add(Call|Failure, now)
		st.Inc()
		cw.Counts()
		tw.Counts()
	})
	if n != 0 {
		t.Errorf("Add allocates %v times want 0", n)
	}
}
