package discovery_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/discovery"
)

func TestParseHostPort(t *testing.T) {
	tests := []struct {
		in       string
		host     string
		port     int
		want     error
		contains string
	}{
		{"10.0.0.1:8080", "10.0.0.1", 8080, nil, ""},
		{"[::1]:9090", "::1", 9090, nil, ""},
		{"[fe80::1%eth0]:80", "fe80::1%eth0", 80, nil, ""},
		{"[::ffff:10.0.0.1]:80", "::ffff:10.0.0.1", 80, nil, ""},
		{"api.internal:443", "api.internal", 443, nil, ""},
		{"localhost:1", "localhost", 1, nil, ""},
		{"web_1:65535", "web_1", 65535, nil, ""},
		{"", "", 0, discovery.ErrInvalidAddress, "empty"},
		{"10.0.0.1", "", 0, discovery.ErrInvalidPort, "misses a port"},
		{"10.0.0.1:", "", 0, discovery.ErrInvalidPort, "port is empty"},
		{"10.0.0.1:0", "", 0, discovery.ErrInvalidPort, `"0" is out of range`},
		{"10.0.0.1:65536", "", 0, discovery.ErrInvalidPort, "out of range 1-65535"},
		{"10.0.0.1:99999999999999999999", "", 0, discovery.ErrInvalidPort, "out of range"},
		{"10.0.0.1:-1", "", 0, discovery.ErrInvalidPort, "not a number"},
		{"10.0.0.1:+80", "", 0, discovery.ErrInvalidPort, "not a number"},
		{"web:http", "", 0, discovery.ErrInvalidPort, `"http" is not a number`},
		{"10.0.0.1: 80", "", 0, discovery.ErrInvalidPort, "not a number"},
		{"::1:8080", "", 0, discovery.ErrInvalidAddress, "needs brackets"},
		{"[::1]", "", 0, discovery.ErrInvalidPort, "misses a port"},
		{"[::1", "", 0, discovery.ErrInvalidAddress, "closing ']'"},
		{"[::1]x80", "", 0, discovery.ErrInvalidAddress, "after ']'"},
		{"[10.0.0.1]:80", "", 0, discovery.ErrInvalidAddress, "not an IPv6 address"},
		{"[api]:80", "", 0, discovery.ErrInvalidAddress, "not an IPv6 address"},
		{"http://10.0.0.1:80", "", 0, discovery.ErrInvalidAddress, "has a scheme"},
		{"10.0.0.1:80/path", "", 0, discovery.ErrInvalidAddress, "path or query"},
		{":80", "", 0, discovery.ErrInvalidAddress, "host is empty"},
		{"999.0.0.1:80", "", 0, discovery.ErrInvalidAddress, "not a valid IP address"},
		{"bad host:80", "", 0, discovery.ErrInvalidAddress, "holds ' '"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			host, port, err := discovery.ParseHostPort(tt.in)
			if tt.want == nil {
				if err != nil || host != tt.host || port != tt.port {
					t.Fatalf("ParseHostPort(%q) = %q, %d, %v want %q, %d, nil", tt.in, host, port, err, tt.host, tt.port)
				}
				return
			}
			if !errors.Is(err, tt.want) || !errors.Is(err, discovery.ErrInvalidInstance) {
				t.Fatalf("ParseHostPort(%q) error = %v want %v", tt.in, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.contains) || !strings.HasPrefix(err.Error(), "discovery: ") {
				t.Fatalf("ParseHostPort(%q) error = %q want it to say %q", tt.in, err, tt.contains)
			}
			if host != "" || port != 0 {
				t.Fatalf("ParseHostPort(%q) returned %q, %d with an error", tt.in, host, port)
			}
		})
	}
}

func TestParseEndpoint(t *testing.T) {
	got, err := discovery.ParseEndpoint("api", " [::1]:9090 ; weight=3; zone = eu-1a ;version=v2;health=healthy;meta.pool=blue;id=api-1 ")
	if err != nil {
		t.Fatal(err)
	}
	want := discovery.Instance{
		ID: "api-1", Service: "api", Address: "::1", Port: 9090, Weight: 3, Zone: "eu-1a",
		Version: "v2", Health: discovery.Healthy, Metadata: map[string]string{"pool": "blue"},
	}
	if !got.Equal(want) {
		t.Fatalf("ParseEndpoint = %+v want %+v", got, want)
	}
	plain, err := discovery.ParseEndpoint("api", "10.0.0.1:8080")
	if err != nil || plain.ID != "10.0.0.1:8080" || plain.Weight != 1 || plain.Health != discovery.Unknown {
		t.Fatalf("ParseEndpoint(plain) = %+v, %v want ID host:port, Weight 1", plain, err)
	}

	bad := []struct {
		spec     string
		want     error
		contains string
	}{
		{"10.0.0.1:8080;weight=0", discovery.ErrInvalidWeight, `weight "0" must be`},
		{"10.0.0.1:8080;weight=-2", discovery.ErrInvalidWeight, "weight"},
		{"10.0.0.1:8080;weight=x", discovery.ErrInvalidWeight, "weight"},
		{"10.0.0.1:8080;weight=1;weight=2", discovery.ErrInvalidInstance, "repeated"},
		{"10.0.0.1:8080;colour=red", discovery.ErrInvalidInstance, `unknown option "colour"`},
		{"10.0.0.1:8080;meta.=x", discovery.ErrInvalidInstance, "unknown option"},
		{"10.0.0.1:8080;zone", discovery.ErrInvalidInstance, "not key=value"},
		{"10.0.0.1:8080;health=up", discovery.ErrInvalidHealth, "health"},
		{"10.0.0.1:8080;id=", discovery.ErrInvalidID, "id is empty"},
		{"10.0.0.1:8080;id=a/b", discovery.ErrInvalidID, "must not contain"},
		{"10.0.0.1", discovery.ErrInvalidPort, "misses a port"},
		{";weight=2", discovery.ErrInvalidAddress, "empty"},
	}
	for _, tt := range bad {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := discovery.ParseEndpoint("api", tt.spec)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.contains) {
				t.Fatalf("ParseEndpoint(%q) = %v want %v saying %q", tt.spec, err, tt.want, tt.contains)
			}
		})
	}
	if _, err := discovery.ParseEndpoint("", "10.0.0.1:80"); !errors.Is(err, discovery.ErrInvalidID) {
		t.Fatalf("ParseEndpoint with no service = %v want ErrInvalidID", err)
	}
}

func TestParseEndpointsDuplicates(t *testing.T) {
	_, err := discovery.ParseEndpoints("api", "10.0.0.1:80", "10.0.0.2:80", "10.0.0.1:80")
	if !errors.Is(err, discovery.ErrDuplicateID) || !strings.Contains(err.Error(), "#3") || !strings.Contains(err.Error(), "#1") {
		t.Fatalf("ParseEndpoints(dup) = %v want ErrDuplicateID naming #3 and #1", err)
	}
	list, err := discovery.ParseEndpoints("api", "10.0.0.1:80;id=a", "10.0.0.1:80;id=b")
	if err != nil || len(list) != 2 {
		t.Fatalf("ParseEndpoints(same address, distinct ids) = %v, %v", list, err)
	}
}
