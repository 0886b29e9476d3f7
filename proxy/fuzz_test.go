package proxy

import (
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/stats"
)

// fuzzRoutes exercises every kind of match condition; "other-only" is on a
// listener the fuzzed requests never arrive on.
const fuzzRoutes = `
listeners:
  - {name: public, address: 127.0.0.1:0}
  - {name: other, address: 127.0.0.1:0}
routes:
  - name: other-only
    listeners: [other]
    cluster: b
  - name: api-admin
    match:
      host: api.example.com
      path_prefix: /admin
      methods: [POST, DELETE]
      headers: [{name: x-token, regex: "[a-f0-9]{8}"}]
    cluster: b
  - name: wild
    match:
      host: "*.example.com"
      path_prefix: /v1/
      headers:
        - {name: X-Env, exact: prod}
        - {name: X-Debug, present: true, invert: true}
    cluster: b
  - name: canary
    match:
      methods: [GET]
      headers: [{name: X-Canary, prefix: "yes"}]
    cluster: b
  - name: not-internal
    match:
      path_prefix: /static
      methods: [GET, HEAD]
      headers: [{name: X-Env, regex: "int.*", invert: true}]
    cluster: b
clusters: [{name: b, discovery: {static: ["127.0.0.1:1"]}}]
`

// refMatch is an independent statement of config.Match's documented
// semantics, for FuzzRouteMatch to check the compiled matcher against.
func refMatch(m config.Match, r *http.Request) bool {
	prefix := m.PathPrefix
	if prefix == "" {
		prefix = "/"
	}
	if len(r.URL.Path) < len(prefix) || r.URL.Path[:len(prefix)] != prefix {
		return false
	}
	if len(m.Methods) > 0 && !slices.Contains(m.Methods, r.Method) {
		return false
	}
	if m.Host != "" {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if suffix, ok := strings.CutPrefix(m.Host, "*"); ok {
			if len(host) <= len(suffix) || !strings.EqualFold(host[len(host)-len(suffix):], suffix) {
				return false
			}
		} else if !strings.EqualFold(host, m.Host) {
			return false
		}
	}
	for _, h := range m.Headers {
		vals := r.Header.Values(h.Name)
		_, present := r.Header[http.CanonicalHeaderKey(h.Name)]
		ok := false
		if h.Present {
			ok = present
		}
		for _, v := range vals {
			switch {
			case h.Present:
			case h.Regex != "":
				re := regexp.MustCompile(h.Regex)
				re.Longest()
				loc := re.FindStringIndex(v)
				ok = ok || (loc != nil && loc[0] == 0 && loc[1] == len(v))
			case h.Prefix != "":
				ok = ok || strings.HasPrefix(v, h.Prefix)
			default:
				ok = ok || v == h.Exact
			}
		}
		if ok == h.Invert {
			return false
		}
	}
	return true
}

func FuzzRouteMatch(f *testing.F) {
	cfg, err := config.Parse("fuzz.yaml", []byte(fuzzRoutes))
	if err != nil {
		f.Fatalf("config.Parse: %v", err)
	}
	reg, err := stats.NewRegistry(stats.DefaultConfig())
	if err != nil {
		f.Fatal(err)
	}
	tb, err := buildTable(cfg, nil, config.Diff(nil, cfg), reg, nil)
	if err != nil {
		f.Fatalf("buildTable: %v", err)
	}
	f.Cleanup(func() { tb.closeUnused(nil) })

	f.Add("api.example.com", "/admin/users", "POST", "X-Token", "deadbeef")
	f.Add("API.Example.COM:8443", "/admin", "DELETE", "x-token", "0123abcd")
	f.Add("api.example.com", "/admin", "POST", "X-Token", "deadbeef0")
	f.Add("a.example.com", "/v1/x", "PUT", "X-Env", "prod")
	f.Add("example.com", "/v1/x", "PUT", "X-Env", "prod")
	f.Add(".example.com", "/v1/", "GET", "X-Env", "prod")
	f.Add("x", "/", "GET", "X-Canary", "yes-please")
	f.Add("x", "/static/a.css", "HEAD", "X-Env", "internal")
	f.Add("x", "/static/a.css", "GET", "X-Env", "prod")
	f.Add("[::1]:80", "", "", "", "")
	f.Add("\xff\x00", "/\xff", "G\x00T", "X-\xff", "\x00")
	f.Fuzz(func(t *testing.T, host, path, method, hname, hvalue string) {
		r := &http.Request{Method: method, Host: host, URL: &url.URL{Path: path}, Header: http.Header{}}
		if hname != "" {
			r.Header.Add(hname, hvalue)
		}
		got := tb.route("public", r)
		var want *config.Route
		for i := range cfg.Routes {
			rc := &cfg.Routes[i]
			if len(rc.Listeners) > 0 && !slices.Contains(rc.Listeners, "public") {
				continue
			}
			if refMatch(rc.Match, r) {
				want = rc
				break
			}
		}
		switch {
		case got == nil && want == nil:
		case got == nil:
			t.Fatalf("route(%q %q %q, %q: %q) = none want %q", method, host, path, hname, hvalue, want.Name)
		case want == nil:
			t.Fatalf("route(%q %q %q, %q: %q) = %q whose match does not hold want none", method, host, path, hname, hvalue, got.name)
		case got.name != want.Name:
			t.Fatalf("route(%q %q %q, %q: %q) = %q want first matching route %q", method, host, path, hname, hvalue, got.name, want.Name)
		}
	})
}
