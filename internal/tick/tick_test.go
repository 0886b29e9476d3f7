package tick

import (
	"testing"
	"time"
)

// TestSleepWaitsAtLeastD checks the lower bound only: the machines are
// shared, so an upper bound would be a timing assertion.
func TestSleepWaitsAtLeastD(t *testing.T) {
	for _, d := range []time.Duration{0, time.Microsecond, time.Millisecond, 5 * time.Millisecond} {
		start := time.Now()
		Sleep(d)
		if got := time.Since(start); got < d {
			t.Errorf("Sleep(%v) returned after %v", d, got)
		}
	}
}
