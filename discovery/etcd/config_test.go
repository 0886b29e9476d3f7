package etcd

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidate(t *testing.T) {
	ok := Config{Endpoints: []string{"http://127.0.0.1:2379"}}
	tests := []struct {
		name     string
		mod      func(*Config)
		contains string
	}{
		{"no-endpoints", func(c *Config) { c.Endpoints = nil }, "Endpoints is empty"},
		{"blank-endpoint", func(c *Config) { c.Endpoints = []string{"http://a:1", " "} }, "Endpoints[1]"},
		{"endpoint-scheme", func(c *Config) { c.Endpoints = []string{"unix:///run/etcd.sock"} }, `Endpoints[0] "unix:///run/etcd.sock" is not a URL or host:port: scheme "unix"`},
		{"endpoint-no-host", func(c *Config) { c.Endpoints = []string{"127.0.0.1:1", "https://"} }, "Endpoints[1]"},
		{"prefix-no-slash", func(c *Config) { c.Prefix = "services" }, `Prefix "services" must start and end with '/'`},
		{"prefix-no-trailing", func(c *Config) { c.Prefix = "/services" }, "must start and end"},
		{"ttl-short", func(c *Config) { c.TTL = 500 * time.Millisecond }, "TTL 500ms must be >= 1s"},
		{"ttl-long", func(c *Config) { c.TTL = 1 << 62 }, "too long"},
		{"dial", func(c *Config) { c.DialTimeout = -1 }, "DialTimeout -1ns"},
		{"op", func(c *Config) { c.OpTimeout = -time.Second }, "OpTimeout -1s"},
		{"retry", func(c *Config) { c.RetryInterval = -1 }, "RetryInterval"},
		{"reconnect", func(c *Config) { c.MaxReconnectDelay = -1 }, "MaxReconnectDelay"},
		{"password-alone", func(c *Config) { c.Password = "x" }, "Password is set without Username"},
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate(ok) = %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mod(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.contains) || !strings.HasPrefix(err.Error(), "etcd: ") {
				t.Fatalf("Validate() = %v want an error saying %q", err, tt.contains)
			}
			if r, err2 := New(c); err2 == nil {
				r.Close()
				t.Fatal("New accepted an invalid config")
			}
		})
	}
	d := ok.withDefaults()
	if d.Prefix != DefaultPrefix || d.TTL != DefaultTTL || d.OpTimeout != DefaultOpTimeout || d.Clock == nil {
		t.Fatalf("withDefaults() = %+v", d)
	}
	for _, tt := range []struct {
		ttl  time.Duration
		want int64
	}{{time.Second, 1}, {1500 * time.Millisecond, 2}, {10 * time.Second, 10}} {
		if got := (Config{TTL: tt.ttl}).ttlSeconds(); got != tt.want {
			t.Errorf("Config{TTL: %v}.ttlSeconds() = %d want %d", tt.ttl, got, tt.want)
		}
	}
}

func FuzzConfigValidate(f *testing.F) {
	f.Add("http://127.0.0.1:2379", "/services/", int64(time.Second), int64(0), int64(0), "", "")
	f.Add("", "x", int64(-1), int64(-1), int64(5), "u", "p")
	f.Add(" ", "/", int64(1<<62), int64(1), int64(-5), "", "secret")
	f.Fuzz(func(t *testing.T, ep, prefix string, ttl, op, retry int64, user, pass string) {
		c := Config{Endpoints: []string{ep}, Prefix: prefix, TTL: time.Duration(ttl), OpTimeout: time.Duration(op),
			RetryInterval: time.Duration(retry), Username: user, Password: pass}
		if err := c.Validate(); err != nil {
			if !strings.HasPrefix(err.Error(), "etcd: ") {
				t.Fatalf("Validate() = %q lacks the package prefix", err)
			}
			return
		}
		d := c.withDefaults()
		if d.TTL < time.Second || d.OpTimeout <= 0 || d.RetryInterval <= 0 || d.ttlSeconds() < 1 ||
			!strings.HasPrefix(d.Prefix, "/") || !strings.HasSuffix(d.Prefix, "/") {
			t.Fatalf("valid config %+v has bad defaults %+v", c, d)
		}
	})
}
