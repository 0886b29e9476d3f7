// Package leaktest wraps go.uber.org/goleak with the options every package's
// tests share, so that each TestMain is one line.
package leaktest

import (
	"testing"

	"go.uber.org/goleak"
)

// Options are the goleak options shared by every package: the real clock's
// coarse ticker and the timeout package's timer wheel are documented
// background goroutines that stop by themselves when idle, not leaks.
func Options() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreAnyFunction("github.com/resilience-go/resilience/clock.runCoarse"),
		goleak.IgnoreAnyFunction("github.com/resilience-go/resilience/internal/wheel.run"),
	}
}

// VerifyTestMain runs the package's tests and fails if any goroutine is
// left over when they end.
func VerifyTestMain(m *testing.M) {
	goleak.VerifyTestMain(m, Options()...)
}

// VerifyNone fails t if goroutines other than the test's own are running.
func VerifyNone(t testing.TB) {
	t.Helper()
	goleak.VerifyNone(t, Options()...)
}
