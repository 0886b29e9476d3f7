package health

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// Result is the outcome of one check as a probe saw it.
type Result struct {
	// Name is the check's name.
	Name string
	// Status is "ok", "fail", or "excluded" (skipped by ?exclude=).
	Status string
	// Error is the check's error; empty unless Status is "fail".
	Error string
	// Duration is how long the run took on the Checker's clock.
	Duration time.Duration
	// Critical reports whether a failure fails the probe.
	Critical bool
	// Cached is true when the result came from a run within the check's
	// Interval instead of a fresh one.
	Cached bool
	// err is the error itself, for errors.Is in Go callers.
	err error
}

// Err returns the check's error, nil unless Status is "fail".
func (r Result) Err() error { return r.err }

// OK reports whether the check passed (or was excluded).
func (r Result) OK() bool { return r.Status != "fail" }

// checkState is a registered check with its last result and the run in
// progress, shared by concurrent requests.
type checkState struct {
	Check
	timeout time.Duration
	clk     clock.Clock

	mu      sync.Mutex
	running *call // the run requests wait for; nil once it finished or timed out
	busy    bool  // Func is still executing, possibly past its timeout
	last    Result
	lastAt  int64 // Nanotime when last finished; 0 means never
}

// call is one run of a check's Func; done closes when res is set.
type call struct {
	done chan struct{}
	res  Result
}

// start returns a cached result (as a done call) or the run in progress,
// starting one if needed.
func (s *checkState) start(ctx context.Context) *call {
	now := s.clk.Nanotime()
	s.mu.Lock()
	if s.running != nil {
		c := s.running
		s.mu.Unlock()
		return c
	}
	// Reuse the last result within Interval, and while a run that timed
	// out is still executing: a hung check holds one goroutine, not one
	// per request.
	if s.lastAt != 0 && (s.busy || s.Interval > 0 && now-s.lastAt < int64(s.Interval)) {
		res := s.last
		s.mu.Unlock()
		res.Cached = true
		c := &call{done: make(chan struct{}), res: res}
		close(c.done)
		return c
	}
	c := &call{done: make(chan struct{})}
	s.running, s.busy = c, true
	s.mu.Unlock()

	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	timer := s.clk.AfterFunc(s.timeout, func() {
		s.finish(c, now, ErrTimeout)
		cancel()
	})
	go func() {
		err := s.run(runCtx)
		timer.Stop()
		s.mu.Lock()
		s.busy = false
		s.mu.Unlock()
		s.finish(c, now, err)
		cancel()
	}()
	return c
}

// run calls Func, turning a panic into ErrPanicked.
func (s *checkState) run(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrPanicked, r)
		}
	}()
	return s.Func(ctx)
}

// finish records the first outcome of c: the function's or the timeout's.
func (s *checkState) finish(c *call, start int64, err error) {
	now := s.clk.Nanotime()
	s.mu.Lock()
	if s.running != c {
		s.mu.Unlock()
		return
	}
	s.running = nil
	c.res = s.result(err, time.Duration(now-start))
	s.last, s.lastAt = c.res, now
	s.mu.Unlock()
	close(c.done)
}

func (s *checkState) result(err error, d time.Duration) Result {
	r := Result{Name: s.Name, Status: "ok", Duration: d, Critical: s.Critical, err: err}
	if err != nil {
		r.Status, r.Error = "fail", err.Error()
	}
	return r
}

// wait returns c's result, or a failure when ctx ends first.
func (s *checkState) wait(ctx context.Context, c *call) Result {
	select {
	case <-c.done:
		return c.res
	case <-ctx.Done():
		return s.result(context.Cause(ctx), 0)
	}
}
