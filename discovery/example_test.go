package discovery_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

// Direct mode: fixed endpoints from code or configuration.
func ExampleStatic() {
	seeds, err := discovery.Static("api", "10.0.0.1:8080", "[2001:db8::1]:8080;weight=3;zone=eu-1a")
	if err != nil {
		fmt.Println(err)
		return
	}
	instances, _ := seeds.Lookup(context.Background(), "api")
	for _, i := range instances {
		fmt.Printf("%s weight %d zone %q\n", i.HostPort(), i.Weight, i.Zone)
	}
	// Output:
	// 10.0.0.1:8080 weight 1 zone ""
	// [2001:db8::1]:8080 weight 3 zone "eu-1a"
}

// Malformed endpoints get precise errors.
func ExampleParseEndpoint() {
	for _, spec := range []string{"10.0.0.1", "::1:8080", "web:http", "10.0.0.1:80;weight=0"} {
		_, err := discovery.ParseEndpoint("api", spec)
		fmt.Println(err)
	}
	// Output:
	// discovery: endpoint "10.0.0.1" misses a port; want host:port
	// discovery: endpoint "::1:8080": an IPv6 address needs brackets, as in [::1]:8080
	// discovery: endpoint "web:http": port "http" is not a number
	// discovery: endpoint "10.0.0.1:80;weight=0": weight "0" must be a whole number from 1 to 1048576
}

// A watcher delivers whole snapshots with growing versions.
func ExampleMemory() {
	ctx := context.Background()
	reg := discovery.NewMemory()
	defer reg.Close()
	w, _ := reg.Watch(ctx, "api")
	defer w.Close()

	reg.Register(ctx, discovery.Instance{ID: "api-1", Service: "api", Address: "10.0.0.1", Port: 8080})
	u, _ := w.Next(ctx)
	fmt.Println(u.Version, len(u.Instances))
	err := reg.Register(ctx, discovery.Instance{ID: "api-1", Service: "api", Address: "10.0.0.2", Port: 8080})
	fmt.Println(errors.Is(err, discovery.ErrDuplicateID))
	reg.Register(ctx, discovery.Instance{ID: "api-2", Service: "api", Address: "10.0.0.2", Port: 8080})
	u, _ = w.Next(ctx)
	fmt.Println(u.Version, u.Instances[0].ID, u.Instances[1].ID)
	// Output:
	// 2 1
	// true
	// 3 api-1 api-2
}

// flaky is a source that fails on demand.
type flaky struct {
	set  []discovery.Instance
	down bool
}

func (f *flaky) Lookup(ctx context.Context, service string) ([]discovery.Instance, error) {
	if f.down {
		return nil, errors.New("registry unreachable")
	}
	return f.set, nil
}

func (f *flaky) Watch(ctx context.Context, service string) (discovery.Watcher, error) {
	return nil, errors.New("not implemented")
}

// A Cache serves the last known good set while its source is down, and
// says how stale it is.
func ExampleCache() {
	ctx := context.Background()
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	src := &flaky{set: []discovery.Instance{{ID: "api-1", Service: "api", Address: "10.0.0.1", Port: 8080, Weight: 1}}}
	cache, _ := discovery.NewCache(discovery.CacheConfig{Source: src, Clock: clk})

	cache.Lookup(ctx, "api")
	src.down = true
	clk.Advance(30 * time.Second)
	instances, err := cache.Lookup(ctx, "api")
	stale, age := cache.Stale("api")
	fmt.Println(len(instances), err, stale, age)

	src.down = false
	clk.Advance(time.Second) // past RetryInterval
	cache.Lookup(ctx, "api")
	stale, age = cache.Stale("api")
	fmt.Println(stale, age)
	// Output:
	// 1 <nil> true 30s
	// false 0s
}

// Hybrid mode: the seeds while any is healthy, the registry otherwise.
func ExampleHybrid() {
	ctx := context.Background()
	seeds, _ := discovery.Static("api", "10.0.0.1:8080")
	reg := discovery.NewMemory()
	defer reg.Close()
	reg.Register(ctx, discovery.Instance{ID: "api-7", Service: "api", Address: "10.1.0.7", Port: 8080})
	src := discovery.Hybrid(seeds, reg)

	got, _ := src.Lookup(ctx, "api")
	fmt.Println(src.Mode("api"), got[0].HostPort())
	seeds.SetHealth("10.0.0.1:8080", discovery.Unhealthy) // a health checker's verdict
	got, _ = src.Lookup(ctx, "api")
	fmt.Println(src.Mode("api"), got[0].HostPort())
	// Output:
	// direct 10.0.0.1:8080
	// registry 10.1.0.7:8080
}

// A File source keeps its last good set when the file stops parsing.
func ExampleFile() {
	dir, _ := os.MkdirTemp("", "discovery")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "instances.json")
	os.WriteFile(path, []byte(`[{"id":"api-1","service":"api","address":"10.0.0.1","port":8080}]`), 0o644)
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	f, err := discovery.NewFile(discovery.FileConfig{Path: path, Interval: 5 * time.Second, Clock: clk})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()

	os.WriteFile(path+".new", []byte(`[{"id":"api-1", oops`), 0o644)
	os.Rename(path+".new", path)
	clk.Advance(5 * time.Second) // the next check
	got, _ := f.Lookup(context.Background(), "api")
	fmt.Println(len(got), f.Err() != nil, f.Stats().Failures)
	// Output: 1 true 1
}

// fixedResolver answers every name with the same addresses.
type fixedResolver []string

func (r fixedResolver) LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, a := range r {
		out = append(out, netip.MustParseAddr(a))
	}
	return out, nil
}

func (r fixedResolver) LookupSRV(ctx context.Context, service, proto, name string) (string, []*net.SRV, error) {
	return "", nil, errors.New("no SRV")
}

// DNS with an injected resolver (net.DefaultResolver when nil).
func ExampleNewDNS() {
	d, _ := discovery.NewDNS(discovery.DNSConfig{
		Service: "api", Host: "api.internal", Port: 8080,
		Resolver: fixedResolver{"10.0.0.2", "10.0.0.1"},
		Clock:    clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
	})
	defer d.Close()
	got, _ := d.Lookup(context.Background(), "api")
	fmt.Println(got[0].HostPort(), got[1].HostPort())
	// Output: 10.0.0.1:8080 10.0.0.2:8080
}
