package config

import "time"

// Config is the sidecar proxy's configuration: where it listens, how
// requests are routed to clusters of upstream endpoints, which resilience
// policies guard each route, and the admin server. Parse and Load return
// one with every default filled in and every field validated; a Config
// built in Go can be checked with Validate.
//
// A Config is plain data: it holds no functions, clocks or listeners, so
// it can be compared with reflect.DeepEqual, copied with Clone, diffed
// with Diff and printed with YAML or JSON. Treat a Config returned by
// Parse as read-only; it is safe to read from many goroutines.
//
// In the file, top-level keys starting with "x-" are ignored: a place for
// YAML anchors that blocks merge in with "<<: *name".
type Config struct {
	// Listeners are the addresses the proxy accepts requests on. At least
	// one is required.
	Listeners []Listener `yaml:"listeners" json:"listeners"`
	// Routes send requests to clusters, first match wins, in order. At
	// least one is required.
	Routes []Route `yaml:"routes" json:"routes"`
	// Clusters are the upstream services routes send requests to.
	Clusters []Cluster `yaml:"clusters" json:"clusters"`
	// Admin configures the admin server (/config, /stats, the
	// dashboard). Omitted, it listens on 127.0.0.1:9901 with the
	// dashboard on.
	Admin Admin `yaml:"admin" json:"admin"`
	// Redis is the Redis server shared by every distributed rate limit
	// (rate_limit.redis). Omitted, there is none, and a route that asks for
	// a Redis rate limit is an error.
	Redis Redis `yaml:"redis" json:"redis"`
	// Process tunes the proxy's own process (its memory limit). Omitted,
	// every setting is automatic.
	Process Process `yaml:"process" json:"process"`
}

// Listener is one address the proxy accepts requests on.
type Listener struct {
	// Name identifies the listener in routes, events and metrics.
	// Required and unique; letters, digits and "-_." only.
	Name string `yaml:"name" json:"name"`
	// Address is the host:port to bind. Empty means DefaultListenAddress
	// (127.0.0.1:8080). Port 0 picks a free port.
	Address string `yaml:"address" json:"address"`
	// Protocols are the HTTP versions served: "http1", "h2c" (cleartext
	// HTTP/2, without TLS) and "h2" (HTTP/2 over TLS). Empty means
	// ["http1"].
	Protocols []string `yaml:"protocols" json:"protocols"`
	// TLS, when set, serves TLS with this certificate. Nil means cleartext.
	TLS *TLS `yaml:"tls" json:"tls"`
	// Timeouts bound the phases of a client connection.
	Timeouts ServerTimeouts `yaml:"timeouts" json:"timeouts"`
	// MaxHeaderBytes bounds the size of a request's headers. Zero means
	// DefaultMaxHeaderBytes (1 MiB).
	MaxHeaderBytes int `yaml:"max_header_bytes" json:"max_header_bytes"`
	// MaxBodyBytes bounds the size of a request's body; a larger body is
	// refused with 413. Zero means no limit.
	MaxBodyBytes int64 `yaml:"max_body_bytes" json:"max_body_bytes"`
}

// TLS names a certificate and its private key, both PEM files.
type TLS struct {
	// CertFile is the certificate chain. Required.
	CertFile string `yaml:"cert_file" json:"cert_file"`
	// KeyFile is the private key. Required.
	KeyFile string `yaml:"key_file" json:"key_file"`
}

// ServerTimeouts are the net/http.Server timeouts of a listener.
type ServerTimeouts struct {
	// ReadHeader bounds reading a request's headers. Zero means
	// DefaultReadHeaderTimeout (10s); it guards against slow-loris
	// clients.
	ReadHeader time.Duration `yaml:"read_header" json:"read_header"`
	// Read bounds reading a whole request, body included. Zero means no
	// limit.
	Read time.Duration `yaml:"read" json:"read"`
	// Write bounds writing a response, from the end of the request
	// headers. Zero means no limit, which streaming responses need.
	Write time.Duration `yaml:"write" json:"write"`
	// Idle bounds how long a keep-alive connection waits for its next
	// request. Zero means DefaultIdleTimeout (2m).
	Idle time.Duration `yaml:"idle" json:"idle"`
}

// Admin configures the admin server.
type Admin struct {
	// Enabled switches the admin server on. Omitted from the file means
	// true (the zero Admin of a Config built in Go is off).
	Enabled bool `yaml:"enabled" json:"enabled"`
	// Address is the host:port to bind. Empty means DefaultAdminAddress
	// (127.0.0.1:9901). The admin server can change the proxy's state, so
	// an address that is not loopback (127.0.0.0/8, ::1, localhost) needs
	// AllowNonLoopback.
	Address string `yaml:"address" json:"address"`
	// AllowNonLoopback permits an Address reachable from other machines.
	// False means loopback only.
	AllowNonLoopback bool `yaml:"allow_non_loopback" json:"allow_non_loopback"`
	// Dashboard serves the live dashboard at /dashboard. Omitted from the
	// file means true.
	Dashboard bool `yaml:"dashboard" json:"dashboard"`
	// Token, when set, is required as "Authorization: Bearer <token>" on
	// every admin request. Empty means no authentication. Redacted by
	// Redacted.
	Token string `yaml:"token" json:"token"`
}

// Redis is the shared Redis server.
type Redis struct {
	// URL is redis://[user:password@]host:port[/db], rediss:// for TLS, or
	// unix:///path. Empty means no Redis. Its password is redacted by
	// Redacted.
	URL string `yaml:"url" json:"url"`
}

// Defaults of the proxy's own settings.
const (
	// DefaultListenAddress is a Listener's Address when it is empty.
	DefaultListenAddress = "127.0.0.1:8080"
	// DefaultAdminAddress is Admin.Address when it is empty.
	DefaultAdminAddress = "127.0.0.1:9901"
	// DefaultReadHeaderTimeout is ServerTimeouts.ReadHeader when zero.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultIdleTimeout is ServerTimeouts.Idle when zero.
	DefaultIdleTimeout = 2 * time.Minute
	// DefaultMaxHeaderBytes is Listener.MaxHeaderBytes when zero.
	DefaultMaxHeaderBytes = 1 << 20
)

// Listener returns the listener named name, or nil.
func (c *Config) Listener(name string) *Listener {
	for i := range c.Listeners {
		if c.Listeners[i].Name == name {
			return &c.Listeners[i]
		}
	}
	return nil
}

// Route returns the route named name, or nil.
func (c *Config) Route(name string) *Route {
	for i := range c.Routes {
		if c.Routes[i].Name == name {
			return &c.Routes[i]
		}
	}
	return nil
}

// Cluster returns the cluster named name, or nil.
func (c *Config) Cluster(name string) *Cluster {
	for i := range c.Clusters {
		if c.Clusters[i].Name == name {
			return &c.Clusters[i]
		}
	}
	return nil
}
