package discovery_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

func newTestDNS(t *testing.T, r *fakeResolver, mod func(*discovery.DNSConfig)) (*discovery.DNS, *clock.Manual, *recorder) {
	t.Helper()
	m := clock.NewManual(t0)
	rec := &recorder{}
	cfg := discovery.DNSConfig{Service: "api", Host: "api.internal", Port: 8080, Refresh: 10 * time.Second,
		Timeout: time.Second, Resolver: r, Clock: m, Listener: rec}
	if mod != nil {
		mod(&cfg)
	}
	d, err := discovery.NewDNS(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, m, rec
}

func TestDNSAddresses(t *testing.T) {
	ctx := context.Background()
	r := &fakeResolver{}
	r.set("api.internal", "10.0.0.2", "10.0.0.1", "::ffff:10.0.0.1", "2001:db8::1")
	d, m, rec := newTestDNS(t, r, nil)
	if r.calls != 0 {
		t.Fatalf("NewDNS resolved %d times want 0", r.calls)
	}
	got, err := d.Lookup(ctx, "api")
	if err != nil || ids(got) != "[10.0.0.1:8080 10.0.0.2:8080 [2001:db8::1]:8080]" {
		t.Fatalf("Lookup = %s, %v (4-in-6 must fold into its IPv4 form)", ids(got), err)
	}
	if got[0].Service != "api" || got[0].Weight != 1 || got[0].Address != "10.0.0.1" {
		t.Fatalf("instance = %+v", got[0])
	}
	if _, err := d.Lookup(ctx, "db"); !errors.Is(err, discovery.ErrUnknownService) {
		t.Fatalf("Lookup(db) = %v want ErrUnknownService", err)
	}

	w, err := d.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if u := next(t, w); len(u.Instances) != 3 {
		t.Fatalf("first Next = %s", ids(u.Instances))
	}
	r.set("api.internal", "10.0.0.3")
	m.Advance(10 * time.Second)
	if u := next(t, w); ids(u.Instances) != "[10.0.0.3:8080]" {
		t.Fatalf("after refresh Next = %s", ids(u.Instances))
	}
	m.Advance(10 * time.Second) // same answer: no update
	noNext(t, w)

	// A failing refresh keeps the last good set and reports the error.
	r.setErr(&net.DNSError{Err: "server misbehaving", Name: "api.internal", IsTemporary: true})
	m.Advance(10 * time.Second)
	noNext(t, w)
	if err := d.Err(); err == nil || !strings.Contains(err.Error(), "server misbehaving") {
		t.Fatalf("Err() = %v want the DNS error", err)
	}
	if _, ok := rec.last(resilience.EventFailure); !ok {
		t.Fatal("no EventFailure for the failed refresh")
	}
	if _, err := d.Lookup(ctx, "api"); err == nil {
		t.Fatal("Lookup while DNS fails = nil error; Lookup must report it (Cache serves the last good set)")
	}
	// An empty answer is a failure too: DNS never empties the set.
	r.setErr(nil)
	r.set("api.internal")
	m.Advance(10 * time.Second)
	if !errors.Is(d.Err(), discovery.ErrNoInstances) {
		t.Fatalf("Err() after empty answer = %v want ErrNoInstances", d.Err())
	}
	noNext(t, w)
	r.set("api.internal", "10.0.0.4")
	m.Advance(10 * time.Second)
	if u := next(t, w); ids(u.Instances) != "[10.0.0.4:8080]" || d.Err() != nil {
		t.Fatalf("after recovery Next = %s, Err %v", ids(u.Instances), d.Err())
	}
	s := d.Stats()
	if s.Failures != 3 || s.Lookups != 7 || !s.LastSuccess.Equal(t0.Add(50*time.Second)) {
		t.Fatalf("Stats = %+v", s)
	}
}

func TestDNSNetworkFilter(t *testing.T) {
	r := &fakeResolver{}
	r.set("api.internal", "10.0.0.1", "2001:db8::1")
	d, _, _ := newTestDNS(t, r, func(c *discovery.DNSConfig) { c.Network = "ip6" })
	got, err := d.Lookup(context.Background(), "api")
	if err != nil || ids(got) != "[[2001:db8::1]:8080]" {
		t.Fatalf("Lookup(ip6) = %s, %v", ids(got), err)
	}
}

func TestDNSSRV(t *testing.T) {
	r := &fakeResolver{srv: map[string][]*net.SRV{
		"_api._tcp.example.com": {
			{Target: "b.example.com.", Port: 9000, Priority: 10, Weight: 60},
			{Target: "a.example.com.", Port: 9000, Priority: 10, Weight: 0},
			{Target: ".", Port: 9000},                         // "no service here": skipped
			{Target: "c.example.com.", Port: 0, Weight: 5},    // invalid port: skipped
			{Target: "b.example.com.", Port: 9000, Weight: 1}, // duplicate: the first wins
		},
	}}
	d, _, _ := newTestDNS(t, r, func(c *discovery.DNSConfig) {
		c.Host, c.Port, c.SRV = "_api._tcp.example.com", 0, true
	})
	got, err := d.Lookup(context.Background(), "api")
	if err != nil || ids(got) != "[a.example.com:9000 b.example.com:9000]" {
		t.Fatalf("Lookup(SRV) = %s, %v", ids(got), err)
	}
	if got[0].Weight != 1 || got[1].Weight != 60 || got[1].Metadata["priority"] != "10" || got[1].Address != "b.example.com" {
		t.Fatalf("SRV instances = %+v", got)
	}
	r.srv["_api._tcp.example.com"] = []*net.SRV{{Target: ".", Port: 1}}
	if _, err := d.Lookup(context.Background(), "api"); !errors.Is(err, discovery.ErrNoInstances) {
		t.Fatalf("Lookup(SRV without usable records) = %v want ErrNoInstances", err)
	}
}

func TestDNSTimeout(t *testing.T) {
	r := &fakeResolver{block: true}
	d, m, _ := newTestDNS(t, r, nil)
	done := make(chan error, 1)
	go func() {
		_, err := d.Lookup(context.Background(), "api")
		done <- err
	}()
	m.WaitForTimers(2) // the refresh and the lookup's time limit
	m.Advance(time.Second)
	if err := <-done; !errors.Is(err, discovery.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lookup with a hung resolver = %v want ErrTimeout", err)
	}
	// Watch of a never-resolved name fails with the error.
	go func() {
		_, err := d.Watch(context.Background(), "api")
		done <- err
	}()
	m.WaitForTimers(2)
	m.Advance(time.Second)
	if err := <-done; !errors.Is(err, discovery.ErrTimeout) {
		t.Fatalf("Watch with a hung resolver = %v want ErrTimeout", err)
	}
}

func TestDNSConfigValidate(t *testing.T) {
	ok := discovery.DNSConfig{Service: "api", Host: "api.internal", Port: 80}
	tests := []struct {
		name     string
		mod      func(*discovery.DNSConfig)
		contains string
	}{
		{"no-service", func(c *discovery.DNSConfig) { c.Service = "" }, "Service is empty"},
		{"no-host", func(c *discovery.DNSConfig) { c.Host = "" }, "Host"},
		{"ip-host", func(c *discovery.DNSConfig) { c.Host = "10.0.0.1" }, "use Static"},
		{"bad-host", func(c *discovery.DNSConfig) { c.Host = "a..b" }, "empty label"},
		{"no-port", func(c *discovery.DNSConfig) { c.Port = 0 }, "Port 0 must be between 1 and 65535"},
		{"srv-port", func(c *discovery.DNSConfig) { c.SRV = true }, "must be 0 with SRV"},
		{"network", func(c *discovery.DNSConfig) { c.Network = "tcp" }, `Network "tcp"`},
		{"refresh", func(c *discovery.DNSConfig) { c.Refresh = time.Nanosecond }, "Refresh 1ns"},
		{"timeout", func(c *discovery.DNSConfig) { c.Timeout = -time.Second }, "Timeout -1s"},
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate(ok) = %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.mod(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tt.contains) || !strings.HasPrefix(err.Error(), "discovery: ") {
				t.Fatalf("Validate() = %v want an error saying %q", err, tt.contains)
			}
			if d, err2 := discovery.NewDNS(c); err2 == nil {
				d.Close()
				t.Fatal("NewDNS accepted an invalid config")
			}
		})
	}
}

// The real resolver finds localhost in /etc/hosts (or asks the system).
func TestDNSRealResolverLocalhost(t *testing.T) {
	d, err := discovery.NewDNS(discovery.DNSConfig{Service: "self", Host: "localhost", Port: 8080, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	got, err := d.Lookup(context.Background(), "self")
	if err != nil {
		t.Fatalf("Lookup(localhost) with net.DefaultResolver = %v", err)
	}
	if len(got) == 0 {
		t.Fatal("Lookup(localhost) found nothing")
	}
	for _, i := range got {
		ip := net.ParseIP(i.Address)
		if ip == nil || !ip.IsLoopback() || i.Port != 8080 || i.ID != i.HostPort() {
			t.Fatalf("localhost resolved to %+v, want loopback addresses with port 8080", i)
		}
	}
}
