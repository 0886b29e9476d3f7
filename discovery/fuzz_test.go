package discovery_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/discovery"
)

func FuzzParseHostPort(f *testing.F) {
	for _, s := range []string{"10.0.0.1:8080", "[::1]:9090", "[fe80::1%eth0]:80", "api.internal:443", "::1:80",
		"10.0.0.1", "web:http", "[10.0.0.1]:80", "999.0.0.1:1", "a..b:1", ":80", "http://x:1", "[::1]x", "host:0065535"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, port, err := discovery.ParseHostPort(s)
		if err != nil {
			if !errors.Is(err, discovery.ErrInvalidInstance) || !strings.HasPrefix(err.Error(), "discovery: ") {
				t.Fatalf("ParseHostPort(%q) error %q does not match ErrInvalidInstance or lacks the prefix", s, err)
			}
			if host != "" || port != 0 {
				t.Fatalf("ParseHostPort(%q) returned %q, %d with an error", s, host, port)
			}
			return
		}
		i := discovery.Instance{ID: "x", Service: "s", Address: host, Port: port}
		if err := i.Validate(); err != nil {
			t.Fatalf("ParseHostPort(%q) = %q, %d, which does not validate: %v", s, host, port, err)
		}
		h2, p2, err := discovery.ParseHostPort(i.HostPort())
		if err != nil || h2 != host || p2 != port {
			t.Fatalf("round trip of %q through %q = %q, %d, %v", s, i.HostPort(), h2, p2, err)
		}
	})
}

func FuzzParseEndpoint(f *testing.F) {
	for _, s := range []string{"10.0.0.1:8080", "[::1]:9090;weight=3;zone=a;version=v2;health=healthy;meta.k=v;id=x",
		"10.0.0.1:80;weight=0", "10.0.0.1:80;;", "10.0.0.1:80;id=a/b", "x:1;meta.=1", "x:1;weight=1;weight=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		inst, err := discovery.ParseEndpoint("api", spec)
		if err != nil {
			if !errors.Is(err, discovery.ErrInvalidInstance) {
				t.Fatalf("ParseEndpoint(%q) error %q does not match ErrInvalidInstance", spec, err)
			}
			return
		}
		if err := inst.Validate(); err != nil || inst.Weight < 1 || inst.ID == "" || inst.Service != "api" {
			t.Fatalf("ParseEndpoint(%q) = %+v (Validate: %v)", spec, inst, err)
		}
		if _, err := discovery.ParseEndpoints("api", spec, spec); !errors.Is(err, discovery.ErrDuplicateID) {
			t.Fatalf("ParseEndpoints(%q twice) = %v want ErrDuplicateID", spec, err)
		}
	})
}

func FuzzDecodeInstance(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","service":"api","address":"10.0.0.1","port":8080}`,
		`{"id":"a","service":"api","address":"::1","port":1,"weight":3,"health":"unhealthy","metadata":{"k":"v"}}`,
		`{"id":"a","service":"api","address":"10.0.0.1","port":8080,"weight":0}`,
		`{"id":"a","health":"up"}`, `[]`, `{`, `null`, `{"port":1e99}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		inst, err := discovery.DecodeInstance(data)
		if err != nil {
			if !errors.Is(err, discovery.ErrInvalidInstance) {
				t.Fatalf("DecodeInstance(%q) error %q does not match ErrInvalidInstance", data, err)
			}
			return
		}
		if err := inst.Validate(); err != nil || inst.Weight < 1 {
			t.Fatalf("DecodeInstance(%q) = %+v, invalid: %v", data, inst, err)
		}
		b, err := json.Marshal(inst)
		if err != nil {
			t.Fatalf("Marshal(%+v) = %v", inst, err)
		}
		back, err := discovery.DecodeInstance(b)
		if err != nil || !back.Equal(inst) {
			t.Fatalf("round trip of %q: %+v, %v want %+v", data, back, err, inst)
		}
	})
}

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`[{"id":"a","service":"api","address":"10.0.0.1","port":8080},{"id":"b","address":"x","port":1,"weight":2}]`,
		`[{"id":"a","weight":0}]`, `[] []`, `[{"unknown":1}]`, `{}`, `[null]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := discovery.DecodeJSON(data)
		if err != nil {
			if !errors.Is(err, discovery.ErrInvalidInstance) {
				t.Fatalf("DecodeJSON(%q) error %q does not match ErrInvalidInstance", data, err)
			}
			return
		}
		for _, inst := range list {
			if inst.Weight < 0 {
				t.Fatalf("DecodeJSON(%q) let through weight %d", data, inst.Weight)
			}
		}
	})
}

func FuzzDNSConfig(f *testing.F) {
	f.Add("api", "api.internal", 8080, false, "", int64(0), int64(0))
	f.Add("api", "_api._tcp.example.com", 0, true, "ip6", int64(time.Second), int64(-1))
	f.Add("", "10.0.0.1", 70000, false, "tcp", int64(1), int64(5))
	f.Fuzz(func(t *testing.T, service, host string, port int, srv bool, network string, refresh, timeout int64) {
		cfg := discovery.DNSConfig{Service: service, Host: host, Port: port, SRV: srv, Network: network,
			Refresh: time.Duration(refresh), Timeout: time.Duration(timeout), Resolver: &fakeResolver{}}
		err := cfg.Validate()
		d, err2 := discovery.NewDNS(cfg)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("Validate() = %v but NewDNS() = %v", err, err2)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "discovery: dns: ") {
				t.Fatalf("Validate() = %q lacks the prefix", err)
			}
			return
		}
		d.Close()
	})
}

func FuzzCacheConfig(f *testing.F) {
	f.Add(int64(0), int64(0), int64(0), int64(0))
	f.Add(int64(-1), int64(1), int64(-5), int64(1<<62))
	f.Fuzz(func(t *testing.T, timeout, ttl, retry, maxStale int64) {
		cfg := discovery.CacheConfig{Source: &fakeSource{}, Timeout: time.Duration(timeout), TTL: time.Duration(ttl),
			RetryInterval: time.Duration(retry), MaxStale: time.Duration(maxStale)}
		_, err := discovery.NewCache(cfg)
		wantErr := timeout < 0 || ttl < 0 || retry < 0 || maxStale < 0
		if (err != nil) != wantErr || err != nil && !strings.HasPrefix(err.Error(), "discovery: cache: ") {
			t.Fatalf("NewCache(%+v) = %v, want error: %v", cfg, err, wantErr)
		}
	})
}
