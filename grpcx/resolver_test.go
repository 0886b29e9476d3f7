package grpcx_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"google.golang.org/grpc/resolver"

	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/grpcx"
)

// fakeCC is the ClientConn side of a resolver: it records what the
// resolver pushes.
type fakeCC struct {
	resolver.ClientConn // not called
	states              chan resolver.State
	errs                chan error
}

func newFakeCC() *fakeCC {
	return &fakeCC{states: make(chan resolver.State, 64), errs: make(chan error, 64)}
}

func (f *fakeCC) UpdateState(s resolver.State) error { f.states <- s; return nil }
func (f *fakeCC) ReportError(err error)              { f.errs <- err }

func (f *fakeCC) nextState(t *testing.T) resolver.State {
	t.Helper()
	select {
	case s := <-f.states:
		return s
	case <-time.After(bound):
		t.Fatalf("no state pushed within %v", bound)
		return resolver.State{}
	}
}

func (f *fakeCC) nextErr(t *testing.T) error {
	t.Helper()
	select {
	case err := <-f.errs:
		return err
	case <-time.After(bound):
		t.Fatalf("no error reported within %v", bound)
		return nil
	}
}

// ids returns the instance IDs of a state's addresses, checking that its
// endpoints carry the same instances.
func ids(t *testing.T, s resolver.State) []string {
	t.Helper()
	if len(s.Endpoints) != len(s.Addresses) {
		t.Fatalf("%d endpoints for %d addresses", len(s.Endpoints), len(s.Addresses))
	}
	var out []string
	for i, a := range s.Addresses {
		inst, ok := grpcx.InstanceFromAddress(a)
		if !ok {
			t.Fatalf("address %v carries no instance", a)
		}
		if inst.HostPort() != a.Addr {
			t.Errorf("address %q carries instance at %q", a.Addr, inst.HostPort())
		}
		einst, ok := grpcx.InstanceFromEndpoint(s.Endpoints[i])
		if !ok || !einst.Equal(inst) || len(s.Endpoints[i].Addresses) != 1 || s.Endpoints[i].Addresses[0].Addr != a.Addr {
			t.Errorf("endpoint %d = %v does not match address %v", i, s.Endpoints[i], a)
		}
		out = append(out, inst.ID)
	}
	return out
}

func target(service string) resolver.Target {
	return resolver.Target{URL: url.URL{Scheme: "disco", Path: "/" + service}}
}

func build(t *testing.T, cfg grpcx.ResolverConfig, service string) (*fakeCC, resolver.Resolver) {
	t.Helper()
	if cfg.Scheme == "" {
		cfg.Scheme = "disco"
	}
	b, err := grpcx.NewResolverBuilderConfig(cfg)
	if err != nil {
		t.Fatalf("NewResolverBuilderConfig: %v", err)
	}
	cc := newFakeCC()
	r, err := b.Build(target(service), cc, resolver.BuildOptions{})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	t.Cleanup(r.Close)
	return cc, r
}

func inst(id string, port int) discovery.Instance {
	return discovery.Instance{ID: id, Service: "api", Address: "127.0.0.1", Port: port}
}

func equalIDs(a []string, b ...string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestResolverFollowsRegistry(t *testing.T) {
	for _, keep := range []bool{false, true} {
		name := "drop-unhealthy"
		if keep {
			name = "keep-unhealthy"
		}
		t.Run(name, func(t *testing.T) {
			reg := discovery.NewMemory()
			defer reg.Close()
			ctx := context.Background()
			a := discovery.Instance{ID: "a", Service: "api", Address: "127.0.0.1", Port: 7001, Weight: 3, Zone: "eu-1a", Version: "v2", Metadata: map[string]string{"tier": "gold"}}
			for _, i := range []discovery.Instance{a, inst("b", 7002), inst("x", 7100)} {
				if i.ID == "x" {
					i.Service = "other"
				}
				if err := reg.Register(ctx, i); err != nil {
					t.Fatal(err)
				}
			}
			cc, _ := build(t, grpcx.ResolverConfig{Source: reg, KeepUnhealthy: keep}, "api")

			s := cc.nextState(t)
			if got := ids(t, s); !equalIDs(got, "a", "b") {
				t.Fatalf("first state = %v want [a b]", got)
			}
			got, _ := grpcx.InstanceFromAddress(s.Addresses[0])
			if got.Weight != 3 || got.Zone != "eu-1a" || got.Version != "v2" || got.Metadata["tier"] != "gold" || s.Addresses[0].Addr != "127.0.0.1:7001" {
				t.Errorf("InstanceFromAddress = %+v at %q want a's weight, zone, version and metadata", got, s.Addresses[0].Addr)
			}

			if err := reg.Register(ctx, inst("c", 7003)); err != nil {
				t.Fatal(err)
			}
			if got := ids(t, cc.nextState(t)); !equalIDs(got, "a", "b", "c") {
				t.Errorf("after Register(c) = %v want [a b c]", got)
			}
			if err := reg.SetHealth("b", discovery.Unhealthy); err != nil {
				t.Fatal(err)
			}
			want := []string{"a", "c"}
			if keep {
				want = []string{"a", "b", "c"}
			}
			if got := ids(t, cc.nextState(t)); !equalIDs(got, want...) {
				t.Errorf("after b turned unhealthy = %v want %v", got, want)
			}
			if err := reg.Deregister(ctx, "a"); err != nil {
				t.Fatal(err)
			}
			want = want[1:]
			if got := ids(t, cc.nextState(t)); !equalIDs(got, want...) {
				t.Errorf("after Deregister(a) = %v want %v", got, want)
			}
			select {
			case err := <-cc.errs:
				t.Errorf("ReportError(%v) on a healthy source", err)
			default:
			}
		})
	}
}

func TestResolverBuildRejectsBadTarget(t *testing.T) {
	b, err := grpcx.NewResolverBuilder("disco", newScripted())
	if err != nil {
		t.Fatal(err)
	}
	for _, service := range []string{"", "a b", "a/b"} {
		if r, err := b.Build(target(service), newFakeCC(), resolver.BuildOptions{}); err == nil {
			r.Close()
			t.Errorf("Build(%q) = nil error want an invalid service error", service)
		}
	}
	if b.Scheme() != "disco" {
		t.Errorf("Scheme() = %q want disco", b.Scheme())
	}
}

func TestResolverConfigValidate(t *testing.T) {
	src := newScripted()
	for _, tc := range []struct {
		name string
		cfg  grpcx.ResolverConfig
		ok   bool
	}{
		{"minimal", grpcx.ResolverConfig{Scheme: "disco", Source: src}, true},
		{"scheme-chars", grpcx.ResolverConfig{Scheme: "a1+b-c.d", Source: src}, true},
		{"empty-scheme", grpcx.ResolverConfig{Source: src}, false},
		{"upper-case", grpcx.ResolverConfig{Scheme: "Disco", Source: src}, false},
		{"digit-first", grpcx.ResolverConfig{Scheme: "1disco", Source: src}, false},
		{"colon", grpcx.ResolverConfig{Scheme: "dis:co", Source: src}, false},
		{"nil-source", grpcx.ResolverConfig{Scheme: "disco"}, false},
		{"negative-retry", grpcx.ResolverConfig{Scheme: "disco", Source: src, RetryInitial: -1}, false},
		{"negative-max", grpcx.ResolverConfig{Scheme: "disco", Source: src, RetryMax: -1}, false},
		{"negative-refresh", grpcx.ResolverConfig{Scheme: "disco", Source: src, MinRefreshInterval: -1}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			_, nerr := grpcx.NewResolverBuilderConfig(tc.cfg)
			if (err == nil) != tc.ok || (nerr == nil) != tc.ok {
				t.Errorf("Validate() = %v, NewResolverBuilderConfig() = %v; want ok %v", err, nerr, tc.ok)
			}
		})
	}
}
