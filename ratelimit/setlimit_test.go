package ratelimit

import (
	"testing"
	"time"
)

func TestSetLimitKeepsState(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		used      int // events taken before the change
		rate      float64
		burst     int
		wantNow   int           // events available right after the change
		afterWait time.Duration // then, after this wait...
		wantAfter int           // ...this many are available
	}{
		{"faster-keeps-tokens", Config{Rate: 10, Burst: 10}, 10, 100, 10, 0, 50 * ms, 5},
		{"slower-keeps-tokens", Config{Rate: 10, Burst: 10}, 5, 1, 10, 5, time.Second, 6},
		{"bigger-burst-no-windfall", Config{Rate: 10, Burst: 10}, 0, 10, 100, 10, time.Second, 20},
		{"smaller-burst-caps", Config{Rate: 10, Burst: 10}, 0, 10, 3, 3, time.Second, 3},
		{"debt-stays", Config{Rate: 10, Burst: 4}, 4, 20, 4, 0, 100 * ms, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lim, clk := newLimiter(t, tt.cfg)
			if tt.used > 0 && !lim.AllowN(tt.used) {
				t.Fatalf("lim.AllowN(%d) = false", tt.used)
			}
			if err := lim.SetLimit(tt.rate, tt.burst); err != nil {
				t.Fatalf("lim.SetLimit(%v, %v) = %v", tt.rate, tt.burst, err)
			}
			if got := lim.Info().Remaining; got != tt.wantNow {
				t.Errorf("after SetLimit Remaining = %d want %d", got, tt.wantNow)
			}
			clk.Advance(tt.afterWait)
			if got := lim.Info().Remaining; got != tt.wantAfter {
				t.Errorf("after %v more Remaining = %d want %d", tt.afterWait, got, tt.wantAfter)
			}
		})
	}
}

func TestSetRateAndBurst(t *testing.T) {
	lim, clk := newLimiter(t, Config{Rate: 10, Burst: 1})
	if err := lim.SetRate(100); err != nil {
		t.Fatal(err)
	}
	if r, _ := lim.Rate(); r != 100 || lim.Burst() != 1 {
		t.Errorf("after SetRate(100) Rate, Burst = %v, %d want 100, 1", r, lim.Burst())
	}
	if err := lim.SetBurst(3); err != nil {
		t.Fatal(err)
	}
	if r, _ := lim.Rate(); r != 100 || lim.Burst() != 3 {
		t.Errorf("after SetBurst(3) Rate, Burst = %v, %d want 100, 3", r, lim.Burst())
	}
	// The bigger burst fills at the new rate: 1 left, +2 in 20ms.
	runAllow(t, lim, clk, []allowStep{{0, 1, true}, {0, 1, false}, {20 * ms, 3, false}, {20 * ms, 2, true}, {20 * ms, 1, false}})
}

func TestSetLimitInvalidChangesNothing(t *testing.T) {
	lim, _ := newLimiter(t, Config{Rate: 10, Burst: 2})
	for _, bad := range []struct {
		rate  float64
		burst int
	}{{0, 1}, {-1, 1}, {10, -1}, {1e12, 1}} {
		if err := lim.SetLimit(bad.rate, bad.burst); err == nil {
			t.Errorf("lim.SetLimit(%v, %v) = nil want error", bad.rate, bad.burst)
		}
	}
	if r, _ := lim.Rate(); r != 10 || lim.Burst() != 2 {
		t.Errorf("after invalid SetLimit Rate, Burst = %v, %d want 10, 2", r, lim.Burst())
	}
}

func TestSetLimitFromUnlimited(t *testing.T) {
	lim, clk := newLimiter(t, Config{Unlimited: true})
	lim.AllowN(1000)
	if err := lim.SetRate(10); err != nil {
		t.Fatal(err)
	}
	if b := lim.Burst(); b != 10 {
		t.Errorf("SetRate(10) on Unlimited: Burst = %d want the default 10", b)
	}
	runAllow(t, lim, clk, []allowStep{{0, 10, true}, {0, 1, false}})
}
