package etcd

import (
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// Defaults of Config's zero fields.
const (
	// DefaultPrefix is the key prefix under which instances are stored:
	// DefaultPrefix + service + "/" + id.
	DefaultPrefix = "/services/"
	// DefaultTTL is the lease TTL of registrations.
	DefaultTTL = 10 * time.Second
	// DefaultDialTimeout bounds each attempt to connect to an endpoint.
	DefaultDialTimeout = 5 * time.Second
	// DefaultOpTimeout bounds each request to etcd.
	DefaultOpTimeout = 5 * time.Second
	// DefaultRetryInterval is the wait between attempts to restore a lost
	// lease or a broken watch.
	DefaultRetryInterval = time.Second
	// DefaultMaxReconnectDelay caps the wait between reconnection attempts.
	DefaultMaxReconnectDelay = 5 * time.Second
)

// Config configures a Registry. Endpoints is required; every other field
// has a usable zero value.
type Config struct {
	// Name identifies the registry in events. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// Endpoints are the etcd client URLs ("http://127.0.0.1:2379",
	// "https://etcd-1:2379") or host:port pairs (https when TLS is set).
	// Requests go to the one that answered last and fail over to the next
	// when it cannot be reached. Required.
	Endpoints []string `yaml:"endpoints" json:"endpoints"`
	// Prefix is the key prefix; an instance of service S with ID I is stored
	// at Prefix+S+"/"+I as JSON. It must start and end with '/'. Empty
	// means DefaultPrefix ("/services/").
	Prefix string `yaml:"prefix" json:"prefix"`
	// TTL is the lease time of registrations: a process that dies stops
	// renewing its lease and its instances vanish TTL later. Zero means
	// DefaultTTL (10s); otherwise at least 1s, rounded up to whole seconds
	// (etcd may raise it to its own minimum).
	TTL time.Duration `yaml:"ttl" json:"ttl"`
	// DialTimeout bounds each attempt to connect to an endpoint (TCP and
	// TLS handshake); a new Registry does not wait for a connection. Zero
	// means DefaultDialTimeout (5s).
	DialTimeout time.Duration `yaml:"dial_timeout" json:"dial_timeout"`
	// OpTimeout bounds every request to etcd (register, deregister, lookup,
	// the first listing of a watch, revoking the lease on Close), so that an
	// endpoint that does not answer never hangs a caller. Zero means
	// DefaultOpTimeout (5s).
	OpTimeout time.Duration `yaml:"op_timeout" json:"op_timeout"`
	// RetryInterval is the wait between attempts to restore a lost lease
	// (re-registering every instance) or a broken watch (listing again).
	// Zero means DefaultRetryInterval (1s).
	RetryInterval time.Duration `yaml:"retry_interval" json:"retry_interval"`
	// MaxReconnectDelay caps the wait between rounds of attempts over the
	// endpoints while none can be reached, within one request (the waits
	// start at 100ms and grow by half each round), so that a restarted
	// server is found again quickly. Zero means DefaultMaxReconnectDelay
	// (5s).
	MaxReconnectDelay time.Duration `yaml:"max_reconnect_delay" json:"max_reconnect_delay"`
	// Username and Password authenticate to etcd: the Registry gets a
	// token (/v3/auth/authenticate) before its first request, sends it in
	// the Authorization header, and gets a new one when etcd rejects it as
	// invalid or expired. An etcd without auth enabled is used without a
	// token. Empty means none.
	Username string `yaml:"username" json:"username"`
	// Password goes with Username.
	Password string `yaml:"password" json:"password"`
	// TLS configures TLS (client certificates, roots, server name) for
	// https:// endpoints, and makes host:port endpoints https. Nil means
	// plain http for host:port endpoints and the system's roots for
	// https:// ones. The Registry uses a copy.
	TLS *tls.Config `yaml:"-" json:"-"`
	// Clock times the request timeouts and retry waits. Nil means the real
	// clock. Lease expiry is etcd's and runs on real time, and so do the
	// lease's renewals.
	Clock clock.Clock `yaml:"-" json:"-"`
	// Listener receives EventFailure when a lease is lost or a watch breaks
	// (and is being restored), EventSuccess when it is restored, and
	// EventFailure for an entry that does not decode (it is skipped). Nil
	// means no events.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// Validate reports the first invalid field, naming it.
func (c Config) Validate() error {
	if len(c.Endpoints) == 0 {
		return fmt.Errorf("etcd: Endpoints is empty")
	}
	for i, ep := range c.Endpoints {
		if err := CheckEndpoint(ep); err != nil {
			return fmt.Errorf("etcd: Endpoints[%d] %q is not a URL or host:port: %v", i, ep, err)
		}
	}
	if c.Prefix != "" && (!strings.HasPrefix(c.Prefix, "/") || !strings.HasSuffix(c.Prefix, "/")) {
		return fmt.Errorf("etcd: Prefix %q must start and end with '/'", c.Prefix)
	}
	if c.TTL != 0 && c.TTL < time.Second {
		return fmt.Errorf("etcd: TTL %v must be >= 1s (0 means %v)", c.TTL, DefaultTTL)
	}
	if c.TTL > 1<<31*time.Second/2 {
		return fmt.Errorf("etcd: TTL %v is too long", c.TTL)
	}
	for _, f := range []struct {
		name string
		d    time.Duration
		def  time.Duration
	}{
		{"DialTimeout", c.DialTimeout, DefaultDialTimeout},
		{"OpTimeout", c.OpTimeout, DefaultOpTimeout},
		{"RetryInterval", c.RetryInterval, DefaultRetryInterval},
		{"MaxReconnectDelay", c.MaxReconnectDelay, DefaultMaxReconnectDelay},
	} {
		if f.d < 0 {
			return fmt.Errorf("etcd: %s %v must be >= 0 (0 means %v)", f.name, f.d, f.def)
		}
	}
	if c.Password != "" && c.Username == "" {
		return fmt.Errorf("etcd: Password is set without Username")
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if c.TTL == 0 {
		c.TTL = DefaultTTL
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.OpTimeout == 0 {
		c.OpTimeout = DefaultOpTimeout
	}
	if c.RetryInterval == 0 {
		c.RetryInterval = DefaultRetryInterval
	}
	if c.MaxReconnectDelay == 0 {
		c.MaxReconnectDelay = DefaultMaxReconnectDelay
	}
	c.Clock = clock.Or(c.Clock)
	return c
}

// ttlSeconds is the TTL in whole seconds, rounded up.
func (c Config) ttlSeconds() int64 {
	return int64((c.TTL + time.Second - 1) / time.Second)
}
