package timeout

import "context"

// ErrTimeout is returned when a Timeout's own time limit ran out. It also
// matches context.DeadlineExceeded with errors.Is, so code that checks for
// a context deadline keeps working. The call may have had effects: retry it
// only if it is idempotent. A deadline or cancellation of the caller's own
// context is passed through unchanged, never turned into ErrTimeout.
var ErrTimeout error = &timeoutError{}

// timeoutError is the type of ErrTimeout and of each Timeout's private
// context cause, which Exit recognises by identity. It is not zero-sized, so
// that every instance has an address of its own.
type timeoutError struct{ name string }

func (e *timeoutError) Error() string {
	if e.name == "" {
		return "timeout: time limit exceeded"
	}
	return "timeout: " + e.name + ": time limit exceeded"
}

// Is matches ErrTimeout and context.DeadlineExceeded.
func (*timeoutError) Is(target error) bool {
	return target == ErrTimeout || target == context.DeadlineExceeded
}

// Timeout reports true, like a net.Error deadline.
func (*timeoutError) Timeout() bool { return true }
