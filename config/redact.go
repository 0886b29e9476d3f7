package config

import (
	"bytes"
	"errors"
	"net/url"
	"strings"

	"go.yaml.in/yaml/v3"
)

// RedactedValue replaces secrets in the Config that Redacted returns.
const RedactedValue = "REDACTED"

// Redacted returns a deep copy of c with its secrets replaced by
// RedactedValue, fit for the admin /config endpoint and for logs: the
// password in the Redis URL (and password or token query parameters), the
// admin token, etcd passwords, and the values of header matches and static
// fallback headers whose names suggest credentials (Authorization, Cookie,
// anything with token, secret, password or key). File paths, TLS key
// files included, are kept: they locate a secret but are not one.
func (c *Config) Redacted() *Config {
	r := c.Clone()
	if r == nil {
		return nil
	}
	r.Redis.URL = redactURL(r.Redis.URL)
	if r.Admin.Token != "" {
		r.Admin.Token = RedactedValue
	}
	for i := range r.Clusters {
		if e := r.Clusters[i].Discovery.Etcd; e != nil && e.Password != "" {
			e.Password = RedactedValue
		}
	}
	for i := range r.Routes {
		rt := &r.Routes[i]
		for j := range rt.Match.Headers {
			h := &rt.Match.Headers[j]
			if sensitiveHeader(h.Name) {
				redactNonEmpty(&h.Exact)
				redactNonEmpty(&h.Prefix)
				redactNonEmpty(&h.Regex)
			}
		}
		if f := rt.Policies.Fallback; f != nil && f.Static != nil {
			for name, val := range f.Static.Headers {
				if sensitiveHeader(name) && val != "" {
					f.Static.Headers[name] = RedactedValue
				}
			}
		}
	}
	return r
}

func redactNonEmpty(s *string) {
	if *s != "" {
		*s = RedactedValue
	}
}

// sensitiveHeader reports whether a header's values are likely secrets.
func sensitiveHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie", "set-cookie":
		return true
	}
	for _, s := range []string{"token", "secret", "password", "passwd", "key", "auth", "session", "credential"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// redactURL replaces the password of a URL, and the values of password
// and token query parameters, by RedactedValue. A URL that does not parse
// but may hold credentials is replaced whole.
func redactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		if strings.ContainsAny(raw, "@?") {
			return RedactedValue
		}
		return raw
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), RedactedValue)
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if sensitiveHeader(k) || strings.EqualFold(k, "pass") {
				q[k] = []string{RedactedValue}
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// redactURLError returns the reason a URL does not parse, without the URL
// (which *url.Error repeats, password included).
func redactURLError(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// YAML returns c as YAML that Parse reads back to an equal Config, with
// durations written as "250ms" and every default spelled out. Call it on
// Redacted() for anything shown to people.
func (c *Config) YAML() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
