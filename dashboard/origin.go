package dashboard

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
)

// TokenHeader is the request header that carries Dashboard.Token on
// control requests.
const TokenHeader = "X-Dashboard-Token"

// refuseControl returns why r may not use the controls, or "" when it
// may. A control request must
//
//   - come from a loopback address (r.RemoteAddr), so only this host
//     drives the controls;
//   - name a loopback host (Host "localhost" or a loopback IP), so that a
//     web page whose own name was rebound to 127.0.0.1 (DNS rebinding)
//     cannot call them as if it were same-origin;
//   - not be cross-site: a Sec-Fetch-Site other than same-origin, or an
//     Origin other than the request's own host, is refused;
//   - carry the page's per-process token in TokenHeader, which other
//     sites cannot read, and which as a custom header needs a CORS
//     preflight that this server never grants.
func (d *Dashboard) refuseControl(r *http.Request) string {
	switch {
	case !loopbackAddr(r.RemoteAddr):
		return "controls are served to loopback clients only"
	case !loopbackHost(r.Host):
		return "controls need a loopback Host (localhost or 127.0.0.1)"
	case !sameOrigin(r):
		return "cross-origin control request refused"
	case subtle.ConstantTimeCompare([]byte(r.Header.Get(TokenHeader)), []byte(d.token)) != 1:
		return "missing or wrong " + TokenHeader
	}
	return ""
}

// localRequest reports whether r passes the address checks of the
// controls, so that the page shows working buttons.
func localRequest(r *http.Request) bool {
	return loopbackAddr(r.RemoteAddr) && loopbackHost(r.Host)
}

// loopbackAddr reports whether a RemoteAddr ("ip:port", or a bare IP) is
// a loopback address. Anything else, unix sockets included, is not.
func loopbackAddr(remote string) bool {
	host := remote
	if h, _, err := net.SplitHostPort(remote); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// loopbackHost reports whether a Host header names this host by a
// loopback name: localhost, or a loopback IP, with any port.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	} else {
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Zone() == "" && ip.Unmap().IsLoopback()
}

// sameOrigin reports whether r is not cross-site according to the
// headers browsers set: Sec-Fetch-Site, when present, must be
// same-origin, and Origin, when present, must be http(s) on r.Host.
// Clients that send neither (curl, scripts) pass; they still need the
// token.
func sameOrigin(r *http.Request) bool {
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" && s != "same-origin" {
		return false
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Path != "" || u.User != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}
