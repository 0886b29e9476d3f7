package demo

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/internal/leaktest"
)

func TestMain(m *testing.M) { leaktest.VerifyTestMain(m) }

// TestDemoTripsAndRecovers runs a shortened demo against its real loopback
// upstream: the breaker must open while the upstream fails and close again
// after it recovers. The phases are seconds apart, so the assertions are
// about order, not timing.
func TestDemoTripsAndRecovers(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real 4s demo")
	}
	var out bytes.Buffer
	sum, err := Run(context.Background(), Options{Duration: 4 * time.Second, Tick: 250 * time.Millisecond, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Calls == 0 || sum.OK == 0 {
		t.Fatalf("summary %+v: no successful calls", sum)
	}
	if len(sum.Trips) == 0 || sum.Trips[0] < sum.FailureStart {
		t.Fatalf("trips %v; want one after the failures began at %v\n%s", sum.Trips, sum.FailureStart, out.String())
	}
	if sum.Rejected == 0 {
		t.Fatalf("the open breaker rejected nothing\n%s", out.String())
	}
	if firstAfter(sum.Recoveries, sum.FailureEnd) < 0 {
		t.Fatalf("recoveries %v; want one after the upstream recovered at %v\n%s", sum.Recoveries, sum.FailureEnd, out.String())
	}
	for _, want := range []string{"breaker", "summary", "tripped", "closed again"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDemoStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	if _, err := Run(ctx, Options{Duration: time.Hour, Out: &out}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "summary") {
		t.Fatalf("a cancelled demo must still print its summary:\n%s", out.String())
	}
}

func TestP99NearestRank(t *testing.T) {
	tests := []struct {
		n    int
		want time.Duration
	}{{1, 1}, {2, 2}, {100, 99}, {101, 100}, {1000, 990}}
	for _, tt := range tests {
		var tl tally
		for i := tt.n; i >= 1; i-- {
			tl.latencies = append(tl.latencies, time.Duration(i))
		}
		if got := tl.p99(); got != tt.want {
			t.Errorf("p99 of 1..%d = %v want %v", tt.n, got, tt.want)
		}
	}
	if (&tally{}).p99() != 0 {
		t.Error("p99 of nothing must be 0")
	}
}
