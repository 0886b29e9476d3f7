package retry

import (
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
)

func TestBudgetWindow(t *testing.T) {
	clk := clock.NewManual(t0)
	// Each request earns half a retry; the reserve is 0.1/s × 10s = 1.
	b, err := NewBudget(BudgetConfig{Ratio: 0.5, MinPerSecond: 0.1, Window: 10 * time.Second, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		at   time.Duration // since t0
		op   string        // "request", "try" or "available"
		want int           // TryRetry as 0/1, or Available
	}
	steps := []step{
		{0, "available", 1},
		{0, "try", 1},
		{0, "try", 0},
		{time.Second, "request", 0},
		{time.Second, "available", 0}, // 0.5 + 1 - 1
		{2 * time.Second, "request", 0},
		{2 * time.Second, "available", 1},
		{2 * time.Second, "try", 1},
		{2 * time.Second, "try", 0},
		{9 * time.Second, "request", 0},
		{9 * time.Second, "request", 0},
		{9 * time.Second, "available", 1},  // 0.5*4 + 1 - 2
		{10 * time.Second, "available", 2}, // t0's retry slid out: 0.5*4 + 1 - 1
		{11 * time.Second, "available", 1}, // 1s request gone: 1.5 + 1 - 1
		{12 * time.Second, "available", 2}, // 2s request and retry gone: 1 + 1 - 0
		{19 * time.Second, "available", 1}, // everything gone: the reserve
	}
	for i, s := range steps {
		clk.Set(t0.Add(s.at))
		var got int
		switch s.op {
		case "request":
			b.Request()
			continue
		case "try":
			if b.TryRetry() {
				got = 1
			}
		case "available":
			got = b.Available()
		}
		if got != s.want {
			t.Errorf("step %d at %v: %s = %d want %d (stats %+v)", i, s.at, s.op, got, s.want, b.Stats())
		}
	}
}

func TestBudgetStats(t *testing.T) {
	clk := clock.NewManual(t0)
	b, err := NewBudget(BudgetConfig{Clock: clk}) // defaults: 0.2, 10/s, 10s
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		b.Request()
	}
	for range 3 {
		if !b.TryRetry() {
			t.Fatal("TryRetry() = false with a fresh default budget")
		}
	}
	want := BudgetStats{Requests: 50, Retries: 3, Available: 0.2*50 + 100 - 3}
	if got := b.Stats(); got != want {
		t.Errorf("Stats() = %+v want %+v", got, want)
	}
	if got := b.Available(); got != 107 {
		t.Errorf("Available() = %d want 107", got)
	}
}

func TestBudgetSaturates(t *testing.T) {
	clk := clock.NewManual(t0)
	b, err := NewBudget(BudgetConfig{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	seq := b.seq(clk.Nanotime())
	b.requests[seq%budgetBuckets].Store(seq<<32 | countMask)
	b.Request()
	if got := b.Stats().Requests; got != countMask {
		t.Errorf("Requests = %d after saturation want %d", got, uint64(countMask))
	}
}

func TestBudgetConfigValidate(t *testing.T) {
	tests := []struct {
		name      string
		cfg       BudgetConfig
		wantField string
	}{
		{"zero", BudgetConfig{}, ""},
		{"defaults", DefaultBudgetConfig(), ""},
		{"ratio-above-one", BudgetConfig{Ratio: 3}, ""},
		{"negative-ratio", BudgetConfig{Ratio: -0.1}, "Budget.Ratio"},
		{"nan-ratio", BudgetConfig{Ratio: math.NaN()}, "Budget.Ratio"},
		{"inf-ratio", BudgetConfig{Ratio: math.Inf(1)}, "Budget.Ratio"},
		{"negative-min", BudgetConfig{MinPerSecond: -1}, "Budget.MinPerSecond"},
		{"nan-min", BudgetConfig{MinPerSecond: math.NaN()}, "Budget.MinPerSecond"},
		{"negative-window", BudgetConfig{Window: -time.Second}, "Budget.Window"},
		{"tiny-window", BudgetConfig{Window: time.Microsecond}, "Budget.Window"},
		{"1ms-window", BudgetConfig{Window: time.Millisecond}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			b, nerr := NewBudget(tt.cfg)
			if tt.wantField == "" {
				if err != nil || nerr != nil || b == nil {
					t.Fatalf("Validate() = %v, NewBudget() = %v, %v want valid", err, b, nerr)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantField) || b != nil || nerr == nil {
				t.Fatalf("Validate() = %v, NewBudget() = %v, %v want an error naming %s", err, b, nerr, tt.wantField)
			}
		})
	}
}

// TestBudgetHammer checks that concurrent callers neither lose counts nor
// overdraw the budget by more than one retry each.
func TestBudgetHammer(t *testing.T) {
	clk := clock.NewManual(t0)
	b, err := NewBudget(BudgetConfig{Ratio: 0.1, MinPerSecond: 0.1, Clock: clk}) // reserve 1
	if err != nil {
		t.Fatal(err)
	}
	const workers, perWorker = 8, 2000
	var wg sync.WaitGroup
	granted := make([]int, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWorker {
				b.Request()
				if b.TryRetry() {
					granted[w]++
				}
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, g := range granted {
		total += g
	}
	st := b.Stats()
	if st.Requests != workers*perWorker || st.Retries != uint64(total) {
		t.Errorf("Stats() = %+v want %d requests and %d retries", st, workers*perWorker, total)
	}
	if limit := 0.1*workers*perWorker + 1 + workers; float64(total) > limit {
		t.Errorf("granted %d retries want at most %v", total, limit)
	}
	if total < 0.1*workers*perWorker-1 {
		t.Errorf("granted %d retries want about %v", total, 0.1*workers*perWorker)
	}
}
