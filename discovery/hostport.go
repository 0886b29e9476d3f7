package discovery

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// ParseHostPort splits "host:port" into a host and a port, with precise
// errors: the host must be an IP address or a host name (IPv6 in brackets:
// "[::1]:8080"), the port a number from 1 to 65535. Service names as ports
// ("web:http"), schemes ("http://web:80") and paths are rejected. Errors
// match ErrInvalidAddress or ErrInvalidPort, and ErrInvalidInstance.
func ParseHostPort(s string) (host string, port int, err error) {
	q := strconv.Quote(s)
	switch {
	case s == "":
		return "", 0, invalidf(ErrInvalidAddress, "endpoint is empty; want host:port")
	case strings.Contains(s, "://"):
		return "", 0, invalidf(ErrInvalidAddress, "endpoint %s has a scheme; want host:port", q)
	case strings.ContainsAny(s, "/?#"):
		return "", 0, invalidf(ErrInvalidAddress, "endpoint %s holds a path or query; want host:port", q)
	}
	var portStr string
	if s[0] == '[' {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0, invalidf(ErrInvalidAddress, "endpoint %s misses the closing ']'", q)
		}
		host, portStr = s[1:end], s[end+1:]
		if portStr == "" {
			return "", 0, invalidf(ErrInvalidPort, "endpoint %s misses a port; want [host]:port", q)
		}
		if portStr[0] != ':' {
			return "", 0, invalidf(ErrInvalidAddress, "endpoint %s has %q after ']'; want [host]:port", q, portStr)
		}
		portStr = portStr[1:]
		if err := validHost(host); err != nil || !strings.Contains(host, ":") {
			return "", 0, invalidf(ErrInvalidAddress, "endpoint %s: brackets hold %q, not an IPv6 address", q, host)
		}
	} else {
		i := strings.LastIndexByte(s, ':')
		if i < 0 {
			return "", 0, invalidf(ErrInvalidPort, "endpoint %s misses a port; want host:port", q)
		}
		host, portStr = s[:i], s[i+1:]
		if strings.IndexByte(host, ':') >= 0 {
			return "", 0, invalidf(ErrInvalidAddress, "endpoint %s: an IPv6 address needs brackets, as in [::1]:8080", q)
		}
		if err := validHost(host); err != nil {
			return "", 0, invalidf(ErrInvalidAddress, "endpoint %s: host %s", q, err.Error())
		}
	}
	port, err = parsePort(portStr)
	if err != nil {
		return "", 0, invalidf(ErrInvalidPort, "endpoint %s: port %s", q, err.Error())
	}
	return host, port, nil
}

// parsePort parses a decimal port from 1 to 65535.
func parsePort(s string) (int, error) {
	if s == "" {
		return 0, errors.New("is empty")
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, errors.New(strconv.Quote(s) + " is not a number")
		}
		if n = n*10 + int(c-'0'); n > 65535 {
			return 0, errors.New(strconv.Quote(s) + " is out of range 1-65535")
		}
	}
	if n == 0 {
		return 0, errors.New(strconv.Quote(s) + " is out of range 1-65535")
	}
	return n, nil
}

// validHost reports why h is neither an IP address nor a host name. The
// reason reads after the host's name: "Address " + reason.
func validHost(h string) error {
	q := strconv.Quote(h)
	if h == "" {
		return errors.New("is empty")
	}
	if strings.IndexByte(h, ':') >= 0 || strings.IndexByte(h, '%') >= 0 {
		a, err := netip.ParseAddr(h)
		if err != nil || !a.Is6() {
			return errors.New(q + " is not a valid IPv6 address (write a port in Port, not in Address)")
		}
		for _, c := range []byte(a.Zone()) {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '-' || c == '_' || c == '.') {
				return errors.New(q + " has an IPv6 zone with " + strconv.QuoteRune(rune(c)))
			}
		}
		return nil
	}
	if _, err := netip.ParseAddr(h); err == nil {
		return nil
	}
	return validHostName(h)
}

// validHostName checks h as a DNS host name (RFC 1123 labels; underscores
// are tolerated, as many internal names use them; one trailing dot is
// allowed).
func validHostName(h string) error {
	q := strconv.Quote(h)
	name := strings.TrimSuffix(h, ".")
	if name == "" {
		return errors.New(q + " is not a host name")
	}
	if len(name) > 253 {
		return errors.New(q + " is longer than 253 bytes")
	}
	allDigits := false
	for label := range strings.SplitSeq(name, ".") {
		if label == "" {
			return errors.New(q + " has an empty label")
		}
		if len(label) > 63 {
			return errors.New(q + " has a label longer than 63 bytes")
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return errors.New(q + " has a label that starts or ends with '-'")
		}
		allDigits = true
		for i := 0; i < len(label); i++ {
			c := label[i]
			switch {
			case c >= '0' && c <= '9':
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '-', c == '_':
				allDigits = false
			default:
				return errors.New(q + " holds " + strconv.QuoteRune(rune(c)) + ", which no host name or IP address has")
			}
		}
	}
	if allDigits {
		// "999.1.1.1" or "10.0.0": a malformed IP address, not a name, as
		// no top-level domain is all digits.
		return errors.New(q + " is not a valid IP address")
	}
	return nil
}
