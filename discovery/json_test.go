package discovery_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/discovery"
)

func TestDecodeJSON(t *testing.T) {
	data := `[
	  {"id": "a", "service": "api", "address": "10.0.0.1", "port": 8080, "weight": 2, "zone": "z1",
	   "version": "v1", "health": "healthy", "metadata": {"pool": "blue"}},
	  {"id": "b", "address": "::1", "port": 9090}
	]`
	list, err := discovery.DecodeJSON([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Weight != 2 || list[0].Health != discovery.Healthy || list[0].Metadata["pool"] != "blue" ||
		list[1].Service != "" || list[1].Weight != 0 {
		t.Fatalf("DecodeJSON = %+v", list)
	}

	bad := []struct {
		name, data string
		want       error
		contains   string
	}{
		{"not-array", `{"id": "a"}`, discovery.ErrInvalidInstance, "cannot unmarshal"},
		{"unknown-field", `[{"id": "a", "adress": "10.0.0.1"}]`, discovery.ErrInvalidInstance, `unknown field "adress"`},
		{"trailing", `[] []`, discovery.ErrInvalidInstance, "data after the array"},
		{"truncated", `[{"id": "a"`, discovery.ErrInvalidInstance, "unexpected EOF"},
		{"weight-zero", `[{"id": "a", "weight": 0}]`, discovery.ErrInvalidWeight, "instance #1"},
		{"weight-negative", `[{"id": "x"}, {"id": "a", "weight": -5}]`, discovery.ErrInvalidWeight, "instance #2"},
		{"health-bad", `[{"id": "a", "health": "up"}]`, discovery.ErrInvalidHealth, `health "up"`},
		{"port-string", `[{"id": "a", "port": "80"}]`, discovery.ErrInvalidInstance, "port"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := discovery.DecodeJSON([]byte(tt.data))
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.contains) {
				t.Fatalf("DecodeJSON(%s) = %v want %v saying %q", tt.data, err, tt.want, tt.contains)
			}
		})
	}
}

func TestDecodeInstance(t *testing.T) {
	in := inst("a", 1)
	in.Health = discovery.Unhealthy
	in.Metadata = map[string]string{"k": "v"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := discovery.DecodeInstance(b)
	if err != nil || !got.Equal(in) {
		t.Fatalf("DecodeInstance(Marshal(x)) = %+v, %v want %+v", got, err, in)
	}
	// Readers ignore fields that newer writers add.
	got, err = discovery.DecodeInstance([]byte(`{"id":"a","service":"api","address":"10.0.0.1","port":1,"future":true}`))
	if err != nil || got.Weight != 1 {
		t.Fatalf("DecodeInstance(extra field) = %+v, %v want valid with Weight 1", got, err)
	}
	for _, bad := range []string{`{"id":"a","service":"api","address":"10.0.0.1","port":0}`, `{"id":"a"`, `{"id":"a","service":"api","address":"10.0.0.1","port":1,"weight":0}`} {
		if _, err := discovery.DecodeInstance([]byte(bad)); !errors.Is(err, discovery.ErrInvalidInstance) {
			t.Fatalf("DecodeInstance(%s) = %v want ErrInvalidInstance", bad, err)
		}
	}
}
