package stats_test

import (
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/stats"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newRegistry(t testing.TB) (*stats.Registry, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual(t0)
	reg, err := stats.NewRegistry(stats.Config{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	return reg, clk
}
