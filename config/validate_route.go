package config

import (
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/resilience-go/resilience/chaos"
)

func (v *validator) route(path string, r *Route, listeners, clusters map[string]bool, haveRedis bool) {
	for i, l := range r.Listeners {
		if !listeners[l] {
			v.errf(index(path+".listeners", i), "unknown listener %q%s", l, didYouMean(l, slices.Sorted(maps.Keys(listeners))))
		}
	}
	switch {
	case r.Cluster == "":
		v.errf(path+".cluster", "is required")
	case !clusters[r.Cluster]:
		v.errf(path+".cluster", "unknown cluster %q%s", r.Cluster, didYouMean(r.Cluster, slices.Sorted(maps.Keys(clusters))))
	}
	v.match(path+".match", &r.Match)
	v.policies(path+".policies", &r.Policies, haveRedis)
}

func (v *validator) match(path string, m *Match) {
	if h := m.Host; h != "" {
		bare := strings.TrimPrefix(h, "*.")
		switch {
		case strings.Contains(h, ":"):
			v.errf(path+".host", "%q must not hold a port", h)
		case strings.Contains(bare, "*") || !validHost(bare):
			v.errf(path+".host", "%q is not a host name, or *. followed by one", h)
		}
	}
	if p := m.PathPrefix; p != "" && (p[0] != '/' || strings.ContainsAny(p, "?#")) {
		v.errf(path+".path_prefix", "%q must start with / and hold no query or fragment", p)
	}
	for i := range m.Headers {
		v.header(index(path+".headers", i), &m.Headers[i])
	}
	seen := map[string]bool{}
	for i, meth := range m.Methods {
		p := index(path+".methods", i)
		switch {
		case !validToken(meth):
			v.errf(p, "%q is not an HTTP method", meth)
		case meth != strings.ToUpper(meth):
			v.errf(p, "%q must be upper case: methods are case-sensitive (%q)", meth, strings.ToUpper(meth))
		case seen[meth]:
			v.errf(p, "%q is listed twice", meth)
		}
		seen[meth] = true
	}
}

func (v *validator) header(path string, h *HeaderMatch) {
	if !validToken(h.Name) {
		if h.Name == "" {
			v.errf(path+".name", "is required")
		} else {
			v.errf(path+".name", "%q is not a valid header name", h.Name)
		}
	}
	var set []string
	for _, c := range []struct {
		key string
		on  bool
	}{{"exact", h.Exact != ""}, {"prefix", h.Prefix != ""}, {"regex", h.Regex != ""}, {"present", h.Present}} {
		if c.on {
			set = append(set, c.key)
		}
	}
	switch len(set) {
	case 0:
		v.errf(path, "needs one of exact, prefix, regex or present")
	case 1:
	default:
		v.errf(path+"."+set[1], "conflicts with %s: a header match takes one of exact, prefix, regex and present", set[0])
	}
	if h.Regex != "" {
		if _, err := regexp.Compile(h.Regex); err != nil {
			v.errf(path+".regex", "is not a valid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
	}
}

// validToken reports whether s is an RFC 9110 token: a header name or
// method.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

func (v *validator) policies(path string, p *Policies, haveRedis bool) {
	if p.Timeout != nil {
		v.policy(path+".timeout", p.Timeout)
	}
	if p.Retry != nil {
		v.retry(path+".retry", p.Retry)
		if p.Timeout != nil && p.Timeout.Timeout > 0 && p.Retry.PerTryTimeout > p.Timeout.Timeout {
			v.errf(path+".retry.per_try_timeout", "%v is longer than the route's timeout %v, which bounds every attempt", p.Retry.PerTryTimeout, p.Timeout.Timeout)
		}
	}
	if p.CircuitBreaker != nil {
		v.policy(path+".circuit_breaker", p.CircuitBreaker)
	}
	if p.RateLimit != nil {
		v.rateLimit(path+".rate_limit", p.RateLimit, haveRedis)
	}
	v.oneOf(path, false, "a route takes one concurrency limit",
		choice{"bulkhead", p.Bulkhead != nil}, choice{"adaptive", p.Adaptive != nil}, choice{"shedder", p.Shedder != nil})
	if p.Bulkhead != nil {
		v.policy(path+".bulkhead", p.Bulkhead)
	}
	if p.Adaptive != nil {
		v.policy(path+".adaptive", p.Adaptive)
	}
	if p.Shedder != nil {
		v.policy(path+".shedder", p.Shedder)
	}
	if f := p.Fallback; f != nil {
		v.oneOf(path+".fallback", true, "", choice{"stale_cache", f.StaleCache != nil}, choice{"static", f.Static != nil})
		if f.StaleCache != nil {
			v.policy(path+".fallback.stale_cache", f.StaleCache)
		}
		if f.Static != nil {
			v.static(path+".fallback.static", f.Static)
		}
	}
	if p.Chaos != nil {
		v.chaos(path+".chaos", p.Chaos)
	}
	if d := p.Deadline; d != nil {
		v.policy(path+".deadline.server", &d.Server)
		v.policy(path+".deadline.propagate", &d.Propagate)
	}
}

// choice is one of several blocks of which at most one may be set.
type choice struct {
	key string
	set bool
}

// oneOf reports every block set after the first, and no block at all when
// one is required (conflict is then unused).
func (v *validator) oneOf(path string, required bool, conflict string, choices ...choice) {
	first := ""
	for _, c := range choices {
		if !c.set {
			continue
		}
		if first == "" {
			first = c.key
			continue
		}
		if conflict == "" {
			continue
		}
		v.errf(join(path, c.key), "conflicts with %s: %s", first, conflict)
	}
	if first == "" && required {
		keys := make([]string, len(choices))
		for i, c := range choices {
			keys[i] = c.key
		}
		v.errf(path, "needs %s", orList(keys))
	}
}

// orList returns "a", "a or b", "one of a, b or c".
func orList(keys []string) string {
	switch len(keys) {
	case 1:
		return keys[0]
	case 2:
		return keys[0] + " or " + keys[1]
	}
	return "one of " + strings.Join(keys[:len(keys)-1], ", ") + " or " + keys[len(keys)-1]
}

func (v *validator) static(path string, s *StaticResponse) {
	if s.Status != 0 && (s.Status < 100 || s.Status > 599) {
		v.errf(path+".status", "%d is not an HTTP status (100..599)", s.Status)
	}
	for _, name := range slices.Sorted(maps.Keys(s.Headers)) {
		p := path + ".headers[" + strconv.Quote(name) + "]"
		if !validToken(name) {
			v.errf(p, "%q is not a valid header name", name)
		}
		if strings.ContainsAny(s.Headers[name], "\r\n\x00") {
			v.errf(p, "value must not hold CR, LF or NUL")
		}
	}
}

// chaos validates each fault on its own, so that every bad fault is
// reported (chaos.Config.Validate stops at the first), then the whole for
// what spans faults (repeated names).
func (v *validator) chaos(path string, c *chaos.Config) {
	n := len(v.errs)
	v.policy(path, &chaos.Config{TriggerHeader: c.TriggerHeader})
	for i, f := range c.Faults {
		one := &validator{pos: v.pos, file: v.file}
		one.policy(path, &chaos.Config{Faults: []chaos.Fault{f}})
		for _, e := range one.errs {
			e.Path = strings.Replace(e.Path, path+".faults[0]", index(path+".faults", i), 1)
			at := v.at(e.Path)
			e.Line, e.Column = at.line, at.col
			v.errs = append(v.errs, e)
		}
	}
	if len(v.errs) == n {
		v.policy(path, c)
	}
}
