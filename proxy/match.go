package proxy

import (
	"net"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/resilience-go/resilience/config"
)

// matcher is a compiled config.Match.
type matcher struct {
	host    string // exact, or ".example.com" for "*.example.com"
	wild    bool
	prefix  string
	methods []string
	headers []headerMatcher
}

type headerMatcher struct {
	config.HeaderMatch
	re *regexp.Regexp
}

func newMatcher(m config.Match) (matcher, error) {
	mt := matcher{prefix: m.PathPrefix, methods: m.Methods}
	if mt.prefix == "" {
		mt.prefix = "/"
	}
	if h, ok := strings.CutPrefix(m.Host, "*"); ok {
		mt.host, mt.wild = strings.ToLower(h), true
	} else {
		mt.host = strings.ToLower(m.Host)
	}
	for _, h := range m.Headers {
		hm := headerMatcher{HeaderMatch: h}
		if h.Regex != "" {
			re, err := regexp.Compile("^(?:" + h.Regex + ")$")
			if err != nil {
				return matcher{}, err
			}
			hm.re = re
		}
		mt.headers = append(mt.headers, hm)
	}
	return mt, nil
}

func (m *matcher) matches(r *http.Request) bool {
	if !strings.HasPrefix(r.URL.Path, m.prefix) {
		return false
	}
	if len(m.methods) > 0 && !slices.Contains(m.methods, r.Method) {
		return false
	}
	if m.host != "" {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.ToLower(host)
		if m.wild {
			if !strings.HasSuffix(host, m.host) || len(host) == len(m.host) {
				return false
			}
		} else if host != m.host {
			return false
		}
	}
	for i := range m.headers {
		if !m.headers[i].matches(r.Header) {
			return false
		}
	}
	return true
}

func (h *headerMatcher) matches(hd http.Header) bool {
	vals, present := hd[http.CanonicalHeaderKey(h.Name)]
	ok := false
	switch {
	case h.Present:
		ok = present
	default:
		for _, v := range vals {
			switch {
			case h.re != nil:
				ok = h.re.MatchString(v)
			case h.Prefix != "":
				ok = strings.HasPrefix(v, h.Prefix)
			default:
				ok = v == h.Exact
			}
			if ok {
				break
			}
		}
	}
	return ok != h.Invert
}
