package config

import (
	"testing"

	"github.com/resilience-go/resilience/discovery"
)

func TestDecodeInstancesYAML(t *testing.T) {
	yml := []byte(`
- id: a
  address: 10.0.0.1
  port: 8080
  weight: 3
  zone: eu-1
  metadata: {version: v2}
- id: b
  address: 10.0.0.2
  port: 8081
`)
	got, err := DecodeInstancesYAML(yml)
	if err != nil {
		t.Fatalf("DecodeInstancesYAML = %v", err)
	}
	if len(got) != 2 || got[0].ID != "a" || got[0].Port != 8080 || got[0].Weight != 3 || got[0].Zone != "eu-1" ||
		got[0].Metadata["version"] != "v2" || got[1].Address != "10.0.0.2" {
		t.Fatalf("DecodeInstancesYAML = %+v", got)
	}
	// The same document in JSON decodes to the same instances.
	fromJSON, err := discovery.DecodeJSON([]byte(`[{"id":"a","address":"10.0.0.1","port":8080,"weight":3,"zone":"eu-1","metadata":{"version":"v2"}},{"id":"b","address":"10.0.0.2","port":8081}]`))
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if !got[i].Equal(fromJSON[i]) {
			t.Fatalf("instance %d: YAML %+v JSON %+v", i, got[i], fromJSON[i])
		}
	}
}

func TestDecodeInstancesYAMLErrors(t *testing.T) {
	for name, in := range map[string]string{
		"not yaml":    "- id: [unclosed",
		"unknown key": "- id: a\n  address: 10.0.0.1\n  port: 1\n  colour: red\n",
		"wrong type":  "- id: a\n  address: 10.0.0.1\n  port: eighty\n",
	} {
		if _, err := DecodeInstancesYAML([]byte(in)); err == nil {
			t.Errorf("%s: DecodeInstancesYAML(%q) = nil error", name, in)
		}
	}
}

func TestDecoderFor(t *testing.T) {
	if DecoderFor("instances.yaml") == nil || DecoderFor("x/INSTANCES.YML") == nil {
		t.Fatal("DecoderFor(.yaml/.yml) = nil")
	}
	if DecoderFor("instances.json") != nil {
		t.Fatal("DecoderFor(.json) must leave discovery's JSON default")
	}
}
