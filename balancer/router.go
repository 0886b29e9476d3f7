package balancer

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Rule routes the calls it matches to a subset of the endpoints. Rules are
// tried from the highest Priority down (declaration order among equals);
// the first rule that matches a call and whose subset has an endpoint to
// offer takes it. A call no rule takes goes to Config.DefaultSubset.
type Rule struct {
	// Name identifies the rule in errors; it also salts the Percent hash,
	// so two rules with different names split keys independently. Empty
	// is allowed.
	Name string `yaml:"name" json:"name"`
	// Priority orders the rules: higher first. Zero is an ordinary
	// priority.
	Priority int `yaml:"priority" json:"priority"`
	// Match lists conditions on the call's headers (see WithHeaders); all
	// must hold. Nil matches every call.
	Match []Match `yaml:"match" json:"match"`
	// Percent is the share of the matching calls, in percent, that the
	// rule takes, chosen by hashing the call's key (a user ID), so a key
	// stays on the same side as long as Percent does not shrink, and
	// raising Percent only adds keys. Calls without a key are chosen at
	// random. Zero means 100: every matching call; otherwise in (0, 100].
	Percent float64 `yaml:"percent" json:"percent"`
	// Subset selects the rule's endpoints: those whose Metadata holds every
	// pair, e.g. {"version": "v2"}. Nil or empty means every endpoint.
	Subset map[string]string `yaml:"subset" json:"subset"`
}

// Match is one condition on a request header: exactly one of Equals,
// Prefix and Regexp must be set.
type Match struct {
	// Header names the header (HTTP header or gRPC metadata key). Required.
	Header string `yaml:"header" json:"header"`
	// Equals matches a header whose value is exactly this.
	Equals string `yaml:"equals" json:"equals"`
	// Prefix matches a header whose value starts with this.
	Prefix string `yaml:"prefix" json:"prefix"`
	// Regexp matches a header whose value matches this RE2 expression
	// (anchor it with ^ and $ to match the whole value).
	Regexp string `yaml:"regexp" json:"regexp"`
}

// Headers gives routing rules the request's headers. http.Header
// implements it; gRPC metadata needs a small adapter.
type Headers interface {
	// Get returns the header's first value, or "" when absent.
	Get(name string) string
}

// MapHeaders is a Headers over a plain map; Get tries the exact name, then
// any name equal under Unicode case folding.
type MapHeaders map[string]string

// Get returns h's value for name.
func (h MapHeaders) Get(name string) string {
	if v, ok := h[name]; ok {
		return v
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

type headersKey struct{}
type routeKey struct{}

// WithHeaders returns a context carrying the request headers that Rule
// matches read.
func WithHeaders(ctx context.Context, h Headers) context.Context {
	return context.WithValue(ctx, headersKey{}, h)
}

// WithKey returns a context carrying the routing key (a user or session
// ID) that Pick uses when its key argument is empty.
func WithKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, routeKey{}, key)
}

// KeyFromContext returns the key set with WithKey, or "".
func KeyFromContext(ctx context.Context) string {
	k, _ := ctx.Value(routeKey{}).(string)
	return k
}

// perMillion is the resolution of Rule.Percent: one part in a million.
const perMillion = 1_000_000

type route struct {
	group   int
	matches []matcher
	ppm     uint64 // share of keys taken, in parts per million
	salt    uint64
}

type matcher struct {
	header string
	equals string
	prefix string
	re     *regexp.Regexp
}

func (m *matcher) match(v string) bool {
	switch {
	case m.re != nil:
		return m.re.MatchString(v)
	case m.prefix != "":
		return strings.HasPrefix(v, m.prefix)
	}
	return v == m.equals
}

// selector is a compiled subset: metadata pairs that must all hold.
type selector []struct{ k, v string }

func (s selector) selects(e *Endpoint) bool {
	for _, kv := range s {
		if v, ok := e.Metadata[kv.k]; !ok || v != kv.v {
			return false
		}
	}
	return true
}

func newSelector(m map[string]string) selector {
	var s selector
	for _, k := range slices.Sorted(maps.Keys(m)) {
		s = append(s, struct{ k, v string }{k, m[k]})
	}
	return s
}

func validateRules(rules []Rule) error {
	for i, r := range rules {
		if p := r.Percent; p != 0 && !(p > 0 && p <= 100) {
			return fmt.Errorf("balancer: Rules[%d] %q: Percent %v must be in (0, 100]", i, r.Name, p)
		}
		for j, m := range r.Match {
			if m.Header == "" {
				return fmt.Errorf("balancer: Rules[%d] %q: Match[%d].Header is empty", i, r.Name, j)
			}
			set := 0
			for _, v := range []string{m.Equals, m.Prefix, m.Regexp} {
				if v != "" {
					set++
				}
			}
			if set != 1 {
				return fmt.Errorf("balancer: Rules[%d] %q: Match[%d]: exactly one of Equals, Prefix, Regexp must be set", i, r.Name, j)
			}
			if m.Regexp != "" {
				if _, err := regexp.Compile(m.Regexp); err != nil {
					return fmt.Errorf("balancer: Rules[%d] %q: Match[%d].Regexp: %v", i, r.Name, j, err)
				}
			}
		}
	}
	return nil
}

// compileRules returns the routes, highest priority first, and the
// selectors of every group: one per rule, in declaration order, then the
// default subset. Rules are valid.
func compileRules(rules []Rule, def map[string]string) ([]route, []selector) {
	routes := make([]route, 0, len(rules))
	sels := make([]selector, 0, len(rules)+1)
	for i, r := range rules {
		rt := route{group: i, ppm: perMillion, salt: hashString("rule:" + r.Name)}
		if r.Percent != 0 {
			rt.ppm = uint64(r.Percent / 100 * perMillion)
		}
		for _, m := range r.Match {
			mt := matcher{header: m.Header, equals: m.Equals, prefix: m.Prefix}
			if m.Regexp != "" {
				mt.re = regexp.MustCompile(m.Regexp)
			}
			rt.matches = append(rt.matches, mt)
		}
		routes = append(routes, rt)
		sels = append(sels, newSelector(r.Subset))
	}
	slices.SortStableFunc(routes, func(a, b route) int {
		return rules[b.group].Priority - rules[a.group].Priority
	})
	return routes, append(sels, newSelector(def))
}

// route returns the picker of the first rule that takes the call, or the
// default group's.
func (b *Balancer) route(ctx context.Context, key string, s *snapshot) *picker {
	var h Headers
	headersRead, keyRead := false, key != ""
	for i := range b.routes {
		r := &b.routes[i]
		p := s.groups[r.group]
		if p == nil {
			continue
		}
		if len(r.matches) > 0 {
			if !headersRead {
				h, _ = ctx.Value(headersKey{}).(Headers)
				headersRead = true
			}
			if !r.match(h) {
				continue
			}
		}
		if r.ppm < perMillion {
			if !keyRead {
				key, keyRead = KeyFromContext(ctx), true
			}
			var x uint64
			if key == "" {
				x = b.rand64()
			} else {
				x = mix64(hashString(key) ^ r.salt)
			}
			if uint64(fastrange(uint32(x>>32), perMillion)) >= r.ppm {
				continue
			}
		}
		return p
	}
	return s.groups[len(s.groups)-1]
}

func (r *route) match(h Headers) bool {
	if h == nil {
		return false
	}
	for i := range r.matches {
		m := &r.matches[i]
		if !m.match(h.Get(m.header)) {
			return false
		}
	}
	return true
}
