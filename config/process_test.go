package config_test

import (
	"strings"
	"testing"

	"github.com/resilience-go/resilience/config"
)

func TestParseByteSize(t *testing.T) {
	tests := []struct {
		in   string
		want config.ByteSize
		err  string // a part of the error; "" for none
	}{
		{in: "0", want: 0},
		{in: "67108864", want: 64 << 20},
		{in: "64MiB", want: 64 << 20},
		{in: " 64 MiB ", want: 64 << 20},
		{in: "1.5GiB", want: 3 << 29},
		{in: "512KiB", want: 512 << 10},
		{in: "2TiB", want: 2 << 40},
		{in: "500MB", want: 500e6},
		{in: "1.5GB", want: 1.5e9},
		{in: "4kB", want: 4000},
		{in: "100B", want: 100},
		{in: "none", want: config.NoMemoryLimit},
		{in: "-1", err: "negative"},
		{in: "-2MiB", err: "negative"},
		{in: "64mb", err: "want bytes"},
		{in: "MiB", err: "want bytes"},
		{in: "", err: "want bytes"},
		{in: "1e9", err: "want bytes"},
		{in: "0x10", err: "want bytes"},
		{in: "NaN", err: "want bytes"},
		{in: "Inf", err: "want bytes"},
		{in: "9999999TiB", err: "too large"},
		{in: "9223372036854775808", err: "too large"},
	}
	for _, tt := range tests {
		got, err := config.ParseByteSize(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d, nil", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseByteSize(%q) = %d, %v; want an error with %q", tt.in, got, err, tt.err)
		}
	}
}

func TestByteSizeString(t *testing.T) {
	tests := []struct {
		in   config.ByteSize
		want string
	}{
		{0, "0"}, {1500, "1500"}, {1024, "1KiB"}, {64 << 20, "64MiB"}, {3 << 29, "1536MiB"},
		{1 << 40, "1TiB"}, {config.NoMemoryLimit, "none"}, {-5, "-5"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("ByteSize(%d).String() = %q want %q", int64(tt.in), got, tt.want)
		}
		if tt.in >= 0 || tt.in == config.NoMemoryLimit {
			back, err := config.ParseByteSize(tt.in.String())
			if err != nil || back != tt.in {
				t.Errorf("ParseByteSize(%q) = %d, %v; want %d back", tt.in.String(), back, err, int64(tt.in))
			}
		}
	}
}

func TestProcessMemoryLimit(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       config.ByteSize
		err        string
	}{
		{name: "omitted means automatic", yaml: "", want: 0},
		{name: "with a unit", yaml: "process: {memory_limit: 48MiB}\n", want: 48 << 20},
		{name: "bytes", yaml: "process: {memory_limit: 33554432}\n", want: 32 << 20},
		{name: "none", yaml: "process: {memory_limit: none}\n", want: config.NoMemoryLimit},
		{name: "too small", yaml: "process: {memory_limit: 1MiB}\n",
			err: "t.yaml:8:25: process.memory_limit: 1MiB is below the minimum 16MiB"},
		{name: "not a size", yaml: "process: {memory_limit: lots}\n",
			err: "t.yaml:8:25: process.memory_limit:"},
		{name: "unknown key", yaml: "process: {memory: 1GiB}\n", err: "process.memory: unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Parse("t.yaml", []byte(withPolicies("      timeout: 1s\n")+tt.yaml))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Parse = %v; want an error with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if c.Process.MemoryLimit != tt.want {
				t.Errorf("memory_limit = %d want %d", c.Process.MemoryLimit, tt.want)
			}
			// The value survives the round trip through YAML (the /config
			// page and Clone) and is part of Diff.
			js, err := c.JSON()
			if err != nil || !strings.Contains(string(js), `"memory_limit": "`+tt.want.String()+`"`) {
				t.Errorf("JSON() = %s, %v; want memory_limit %q", js, err, tt.want.String())
			}
			if d := config.Diff(c, c.Clone()); !d.Empty() {
				t.Errorf("Diff(c, c.Clone()) = %+v, want empty", d)
			}
			other := c.Clone()
			other.Process.MemoryLimit = 100 << 20
			if d := config.Diff(c, other); !d.Process || d.Empty() {
				t.Errorf("Diff after changing memory_limit = %+v, want Process", d)
			}
		})
	}
}

func FuzzParseByteSize(f *testing.F) {
	for _, s := range []string{"64MiB", "1.5GB", "none", "-1", "1e9", " 7 KiB", "9999999TiB", "0.0000001B"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := config.ParseByteSize(s)
		if err != nil {
			return
		}
		if b < 0 && b != config.NoMemoryLimit {
			t.Fatalf("ParseByteSize(%q) = %d: negative", s, b)
		}
		back, err := config.ParseByteSize(b.String())
		if err != nil || back != b {
			t.Fatalf("ParseByteSize(%q) = %d; its String %q parses to %d, %v", s, b, b.String(), back, err)
		}
	})
}

// TestEtcdEndpointsValidatedAsTheRegistryDoes: an endpoint that
// discovery/etcd would refuse is reported at its line, not when the proxy
// starts.
func TestEtcdEndpointsValidatedAsTheRegistryDoes(t *testing.T) {
	for _, tt := range []struct{ ep, want string }{
		{"unix:///run/etcd.sock", `scheme "unix" is not http or https`},
		{"http://", "no host"},
		{"http://127.0.0.1:2379", ""},
		{"10.0.0.5:2379", ""},
	} {
		yaml := "listeners: [{name: public}]\nroutes: [{name: r, cluster: c}]\n" +
			"clusters: [{name: c, discovery: {etcd: {service: s, endpoints: [\"" + tt.ep + "\"]}}}]\n"
		_, err := config.Parse("e.yaml", []byte(yaml))
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("endpoint %q: Parse = %v, want it accepted", tt.ep, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), "clusters[0].discovery.etcd.endpoints[0]") || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("endpoint %q: Parse = %v, want an error at endpoints[0] with %q", tt.ep, err, tt.want)
		}
	}
}
