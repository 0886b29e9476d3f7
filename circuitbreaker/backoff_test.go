package circuitbreaker

import (
	"testing"
	"time"
)

func TestOpenBackoff(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		rand  []float64
		waits []time.Duration // open wait after each consecutive trip
	}{
		{
			name:  "doubles-then-caps",
			cfg:   Config{OpenDuration: time.Second, MaxOpenDuration: 5 * time.Second},
			waits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second},
		},
		{
			name:  "default-cap-is-10x",
			cfg:   Config{OpenDuration: time.Second, OpenBackoffMultiplier: 3},
			waits: []time.Duration{time.Second, 3 * time.Second, 9 * time.Second, 10 * time.Second},
		},
		{
			name:  "multiplier-1-is-constant",
			cfg:   Config{OpenDuration: time.Second, OpenBackoffMultiplier: 1},
			waits: []time.Duration{time.Second, time.Second, time.Second},
		},
		{
			// Jitter lengthens the capped wait by Random × OpenJitter of itself.
			name:  "jitter-bounds",
			cfg:   Config{OpenDuration: time.Second, MaxOpenDuration: 4 * time.Second, OpenJitter: 0.5},
			rand:  []float64{0, 0.5, 0.999, 0.5},
			waits: []time.Duration{time.Second, 2500 * time.Millisecond, 5998 * time.Millisecond, 5 * time.Second},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if tt.rand != nil {
				cfg.Random = seq(tt.rand...)
			}
			b, clk := tripped(t, cfg)
			for i, want := range tt.waits {
				got := b.RemainingOpen()
				if tt.name == "jitter-bounds" {
					got = got.Truncate(time.Millisecond)
				}
				if got != want {
					t.Fatalf("trip %d: RemainingOpen() = %v want %v", i, got, want)
				}
				clk.Advance(b.RemainingOpen())
				call(t, b, errBoom) // the probe fails: re-trip
				wantState(t, b, StateOpen)
			}
		})
	}
}

func TestOpenBackoffResetsAfterClose(t *testing.T) {
	b, clk := tripped(t, Config{OpenDuration: time.Second})
	for range 3 { // re-trip three times: 1s, 2s, 4s, now 8s
		clk.Advance(b.RemainingOpen())
		call(t, b, errBoom)
	}
	if got := b.RemainingOpen(); got != 8*time.Second {
		t.Fatalf("RemainingOpen() after 3 re-trips = %v want 8s", got)
	}
	clk.Advance(8 * time.Second)
	call(t, b, nil)
	wantState(t, b, StateClosed)
	call(t, b, errBoom)
	if got := b.RemainingOpen(); got != time.Second {
		t.Fatalf("RemainingOpen() after close and trip = %v want 1s", got)
	}
	// Reset clears the backoff too.
	clk.Advance(time.Second)
	call(t, b, errBoom)
	if got := b.RemainingOpen(); got != 2*time.Second {
		t.Fatalf("RemainingOpen() after re-trip = %v want 2s", got)
	}
	b.Reset()
	call(t, b, errBoom)
	if got := b.RemainingOpen(); got != time.Second {
		t.Fatalf("RemainingOpen() after Reset and trip = %v want 1s", got)
	}
}

func TestOpenWaitNoOverflow(t *testing.T) {
	b, _ := newTest(t, Config{OpenDuration: time.Duration(1 << 62), OpenBackoffMultiplier: 1e300, OpenJitter: 1, Random: seq(0.99)})
	for _, retrips := range []int{0, 1, 1000, 1 << 30} {
		if got := b.openWait(retrips, 0.99); got <= 0 {
			t.Errorf("openWait(%d) = %v want positive", retrips, got)
		}
	}
}

func TestHugeOpenDurationStaysOpen(t *testing.T) {
	b, clk := tripped(t, Config{OpenDuration: time.Duration(1<<63 - 1)})
	clk.Advance(1000 * time.Hour)
	wantState(t, b, StateOpen)
}
