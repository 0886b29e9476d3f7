package discovery

import (
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// DefaultFileInterval is how often a File checks its file when
// FileConfig.Interval is zero.
const DefaultFileInterval = 5 * time.Second

// DefaultMaxFileSize bounds the file a File reads when FileConfig.MaxSize
// is zero.
const DefaultMaxFileSize = 16 << 20

// FileConfig configures a File source. Path is required; every other field
// has a usable zero value.
type FileConfig struct {
	// Name identifies the source in events. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// Path is the file to read. Required. Replace it atomically (write a
	// temporary file, then rename it over Path) so that a check never reads
	// half a file; a half-written file fails to parse and is retried.
	Path string `yaml:"path" json:"path"`
	// Interval is how often the file is checked for changes. Zero means
	// DefaultFileInterval (5s); otherwise it must be at least 1ms.
	Interval time.Duration `yaml:"interval" json:"interval"`
	// Service is given to instances that name no service. Empty means
	// every instance must name its own.
	Service string `yaml:"service" json:"service"`
	// MaxSize is the largest file accepted, in bytes; a larger one is an
	// error and the last good set stays. Zero means DefaultMaxFileSize
	// (16 MiB).
	MaxSize int64 `yaml:"max_size" json:"max_size"`
	// Decode turns the file's bytes into instances. Nil means DecodeJSON.
	// Set it to read YAML or another format (this package imports no YAML
	// library); whatever it returns is validated the same way.
	Decode func([]byte) ([]Instance, error) `yaml:"-" json:"-"`
	// Clock times the checks. Nil means the real clock; tests pass
	// clock.NewManual(t0) and Advance it by Interval to trigger a check.
	Clock clock.Clock `yaml:"-" json:"-"`
	// Listener receives EventFailure when a check fails (the last good set
	// stays; Err holds the error) and EventSuccess when a changed file was
	// loaded. Nil means no events.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// Validate reports the first invalid field, naming it.
func (c FileConfig) Validate() error {
	if c.Path == "" {
		return fmt.Errorf("discovery: file: Path is empty")
	}
	if c.Interval != 0 && c.Interval < time.Millisecond {
		return fmt.Errorf("discovery: file: Interval %v must be >= 1ms (0 means %v)", c.Interval, DefaultFileInterval)
	}
	if c.MaxSize < 0 {
		return fmt.Errorf("discovery: file: MaxSize %d must be >= 0", c.MaxSize)
	}
	if c.Service != "" {
		if err := validName("file: Service", c.Service); err != nil {
			return err
		}
	}
	return nil
}

func (c FileConfig) withDefaults() FileConfig {
	if c.Interval == 0 {
		c.Interval = DefaultFileInterval
	}
	if c.MaxSize == 0 {
		c.MaxSize = DefaultMaxFileSize
	}
	if c.Decode == nil {
		c.Decode = DecodeJSON
	}
	c.Clock = clock.Or(c.Clock)
	return c
}
