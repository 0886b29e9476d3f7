package bulkhead

import (
	"fmt"

	"github.com/resilience-go/resilience"
)

// PoolConfig configures a Pool. The zero PoolConfig is invalid: Workers is
// required. Start from DefaultPoolConfig to get every default.
type PoolConfig struct {
	// Name identifies the pool in events and metrics. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// Workers is how many goroutines run tasks. It is required: zero or
	// less is an error.
	Workers int `yaml:"workers" json:"workers"`
	// QueueSize is how many submitted tasks may wait for a worker. Zero
	// means no queue: Submit succeeds only when a worker is idle. Negative
	// is an error.
	QueueSize int `yaml:"queue_size" json:"queue_size"`
	// Listener receives EventRejected when the queue is full and EventPanic
	// when a task panics. Nil means no events.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// DefaultPoolConfig returns a PoolConfig with 10 workers and a queue of 100.
func DefaultPoolConfig() PoolConfig {
	return PoolConfig{Workers: 10, QueueSize: 100}
}

// Validate reports the first invalid field, e.g.
// "bulkhead: Workers 0 must be >= 1".
func (c PoolConfig) Validate() error {
	if c.Workers < 1 {
		return fmt.Errorf("bulkhead: Workers %d must be >= 1", c.Workers)
	}
	if c.QueueSize < 0 {
		return fmt.Errorf("bulkhead: QueueSize %d must be >= 0", c.QueueSize)
	}
	return nil
}
