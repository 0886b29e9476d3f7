package discovery_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/discovery"
)

func TestInstanceValidate(t *testing.T) {
	ok := inst("a", 1)
	mod := func(f func(*discovery.Instance)) discovery.Instance {
		i := ok
		f(&i)
		return i
	}
	tests := []struct {
		name string
		in   discovery.Instance
		want error // nil: valid
		msg  string
	}{
		{"valid", ok, nil, ""},
		{"zero-weight-means-default", mod(func(i *discovery.Instance) { i.Weight = 0 }), nil, ""},
		{"ipv6", mod(func(i *discovery.Instance) { i.Address = "2001:db8::1" }), nil, ""},
		{"ipv6-zone", mod(func(i *discovery.Instance) { i.Address = "fe80::1%eth0" }), nil, ""},
		{"hostname", mod(func(i *discovery.Instance) { i.Address = "api-1.internal" }), nil, ""},
		{"fqdn", mod(func(i *discovery.Instance) { i.Address = "api.example.com." }), nil, ""},
		{"unhealthy", mod(func(i *discovery.Instance) { i.Health = discovery.Unhealthy }), nil, ""},
		{"empty-id", mod(func(i *discovery.Instance) { i.ID = "" }), discovery.ErrInvalidID, "instance ID is empty"},
		{"slash-id", mod(func(i *discovery.Instance) { i.ID = "a/b" }), discovery.ErrInvalidID, `must not contain '/'`},
		{"space-id", mod(func(i *discovery.Instance) { i.ID = "a b" }), discovery.ErrInvalidID, `must not contain ' '`},
		{"long-id", mod(func(i *discovery.Instance) { i.ID = strings.Repeat("x", 254) }), discovery.ErrInvalidID, "more than 253"},
		{"empty-service", mod(func(i *discovery.Instance) { i.Service = "" }), discovery.ErrInvalidID, `instance "a": Service is empty`},
		{"empty-address", mod(func(i *discovery.Instance) { i.Address = "" }), discovery.ErrInvalidAddress, "Address is empty"},
		{"address-with-port", mod(func(i *discovery.Instance) { i.Address = "10.0.0.1:80" }), discovery.ErrInvalidAddress, "not a valid IPv6"},
		{"bracketed", mod(func(i *discovery.Instance) { i.Address = "[::1]" }), discovery.ErrInvalidAddress, "not a valid IPv6"},
		{"bad-ipv4", mod(func(i *discovery.Instance) { i.Address = "999.1.1.1" }), discovery.ErrInvalidAddress, "not a valid IP address"},
		{"short-ipv4", mod(func(i *discovery.Instance) { i.Address = "10.0.0" }), discovery.ErrInvalidAddress, "not a valid IP address"},
		{"bad-char", mod(func(i *discovery.Instance) { i.Address = "api!" }), discovery.ErrInvalidAddress, "holds '!'"},
		{"label-hyphen", mod(func(i *discovery.Instance) { i.Address = "-api" }), discovery.ErrInvalidAddress, "starts or ends with '-'"},
		{"empty-label", mod(func(i *discovery.Instance) { i.Address = "a..b" }), discovery.ErrInvalidAddress, "empty label"},
		{"bad-zone-char", mod(func(i *discovery.Instance) { i.Address = "fe80::1%a b" }), discovery.ErrInvalidAddress, "zone"},
		{"port-zero", mod(func(i *discovery.Instance) { i.Port = 0 }), discovery.ErrInvalidPort, "Port 0 must be between 1 and 65535"},
		{"port-high", mod(func(i *discovery.Instance) { i.Port = 65536 }), discovery.ErrInvalidPort, "Port 65536"},
		{"weight-negative", mod(func(i *discovery.Instance) { i.Weight = -1 }), discovery.ErrInvalidWeight, "Weight -1"},
		{"weight-huge", mod(func(i *discovery.Instance) { i.Weight = discovery.MaxWeight + 1 }), discovery.ErrInvalidWeight, "Weight 1048577"},
		{"health-invalid", mod(func(i *discovery.Instance) { i.Health = 7 }), discovery.ErrInvalidHealth, "Health 7"},
		{"zone-control", mod(func(i *discovery.Instance) { i.Zone = "a\nb" }), discovery.ErrInvalidInstance, "Zone"},
		{"metadata-empty-key", mod(func(i *discovery.Instance) { i.Metadata = map[string]string{"": "x"} }), discovery.ErrInvalidInstance, "empty key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) || !errors.Is(err, discovery.ErrInvalidInstance) {
				t.Fatalf("Validate() = %v want %v (and ErrInvalidInstance)", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Validate() = %q want it to say %q", err, tt.msg)
			}
		})
	}
}

func TestInstanceHostPortAndEqual(t *testing.T) {
	tests := []struct {
		addr string
		port int
		want string
	}{
		{"10.0.0.1", 8080, "10.0.0.1:8080"},
		{"::1", 9090, "[::1]:9090"},
		{"fe80::1%eth0", 1, "[fe80::1%eth0]:1"},
		{"api.internal", 443, "api.internal:443"},
	}
	for _, tt := range tests {
		i := discovery.Instance{Address: tt.addr, Port: tt.port}
		if got := i.HostPort(); got != tt.want {
			t.Errorf("Instance{%q, %d}.HostPort() = %q want %q", tt.addr, tt.port, got, tt.want)
		}
	}
	a, b := inst("a", 1), inst("a", 1)
	b.Metadata = map[string]string{}
	if !a.Equal(b) {
		t.Error("nil Metadata != empty Metadata")
	}
	b.Metadata["k"] = "v"
	if a.Equal(b) {
		t.Error("Equal ignored Metadata")
	}
	b = inst("a", 1)
	b.Health = discovery.Healthy
	if a.Equal(b) {
		t.Error("Equal ignored Health")
	}
}

func TestHealth(t *testing.T) {
	for _, h := range []discovery.Health{discovery.Unknown, discovery.Healthy, discovery.Unhealthy} {
		b, err := h.MarshalText()
		if err != nil {
			t.Fatalf("%v.MarshalText() error %v", h, err)
		}
		var back discovery.Health
		if err := back.UnmarshalText(b); err != nil || back != h {
			t.Fatalf("UnmarshalText(%q) = %v, %v want %v", b, back, err, h)
		}
		if got := h.String(); got != string(b) {
			t.Fatalf("String() = %q want %q", got, b)
		}
	}
	if !discovery.Unknown.Usable() || !discovery.Healthy.Usable() || discovery.Unhealthy.Usable() {
		t.Fatal("Usable: want Unknown and Healthy usable, Unhealthy not")
	}
	if _, err := discovery.ParseHealth("up"); !errors.Is(err, discovery.ErrInvalidHealth) {
		t.Fatalf("ParseHealth(up) = %v want ErrInvalidHealth", err)
	}
	if _, err := discovery.Health(9).MarshalText(); !errors.Is(err, discovery.ErrInvalidHealth) {
		t.Fatalf("Health(9).MarshalText() = %v want ErrInvalidHealth", err)
	}
	if got := discovery.Health(9).String(); got != "health(9)" {
		t.Fatalf("Health(9).String() = %q", got)
	}
}
