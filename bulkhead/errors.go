package bulkhead

import (
	"errors"
	"fmt"

	"github.com/resilience-go/resilience"
)

// ErrFull is returned when every slot of a Semaphore is taken and none freed
// up within MaxWait, or when a Pool's queue is full. The call did not run:
// shed it, serve a fallback or try again later.
var ErrFull = fmt.Errorf("bulkhead: full: %w", resilience.ErrRejected)

// ErrClosed is returned by Pool.Submit and Pool.SubmitWait once the pool is
// closing. The task did not run and never will.
var ErrClosed = fmt.Errorf("bulkhead: pool closed: %w", resilience.ErrRejected)

// ErrTooManyKeys is returned by Keyed when a new key would exceed MaxKeys
// and every existing key's semaphore is busy, so none can be evicted. Raise
// MaxKeys or use fewer distinct keys.
var ErrTooManyKeys = fmt.Errorf("bulkhead: too many keys: %w", resilience.ErrRejected)

// ErrNilTask is returned by Pool.Submit and Pool.SubmitWait for a nil task.
var ErrNilTask = errors.New("bulkhead: nil task")
