package httpx

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientIP returns the IP address of the client that sent r, as a string:
//   - with trustedProxies 0, the address of the peer (r.RemoteAddr),
//     ignoring X-Forwarded-For, which any client can forge;
//   - with trustedProxies n > 0, the server sits behind n proxies that
//     each append the address they received the request from to
//     X-Forwarded-For. Of the addresses in X-Forwarded-For followed by the
//     peer's, the client is the one n places before the last: the address
//     the outermost trusted proxy saw. Addresses further left were sent by
//     the client and are ignored. With fewer addresses than that, the
//     leftmost is used; an entry that is not an IP address (with or
//     without a port) falls back to the peer's address.
//
// IPv4-mapped IPv6 addresses are returned as IPv4. When RemoteAddr holds no
// IP address (a Unix socket), it is returned as it is.
func ClientIP(r *http.Request, trustedProxies int) string {
	peer := remoteIP(r.RemoteAddr)
	if trustedProxies <= 0 {
		return peer
	}
	values := r.Header["X-Forwarded-For"]
	if len(values) == 0 {
		return peer
	}
	// Walk the list from the right: the peer counts as the first hop.
	skip := trustedProxies - 1 // hops to skip inside X-Forwarded-For
	var leftmost string
	for i := len(values) - 1; i >= 0; i-- {
		v := values[i]
		for v != "" {
			var entry string
			if j := strings.LastIndexByte(v, ','); j >= 0 {
				entry, v = v[j+1:], v[:j]
			} else {
				entry, v = v, ""
			}
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			if skip == 0 {
				return forwardedIP(entry, peer)
			}
			skip--
			leftmost = entry
		}
	}
	if leftmost == "" {
		return peer
	}
	return forwardedIP(leftmost, peer)
}

// KeyByClientIP returns a key function for RateLimitConfig.Key that keys
// requests by ClientIP(r, trustedProxies).
func KeyByClientIP(trustedProxies int) func(*http.Request) string {
	return func(r *http.Request) string { return ClientIP(r, trustedProxies) }
}

// KeyByHeader returns a key function for RateLimitConfig.Key that keys
// requests by the first value of header name, such as an API key. Requests
// without it share the key "".
func KeyByHeader(name string) func(*http.Request) string {
	name = http.CanonicalHeaderKey(name)
	return func(r *http.Request) string {
		if v := r.Header[name]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
}

// remoteIP returns the IP of a RemoteAddr ("ip:port"), normalised.
func remoteIP(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.Unmap().String()
	}
	return host
}

// forwardedIP returns the IP of an X-Forwarded-For entry, or fallback when
// the entry holds none.
func forwardedIP(entry, fallback string) string {
	if ip, err := netip.ParseAddr(entry); err == nil {
		return ip.Unmap().WithZone("").String()
	}
	if ap, err := netip.ParseAddrPort(entry); err == nil {
		return ap.Addr().Unmap().WithZone("").String()
	}
	return fallback
}
