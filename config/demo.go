package config

import (
	"bytes"
	_ "embed"
	"strconv"
	"text/template"
)

// DemoYAML is the text/template of the configuration that `resilience
// demo` runs: one listener, one route "/" to the cluster "demo" of three
// static endpoints, with a timeout, retries under a budget, a circuit
// breaker, a rate limit, a bulkhead, a stale-cache and a static fallback
// and chaos faults that are off until toggled; the cluster ejects outliers.
// Its settings suit the demo's 60s scenario: the breaker counts the last 50
// requests, so it trips within a second of a full outage at the demo's
// load, and its 2s to 4s open spells let it close again soon after the
// upstreams recover. Render it with RenderDemo.
//
//go:embed demo.yaml.tmpl
var DemoYAML string

var demoTemplate = template.Must(template.New("demo.yaml").
	Funcs(template.FuncMap{"quote": strconv.Quote}).Parse(DemoYAML))

// DemoParams fills in DemoYAML.
type DemoParams struct {
	// Listen is the proxy's address. Empty means DefaultListenAddress.
	Listen string
	// Admin is the admin server's address. Empty means
	// DefaultAdminAddress.
	Admin string
	// Upstreams are the demo cluster's endpoints, "host:port". Empty
	// means 127.0.0.1:9001, :9002 and :9003.
	Upstreams []string
	// Chaos starts with fault injection switched on.
	Chaos bool
}

// RenderDemo returns DemoYAML filled in with p's addresses.
func RenderDemo(p DemoParams) ([]byte, error) {
	if p.Listen == "" {
		p.Listen = DefaultListenAddress
	}
	if p.Admin == "" {
		p.Admin = DefaultAdminAddress
	}
	if len(p.Upstreams) == 0 {
		p.Upstreams = []string{"127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"}
	}
	var b bytes.Buffer
	if err := demoTemplate.Execute(&b, p); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Demo renders DemoYAML with p and parses it, as "demo.yaml".
func Demo(p DemoParams) (*Config, error) {
	data, err := RenderDemo(p)
	if err != nil {
		return nil, err
	}
	return Parse("demo.yaml", data)
}
