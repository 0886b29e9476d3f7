package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
)

// ErrLimited is returned by Acquire when the limit refuses the call. The
// call did not run; try again after the delay that AllowInfo or Reserve
// report (the Retry-After of an HTTP 429), or serve a fallback. It matches
// resilience.ErrRejected.
var ErrLimited = fmt.Errorf("ratelimit: limited: %w", resilience.ErrRejected)

// ErrBurstExceeded is returned by WaitN when n exceeds the burst: no wait
// can ever admit it. Ask for fewer events or raise Burst. It matches
// ErrLimited and resilience.ErrRejected.
var ErrBurstExceeded = fmt.Errorf("ratelimit: n exceeds burst: %w", ErrLimited)

// ErrNegativeN is returned by WaitN for n < 0, a caller's bug.
var ErrNegativeN = errors.New("ratelimit: n must be >= 0")

// ErrTooManyKeys is returned by Keyed.Acquire, and makes Keyed refuse,
// when a new key does not fit because the table is full of active keys and
// RejectNewKeys is set. It matches ErrLimited and resilience.ErrRejected.
var ErrTooManyKeys = fmt.Errorf("ratelimit: too many keys: %w", ErrLimited)

// DelayError is returned by Wait when the wait it would need outlasts the
// context's deadline, so it returns at once instead of sleeping in vain.
// It matches ErrLimited, resilience.ErrRejected and context.DeadlineExceeded
// with errors.Is (x/time/rate returns a bare string there, golang/go#54541).
type DelayError struct {
	// Delay is the wait the events would have needed.
	Delay time.Duration
	// Deadline is how much time the context had left.
	Deadline time.Duration
}

// Error describes the refused wait.
func (e *DelayError) Error() string {
	return fmt.Sprintf("ratelimit: wait of %v would exceed the context deadline (%v left)", e.Delay, e.Deadline)
}

// Is reports whether target is context.DeadlineExceeded.
func (e *DelayError) Is(target error) bool { return target == context.DeadlineExceeded }

// Unwrap returns ErrLimited.
func (e *DelayError) Unwrap() error { return ErrLimited }
