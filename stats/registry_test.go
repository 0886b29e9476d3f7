package stats_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/stats"
)

func TestRegistryInstances(t *testing.T) {
	reg, _ := newRegistry(t)
	a := reg.Instance("retry", "b")
	if got := reg.Instance("retry", "b"); got != a {
		t.Fatalf("Instance(retry, b) twice returned %p and %p", a, got)
	}
	if got := reg.Listener("retry", "b"); got != resilience.Listener(a) {
		t.Fatalf("Listener(retry, b) = %v want the Instance", got)
	}
	reg.Instance("circuitbreaker", "z")
	reg.OnEvent(resilience.Event{Kind: resilience.EventRetry, Policy: "retry", Name: "a"})
	var names []string
	for _, s := range reg.Snapshot() {
		names = append(names, s.Policy+"/"+s.Name)
	}
	if want := "[circuitbreaker/z retry/a retry/b]"; fmt.Sprint(names) != want {
		t.Fatalf("Snapshot() names = %v want %s", names, want)
	}
	if got := reg.Instance("retry", "a").Snapshot().Counts["retry"]; got != 1 {
		t.Fatalf("routed retry count = %d want 1", got)
	}
	if !reg.Remove("retry", "a") || reg.Remove("retry", "a") {
		t.Fatal("Remove(retry, a) twice did not report true then false")
	}
	if n := len(reg.Instances()); n != 2 {
		t.Fatalf("len(Instances()) after Remove = %d want 2", n)
	}
}

func TestRegistryMaxInstances(t *testing.T) {
	reg, err := stats.NewRegistry(stats.Config{MaxInstances: 2})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		reg.OnEvent(resilience.Event{Kind: resilience.EventRejected, Policy: "bulkhead", Name: fmt.Sprintf("pool/key%d", i)})
	}
	snaps := reg.Snapshot()
	if len(snaps) != 3 {
		t.Fatalf("len(Snapshot()) = %d want 2 named + 1 overflow", len(snaps))
	}
	over := reg.Instance("bulkhead", "pool/key9")
	if over.Name() != stats.OverflowName {
		t.Fatalf("Instance beyond the limit is named %q want %q", over.Name(), stats.OverflowName)
	}
	if got := over.Snapshot().Counts["rejected"]; got != 8 {
		t.Fatalf("overflow rejected = %d want 8", got)
	}
}

func TestDefaultRegistry(t *testing.T) {
	if stats.Default() == nil || stats.Default() != stats.Default() {
		t.Fatal("Default() is nil or not shared")
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     stats.Config
		wantErr bool
	}{
		{"zero", stats.Config{}, false},
		{"default", stats.DefaultConfig(), false},
		{"negative-max", stats.Config{MaxInstances: -1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (err != nil) != tt.wantErr {
				t.Fatalf("Validate() = %v want error %v", err, tt.wantErr)
			}
			if _, nerr := stats.NewRegistry(tt.cfg); (nerr != nil) != tt.wantErr {
				t.Fatalf("NewRegistry() = %v want error %v", nerr, tt.wantErr)
			}
		})
	}
}

func FuzzConfigValidate(f *testing.F) {
	f.Add(0)
	f.Add(-1)
	f.Add(1 << 40)
	f.Fuzz(func(t *testing.T, n int) {
		err := stats.Config{MaxInstances: n}.Validate()
		if (err != nil) != (n < 0) {
			t.Fatalf("Config{MaxInstances: %d}.Validate() = %v", n, err)
		}
	})
}

// TestHammer records from many goroutines while others snapshot: lifetime
// counts never go down and end exact, across slot rotations.
func TestHammer(t *testing.T) {
	reg, clk := newRegistry(t)
	in := reg.Instance("p", "x")
	const workers, perWorker = 8, 5000
	var wg sync.WaitGroup
	done := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				k := resilience.EventSuccess
				if (i+w)%3 == 0 {
					k = resilience.EventFailure
				}
				in.Record(k, 0)
				if i%500 == 0 {
					reg.OnEvent(resilience.Event{Kind: resilience.EventRejected, Policy: "p", Name: fmt.Sprint("n", i%3)})
				}
			}
		})
	}
	var readers sync.WaitGroup
	readers.Go(func() {
		var last uint64
		for {
			select {
			case <-done:
				return
			default:
			}
			clk.Advance(700_000_000) // 0.7 s: rotations race with adds
			s := in.Snapshot()
			total := s.Counts["success"] + s.Counts["failure"]
			if total < last {
				t.Errorf("total went down from %d to %d", last, total)
				return
			}
			last = total
		}
	})
	wg.Wait()
	close(done)
	readers.Wait()
	s := in.Snapshot()
	if got := s.Counts["success"] + s.Counts["failure"]; got != workers*perWorker {
		t.Fatalf("total = %d want %d", got, workers*perWorker)
	}
	if s.Latency.Count != workers*perWorker {
		t.Fatalf("Latency.Count = %d want %d", s.Latency.Count, workers*perWorker)
	}
}
