package grpcx

import (
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

// ResolverConfig configures a ResolverBuilder. Scheme and Source are
// required; every other field has a usable zero value.
type ResolverConfig struct {
	// Scheme is the target scheme the builder resolves: a client dials
	// "<scheme>:///<service>". Required: a letter, then letters, digits,
	// '+', '-' or '.', all lower case (grpc-go lower-cases the scheme it
	// parses from a target).
	Scheme string `yaml:"scheme" json:"scheme"`
	// Source finds the instances: a discovery.Memory or etcd registry, a
	// Static, File or DNS source, a Cache or a HybridSource around them.
	// Required.
	Source discovery.Source `yaml:"-" json:"-"`
	// KeepUnhealthy, when true, passes instances whose Health is
	// discovery.Unhealthy to the balancer too. False drops them: only
	// Healthy and Unknown instances become addresses.
	KeepUnhealthy bool `yaml:"keep_unhealthy" json:"keep_unhealthy"`
	// RetryInitial is the wait before watching the source again after its
	// Watch or a Next failed; it doubles after each failure in a row, up
	// to RetryMax. Zero means 100ms.
	RetryInitial time.Duration `yaml:"retry_initial" json:"retry_initial"`
	// RetryMax caps the wait between attempts to watch a failing source.
	// Zero means 30s, or RetryInitial if that is longer.
	RetryMax time.Duration `yaml:"retry_max" json:"retry_max"`
	// MinRefreshInterval is the least time between two refreshes that
	// ResolveNow starts; grpc-go asks for one whenever a connection fails,
	// and a refresh watches the source anew. Calls within it are ignored.
	// Zero means 1s.
	MinRefreshInterval time.Duration `yaml:"min_refresh_interval" json:"min_refresh_interval"`
	// Listener receives EventFailure (Policy "resolver", Name the service)
	// when the source fails, with Detail saying whether the last good
	// addresses were kept. Nil means no events, at no cost.
	Listener resilience.Listener `yaml:"-" json:"-"`
	// Clock times the retries and the refresh interval. Nil means the real
	// clock.
	Clock clock.Clock `yaml:"-" json:"-"`
}

// Validate reports the first invalid field, naming it.
func (c ResolverConfig) Validate() error {
	if err := validScheme(c.Scheme); err != nil {
		return err
	}
	switch {
	case c.Source == nil:
		return fmt.Errorf("grpcx: resolver: Source is nil")
	case c.RetryInitial < 0:
		return fmt.Errorf("grpcx: resolver: RetryInitial %v must be >= 0", c.RetryInitial)
	case c.RetryMax < 0:
		return fmt.Errorf("grpcx: resolver: RetryMax %v must be >= 0", c.RetryMax)
	case c.MinRefreshInterval < 0:
		return fmt.Errorf("grpcx: resolver: MinRefreshInterval %v must be >= 0", c.MinRefreshInterval)
	}
	return nil
}

// validScheme checks an RFC 3986 scheme in lower case.
func validScheme(s string) error {
	if s == "" {
		return fmt.Errorf("grpcx: resolver: Scheme is empty")
	}
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
		case i > 0 && (r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return fmt.Errorf("grpcx: resolver: Scheme %q must be a lower-case letter followed by lower-case letters, digits, '+', '-' or '.'", s)
		}
	}
	return nil
}

func (c ResolverConfig) retryInitial() time.Duration {
	return orDefault(c.RetryInitial, 100*time.Millisecond)
}

func (c ResolverConfig) retryMax() time.Duration {
	return max(orDefault(c.RetryMax, 30*time.Second), c.retryInitial())
}

func (c ResolverConfig) minRefresh() time.Duration {
	return orDefault(c.MinRefreshInterval, time.Second)
}

func orDefault(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}
