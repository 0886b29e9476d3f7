package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// MaxFileSize bounds the size of a configuration file, in bytes.
const MaxFileSize = 4 << 20

// Load reads the configuration file at path and parses it with Parse,
// naming it path in errors. A file that cannot be read gives its os error
// (errors.Is(err, fs.ErrNotExist) works); an invalid one gives *Errors.
func Load(path string) (*Config, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return data, nil
}

// Parse decodes and validates a configuration. name is the file name
// that errors report. Each block starts from its defaults (the policy
// packages' DefaultConfig), so the file only writes what differs and an
// explicit zero wins. It returns the Config with every default filled in,
// or an *Errors listing every problem found, each with its line, column
// and field path; it never returns both. Any input, however malformed,
// gives one or the other: Parse does not panic.
func Parse(name string, data []byte) (*Config, error) {
	if len(data) > MaxFileSize {
		return nil, finish([]Error{{File: name, Msg: "file is larger than " + strconv.Itoa(MaxFileSize) + " bytes"}})
	}
	root, errs := parseYAML(name, data)
	if errs != nil {
		return nil, finish(errs)
	}
	cfg := defaultConfig()
	d := newDecoder(name)
	if root != nil {
		if root.Kind == yaml.MappingNode || isNull(root) {
			d.decode(root, reflect.ValueOf(&cfg).Elem(), "")
		} else {
			d.errAt(root, "", "expected a mapping of listeners, routes, clusters, admin and redis, got %s", kindName(root))
			return nil, finish(d.errs)
		}
	}
	complete(&cfg)
	v := &validator{file: name, pos: d.pos}
	v.config(&cfg)
	// A value that did not decode kept its default; leave out what
	// validation then says about the same field.
	bad := map[string]bool{}
	for _, e := range d.errs {
		bad[e.Path] = true
	}
	errs = d.errs
	for _, e := range v.errs {
		if !bad[e.Path] {
			errs = append(errs, e)
		}
	}
	if err := finish(errs); err != nil {
		return nil, err
	}
	return &cfg, nil
}

// complete fills in the defaults that depend on other parts of the file:
// the discovery service name defaults to the cluster's.
func complete(c *Config) {
	for i := range c.Clusters {
		cl := &c.Clusters[i]
		d := &cl.Discovery
		if d.Static != nil && d.Static.Service == "" {
			d.Static.Service = cl.Name
		}
		if d.DNS != nil && d.DNS.Service == "" {
			d.DNS.Service = cl.Name
		}
		if d.Etcd != nil && d.Etcd.Service == "" {
			d.Etcd.Service = cl.Name
		}
	}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseYAML returns the single document's root node, nil for an empty
// file, or the syntax error.
func parseYAML(name string, data []byte) (root *yaml.Node, errs []Error) {
	defer func() {
		// The YAML library reports errors by panicking internally and
		// recovering; should one escape, it is still a bad file, not a
		// crash of the proxy.
		if r := recover(); r != nil {
			root, errs = nil, []Error{{File: name, Msg: fmt.Sprintf("yaml: cannot parse: %v", r)}}
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, []Error{syntaxError(name, err)}
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, []Error{syntaxError(name, err)}
	default:
		at := &extra
		if len(extra.Content) > 0 {
			at = extra.Content[0]
		}
		return nil, []Error{{File: name, Line: at.Line, Column: at.Column, Msg: "a second YAML document: the file must hold exactly one"}}
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		return doc.Content[0], nil
	}
	return nil, nil
}

func syntaxError(name string, err error) Error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Error{File: name, Line: line, Msg: "invalid YAML: " + m[2]}
	}
	return Error{File: name, Msg: "invalid YAML: " + stripPackage(msg)}
}
