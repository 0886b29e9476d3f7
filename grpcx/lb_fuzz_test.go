package grpcx_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/resilience-go/resilience/balancer"
	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/grpcx"
)

// FuzzParseBalancerConfig: the service config parser never panics; what
// it accepts is a valid balancer.Config that makes a balancer, and
// survives a round trip through json.Marshal unchanged.
func FuzzParseBalancerConfig(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"policy": "peak_ewma", "outlier": {"consecutiveFailures": 5, "interval": "1s"}, "healthCheck": {"interval": "2s"}}`,
		`{"policy": "ring_hash", "ringHash": {"virtualNodes": 10, "loadFactor": 1.5, "unbounded": true}}`,
		`{"zone": {"local": "a", "minHealthyShare": 0.5}, "defaultSubset": {"v": "1"}, "panicMode": true}`,
		`{"outlier": {"maxEjectionTime": "1s", "baseEjectionTime": "2s"}}`,
		`{"healthCheck": {"timeout": "1h", "serviceName": "x"}, "peakEwma": {"decay": "-1s"}}`,
		`[1, 2]`, `{"policy": 3}`, `{"outlier": null}`, `{"defaultSubset": {}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, js []byte) {
		bc, cfg, err := grpcx.ParseBalancerConfig(js)
		if err != nil {
			return
		}
		if err := cfg.Validate(); err != nil {
			t.Fatalf("ParseBalancerConfig(%q) accepted an invalid config: %v", js, err)
		}
		b, err := balancer.New(cfg)
		if err != nil {
			t.Fatalf("balancer.New of accepted config %q: %v", js, err)
		}
		b.Close()
		out, err := json.Marshal(bc)
		if err != nil {
			t.Fatalf("json.Marshal(%+v): %v", bc, err)
		}
		_, cfg2, err := grpcx.ParseBalancerConfig(out)
		if err != nil {
			t.Fatalf("ParseBalancerConfig(Marshal(%q) = %s) = %v", js, out, err)
		}
		if len(cfg.DefaultSubset) == 0 {
			cfg.DefaultSubset = nil // omitted when empty
		}
		if !reflect.DeepEqual(cfg, cfg2) {
			t.Fatalf("round trip of %q through %s = %+v want %+v", js, out, cfg2, cfg)
		}
	})
}

// FuzzResolverConfigValidate: NewResolverBuilderConfig accepts exactly
// what Validate accepts, and the builder answers the scheme.
func FuzzResolverConfigValidate(f *testing.F) {
	f.Add("disco", int64(0), int64(0), int64(0))
	f.Add("a+b.c-d", int64(time.Second), int64(time.Minute), int64(time.Millisecond))
	f.Add("Disco", int64(-1), int64(0), int64(-5))
	f.Add("", int64(1), int64(1), int64(1))
	f.Fuzz(func(t *testing.T, scheme string, retry, retryMax, refresh int64) {
		cfg := grpcx.ResolverConfig{
			Scheme: scheme, Source: discovery.NewMemory(),
			RetryInitial: time.Duration(retry), RetryMax: time.Duration(retryMax), MinRefreshInterval: time.Duration(refresh),
		}
		verr := cfg.Validate()
		b, err := grpcx.NewResolverBuilderConfig(cfg)
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate() = %v but NewResolverBuilderConfig() = %v", verr, err)
		}
		if err == nil && b.Scheme() != scheme {
			t.Fatalf("Scheme() = %q want %q", b.Scheme(), scheme)
		}
	})
}
