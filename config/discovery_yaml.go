package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/resilience-go/resilience/discovery"
)

// DecodeInstancesYAML decodes a discovery file written in YAML: the same
// document as discovery.DecodeJSON reads (a list of instances, or an object
// holding one), with the same keys. The discovery package is std-only and
// cannot read YAML itself; pass this function as discovery.FileConfig's
// Decode hook, or use DecoderFor. The YAML is converted to JSON and decoded
// by discovery.DecodeJSON, so both formats are validated by one decoder.
func DecodeInstancesYAML(data []byte) ([]discovery.Instance, error) {
	var doc any
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("config: discovery YAML: %w", err)
	}
	js, err := json.Marshal(jsonable(doc))
	if err != nil {
		return nil, fmt.Errorf("config: discovery YAML: %w", err)
	}
	return discovery.DecodeJSON(js)
}

// DecoderFor returns the Decode hook for a discovery file: YAML for the
// .yaml and .yml extensions, nil (discovery's JSON default) otherwise.
func DecoderFor(path string) func([]byte) ([]discovery.Instance, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return DecodeInstancesYAML
	}
	return nil
}

// jsonable turns the map[string]any and map[any]any values YAML produces
// into values encoding/json can marshal.
func jsonable(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonable(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = jsonable(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = jsonable(e)
		}
		return x
	}
	return v
}
