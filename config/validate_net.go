package config

import (
	"cmp"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// address checks a host:port to bind and returns its parts.
func (v *validator) address(path, addr string) (host string, port int, ok bool) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		v.errf(path, "%q is not host:port: %s", addr, strings.TrimPrefix(err.Error(), "address "+addr+": "))
		return "", 0, false
	}
	port, err = strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		v.errf(path, "%q: port %q must be a number in 0..65535", addr, portStr)
		return "", 0, false
	}
	if host != "" && !validHost(host) {
		v.errf(path, "%q: host %q is not an IP address or host name", addr, host)
		return "", 0, false
	}
	return host, port, true
}

// validHost accepts an IP address (IPv6 zones included) or a DNS name.
func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// bind is a parsed listening address, for conflict checks.
type bind struct {
	path string
	addr string
	host string
	port int
}

func (b bind) wildcard() bool {
	if b.host == "" {
		return true
	}
	ip, err := netip.ParseAddr(b.host)
	return err == nil && ip.IsUnspecified()
}

// conflicts reports whether two binds cannot both succeed: same port, and
// the same host or either on every interface. Port 0 never conflicts.
func (b bind) conflicts(o bind) bool {
	if b.port == 0 || b.port != o.port {
		return false
	}
	return b.wildcard() || o.wildcard() || strings.EqualFold(b.host, o.host)
}

// addressConflicts reports listeners, and the admin server, that would
// bind the same address.
func (v *validator) addressConflicts(c *Config) {
	var binds []bind
	add := func(path, addr string) {
		host, port, err := splitQuiet(addr)
		if err == nil {
			binds = append(binds, bind{path, addr, host, port})
		}
	}
	for i, l := range c.Listeners {
		add(index("listeners", i)+".address", cmp.Or(l.Address, DefaultListenAddress))
	}
	if c.Admin.Enabled {
		add("admin.address", cmp.Or(c.Admin.Address, DefaultAdminAddress))
	}
	for i, b := range binds {
		for _, o := range binds[:i] {
			if b.conflicts(o) {
				v.errf(b.path, "%q conflicts with %s %q", b.addr, strings.TrimSuffix(o.path, ".address"), o.addr)
				break
			}
		}
	}
}

func splitQuiet(addr string) (string, int, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(portStr)
	return host, port, err
}

func (v *validator) admin(a *Admin) {
	if !a.Enabled {
		return
	}
	addr := cmp.Or(a.Address, DefaultAdminAddress)
	host, _, ok := v.address("admin.address", addr)
	if !ok || a.AllowNonLoopback {
		return
	}
	if !isLoopback(host) {
		v.errf("admin.address", "%q is reachable from other machines; bind 127.0.0.1 or set allow_non_loopback: true", addr)
	}
}

// isLoopback reports whether host reaches this machine only.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

func (v *validator) redis(r *Redis) {
	if r.URL == "" {
		return
	}
	u, err := url.Parse(r.URL)
	if err != nil {
		v.errf("redis.url", "is not a URL: %s", redactURLError(err))
		return
	}
	switch u.Scheme {
	case "redis", "rediss":
		if u.Host == "" {
			v.errf("redis.url", "%q has no host", redactURL(r.URL))
		}
	case "unix":
		if u.Path == "" {
			v.errf("redis.url", "%q has no socket path", redactURL(r.URL))
		}
	default:
		v.errf("redis.url", "%q must start with redis://, rediss:// or unix://", redactURL(r.URL))
	}
}
