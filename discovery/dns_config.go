package discovery

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// Resolver is the part of *net.Resolver that DNS uses; tests pass a fake
// to be deterministic.
type Resolver interface {
	// LookupNetIP looks up host's addresses; network is "ip", "ip4" or
	// "ip6".
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
	// LookupSRV looks up SRV records; DNS calls it with empty service and
	// proto, so name is the full record name ("_http._tcp.example.com").
	LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error)
}

var _ Resolver = (*net.Resolver)(nil)

// Defaults of DNSConfig's zero fields.
const (
	// DefaultDNSRefresh is how often a DNS source resolves again.
	DefaultDNSRefresh = 30 * time.Second
	// DefaultLookupTimeout bounds each lookup of a DNS source or a Cache.
	DefaultLookupTimeout = 5 * time.Second
)

// DNSConfig configures a DNS source. Service and Host are required, and Port
// unless SRV is set.
type DNSConfig struct {
	// Name identifies the source in events. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// Service names the service the resolved instances belong to. Required.
	Service string `yaml:"service" json:"service"`
	// Host is the name to resolve: a host name for A/AAAA records, or the
	// full SRV record name ("_api._tcp.example.com") when SRV is set.
	// Required.
	Host string `yaml:"host" json:"host"`
	// Port is the port of every address found by an A/AAAA lookup, 1 to
	// 65535. Required without SRV; must be zero with SRV, whose records
	// carry their own ports.
	Port int `yaml:"port" json:"port"`
	// SRV looks up SRV records instead of A/AAAA: each record's target and
	// port become an instance whose Weight is the record's weight (0 counts
	// as 1) and whose Metadata["priority"] is its priority. False means
	// A/AAAA.
	SRV bool `yaml:"srv" json:"srv"`
	// Network restricts A/AAAA lookups: "ip4" (A only), "ip6" (AAAA only).
	// Empty means "ip", both.
	Network string `yaml:"network" json:"network"`
	// Refresh is how often the name is resolved again for watchers. Zero
	// means DefaultDNSRefresh (30s); otherwise at least 1ms.
	Refresh time.Duration `yaml:"refresh" json:"refresh"`
	// Timeout bounds each lookup. Zero means DefaultLookupTimeout (5s).
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// Resolver resolves names. Nil means net.DefaultResolver.
	Resolver Resolver `yaml:"-" json:"-"`
	// Clock times refreshes and lookups. Nil means the real clock.
	Clock clock.Clock `yaml:"-" json:"-"`
	// Listener receives EventFailure when a refresh fails (the last good
	// set stays) and EventSuccess when a refresh changed the set. Nil means
	// no events.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// Validate reports the first invalid field, naming it.
func (c DNSConfig) Validate() error {
	if err := validName("dns: Service", c.Service); err != nil {
		return err
	}
	if _, err := netip.ParseAddr(c.Host); err == nil {
		return fmt.Errorf("discovery: dns: Host %s is an IP address; use Static for fixed endpoints", strconv.Quote(c.Host))
	}
	if err := validHostName(c.Host); err != nil {
		return fmt.Errorf("discovery: dns: Host %w", err)
	}
	switch {
	case c.SRV && c.Port != 0:
		return fmt.Errorf("discovery: dns: Port %d must be 0 with SRV, whose records carry ports", c.Port)
	case !c.SRV && (c.Port < 1 || c.Port > 65535):
		return invalidf(ErrInvalidPort, "dns: Port %d must be between 1 and 65535", c.Port)
	}
	switch c.Network {
	case "", "ip", "ip4", "ip6":
	default:
		return fmt.Errorf("discovery: dns: Network %s must be ip, ip4 or ip6", strconv.Quote(c.Network))
	}
	if c.Refresh != 0 && c.Refresh < time.Millisecond {
		return fmt.Errorf("discovery: dns: Refresh %v must be >= 1ms (0 means %v)", c.Refresh, DefaultDNSRefresh)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("discovery: dns: Timeout %v must be >= 0 (0 means %v)", c.Timeout, DefaultLookupTimeout)
	}
	return nil
}

func (c DNSConfig) withDefaults() DNSConfig {
	if c.Network == "" {
		c.Network = "ip"
	}
	if c.Refresh == 0 {
		c.Refresh = DefaultDNSRefresh
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultLookupTimeout
	}
	if c.Resolver == nil {
		c.Resolver = net.DefaultResolver
	}
	c.Clock = clock.Or(c.Clock)
	return c
}
