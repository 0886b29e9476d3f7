package config

import (
	"cmp"
	"fmt"
	"strconv"
)

// validator collects every problem of a Config, placing each at the
// position the file wrote its field, or else the nearest enclosing block
// the file wrote.
type validator struct {
	file string
	pos  map[string]position
	errs []Error
}

// Validate checks c, built in Go or changed after Parse, as Parse does:
// it returns nil or an *Errors listing every problem, by field path (with
// no line numbers, since there is no file).
func (c *Config) Validate() error {
	v := &validator{}
	cp := c.Clone()
	complete(cp)
	v.config(cp)
	return finish(v.errs)
}

// at returns the position of path, or of its nearest written ancestor.
func (v *validator) at(path string) position {
	for p := path; ; p = parentPath(p) {
		if pos, ok := v.pos[p]; ok {
			return pos
		}
		if p == "" {
			return position{}
		}
	}
}

func (v *validator) errf(path, format string, args ...any) {
	at := v.at(path)
	v.errs = append(v.errs, Error{File: v.file, Line: at.line, Column: at.col, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func (v *validator) config(c *Config) {
	if len(c.Listeners) == 0 {
		v.errf("listeners", "at least one listener is required")
	}
	if len(c.Routes) == 0 {
		v.errf("routes", "at least one route is required")
	}
	listeners := v.names("listeners", len(c.Listeners), func(i int) string { return c.Listeners[i].Name })
	v.names("routes", len(c.Routes), func(i int) string { return c.Routes[i].Name })
	clusters := v.names("clusters", len(c.Clusters), func(i int) string { return c.Clusters[i].Name })
	for i := range c.Listeners {
		v.listener(index("listeners", i), &c.Listeners[i])
	}
	v.addressConflicts(c)
	v.admin(&c.Admin)
	v.redis(&c.Redis)
	v.process(&c.Process)
	for i := range c.Routes {
		v.route(index("routes", i), &c.Routes[i], listeners, clusters, c.Redis.URL != "")
	}
	for i := range c.Clusters {
		v.cluster(index("clusters", i), &c.Clusters[i])
	}
}

// names checks that each element of a list has a valid, unique name, and
// returns the set of names.
func (v *validator) names(list string, n int, name func(int) string) map[string]bool {
	set := make(map[string]bool, n)
	first := make(map[string]int, n)
	for i := range n {
		p := index(list, i) + ".name"
		s := name(i)
		if !v.validName(p, s) {
			continue
		}
		if j, dup := first[s]; dup {
			v.errf(p, "%q repeats the name of %s[%d]%s", s, list, j, lineNote(v.at(index(list, j)+".name")))
			continue
		}
		first[s] = i
		set[s] = true
	}
	return set
}

// validName checks a name of a listener, route or cluster.
func (v *validator) validName(path, s string) bool {
	switch {
	case s == "":
		v.errf(path, "is required")
		return false
	case len(s) > 128:
		v.errf(path, "is %d bytes long, more than 128", len(s))
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.') {
			v.errf(path, "%q has %q: use letters, digits and -_. only", s, r)
			return false
		}
	}
	return true
}

func (v *validator) listener(path string, l *Listener) {
	v.address(path+".address", cmp.Or(l.Address, DefaultListenAddress))
	seen := map[string]bool{}
	for i, p := range l.Protocols {
		pp := index(path+".protocols", i)
		switch {
		case p != "http1" && p != "h2c" && p != "h2":
			v.errf(pp, "%q must be http1, h2c or h2", p)
		case seen[p]:
			v.errf(pp, "%q is listed twice", p)
		case p == "h2" && l.TLS == nil:
			v.errf(pp, "h2 needs tls; use h2c for cleartext HTTP/2")
		case p == "h2c" && l.TLS != nil:
			v.errf(pp, "h2c is cleartext HTTP/2 and cannot be served with tls; use h2")
		}
		seen[p] = true
	}
	if l.TLS != nil {
		if l.TLS.CertFile == "" {
			v.errf(path+".tls.cert_file", "is required with tls")
		}
		if l.TLS.KeyFile == "" {
			v.errf(path+".tls.key_file", "is required with tls")
		}
	}
	t := path + ".timeouts."
	nonNegative(v, t+"read_header", l.Timeouts.ReadHeader)
	nonNegative(v, t+"read", l.Timeouts.Read)
	nonNegative(v, t+"write", l.Timeouts.Write)
	nonNegative(v, t+"idle", l.Timeouts.Idle)
	if l.MaxHeaderBytes < 0 {
		v.errf(path+".max_header_bytes", "%d must be >= 0", l.MaxHeaderBytes)
	}
	if l.MaxBodyBytes < 0 {
		v.errf(path+".max_body_bytes", "%d must be >= 0 (0 means no limit)", l.MaxBodyBytes)
	}
}

// nonNegative checks a duration or number that must be >= 0.
func nonNegative[T ~int | ~int64 | ~float64](v *validator, path string, x T) {
	if !(x >= 0) {
		v.errf(path, "%v must be >= 0", x)
	}
}

// lineNote returns " (line N)", or "" when the line is unknown.
func lineNote(p position) string {
	if p.line == 0 {
		return ""
	}
	return " (line " + strconv.Itoa(p.line) + ")"
}
