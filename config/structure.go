package config

import (
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// pair is one key and its value in a mapping.
type pair struct{ key, val *yaml.Node }

// maxMergeDepth bounds merge keys nested through aliases.
const maxMergeDepth = 16

// pairs returns the key/value pairs of mapping n with merge keys ("<<:
// *base") expanded the YAML way: the mapping's own keys win over merged
// ones, and an earlier merged mapping over a later one. Keys must be
// strings, and the mapping's own keys unique.
func (d *decoder) pairs(n *yaml.Node, path string) []pair {
	return d.collect(n, path, map[string]*yaml.Node{}, nil, 0)
}

func (d *decoder) collect(n *yaml.Node, path string, taken map[string]*yaml.Node, out []pair, depth int) []pair {
	own := depth == 0
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			merges = append(merges, v)
			continue
		}
		if rk := d.resolve(k); rk == nil || rk.Kind != yaml.ScalarNode {
			if own {
				d.errAt(k, path, "keys must be strings, got %s", kindName(k))
			}
			continue
		} else {
			k = rk
		}
		if first, dup := taken[k.Value]; dup {
			if own {
				d.errAt(k, join(path, k.Value), "repeated key (first at line %d)", first.Line)
			}
			continue
		}
		taken[k.Value] = k
		out = append(out, pair{k, v})
	}
	if depth >= maxMergeDepth && len(merges) > 0 {
		d.errAt(merges[0], path, "merge keys (<<) nested too deeply")
		return out
	}
	for _, m := range merges {
		if m = d.resolve(m); m == nil {
			continue
		}
		switch m.Kind {
		case yaml.MappingNode:
			out = d.collect(m, path, taken, out, depth+1)
		case yaml.SequenceNode:
			for _, e := range m.Content {
				if e = d.resolve(e); e == nil {
					continue
				}
				if e.Kind != yaml.MappingNode {
					d.errAt(e, path, "merge (<<) takes a mapping or a list of mappings, got %s", kindName(e))
					continue
				}
				out = d.collect(e, path, taken, out, depth+1)
			}
		default:
			d.errAt(m, path, "merge (<<) takes a mapping or a list of mappings, got %s", kindName(m))
		}
	}
	return out
}

// structure decodes a mapping onto the struct v: each key onto its field,
// unknown keys reported with a suggestion. A scalar or a list is accepted
// where the type has a shorthand for it.
func (d *decoder) structure(n *yaml.Node, v reflect.Value, path string) {
	ti := infoOf(v.Type())
	if n.Kind != yaml.MappingNode {
		key := shorthandKey(v.Type(), n.Kind)
		if key == "" {
			d.errAt(n, path, "expected a mapping, got %s", kindName(n))
			return
		}
		p := join(path, key)
		d.pos[p] = position{n.Line, n.Column}
		d.decode(n, v.FieldByIndex(ti.byKey[key].index), p)
		applyFixup(v, map[string]bool{key: true})
		return
	}
	written := map[string]bool{}
	for _, kv := range d.pairs(n, path) {
		key := kv.key.Value
		p := join(path, key)
		fi := ti.byKey[key]
		if fi == nil && path == "" && strings.HasPrefix(key, "x-") {
			continue // extension keys, a place for anchors
		}
		if fi == nil {
			d.errAt(kv.key, p, "unknown field%s", suggestion(key, ti.keys))
			continue
		}
		written[key] = true
		d.record(kv.val, kv.key, p)
		d.decode(kv.val, v.FieldByIndex(fi.index), p)
	}
	applyFixup(v, written)
}

// suggestion returns ", did you mean "x"?" for the known key closest to
// key, or the list of known keys when none is close and they are few.
func suggestion(key string, known []string) string {
	if s := didYouMean(key, known); s != "" {
		return s
	}
	if len(known) <= 12 {
		return " (known fields: " + strings.Join(known, ", ") + ")"
	}
	return ""
}
