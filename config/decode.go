package config

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// position is a place in the file, 1-based.
type position struct{ line, col int }

// decoder walks a YAML node tree onto Go values, field by field, so that
// it knows the position of every value it sets and reports every problem
// rather than the first. Values start from their defaults (see
// newDefault), so a key the file leaves out keeps its default and a key
// it writes, zero included, wins.
type decoder struct {
	file string
	errs []Error
	// pos maps each path the file writes to the position to report for
	// it: the value for a scalar, the key for a block.
	pos map[string]position
	// nodes counts down the nodes visited, so that aliases cannot make the
	// walk explode ("billion laughs").
	nodes int
}

// maxNodes bounds the nodes visited, aliases expanded.
const maxNodes = 1 << 20

var (
	durationType        = reflect.TypeFor[time.Duration]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func newDecoder(file string) *decoder {
	return &decoder{file: file, pos: map[string]position{}, nodes: maxNodes}
}

func (d *decoder) errAt(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, Error{File: d.file, Line: n.Line, Column: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)})
}

// resolve follows aliases and counts the node against the budget; it
// returns nil when the budget is spent.
func (d *decoder) resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n == nil {
		return nil
	}
	d.nodes--
	if d.nodes == 0 {
		d.errAt(n, "", "document too large or too deeply aliased")
	}
	if d.nodes <= 0 {
		return nil
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// decode sets v, an addressable value, from n.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	if n = d.resolve(n); n == nil {
		return
	}
	if isNull(n) {
		// null means "not written": pointers, slices and maps become nil,
		// everything else keeps its default.
		switch v.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			v.SetZero()
		}
		return
	}
	t := v.Type()
	switch {
	case t == durationType:
		d.duration(n, v, path)
		return
	case t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(textUnmarshalerType):
		if !d.scalar(n, path, "a name") {
			return
		}
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(n.Value)); err != nil {
			d.errAt(n, path, "%s", stripPackage(err.Error()))
		}
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(newDefault(t.Elem()).Addr())
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.structure(n, v, path)
	case reflect.Slice:
		d.sequence(n, v, path)
	case reflect.Map:
		d.mapping(n, v, path)
	case reflect.String:
		if d.scalar(n, path, "a string") {
			v.SetString(n.Value)
		}
	case reflect.Bool:
		if d.scalar(n, path, "true or false") {
			var b bool
			if n.Decode(&b) != nil {
				d.errAt(n, path, "%s is not true or false", quoteValue(n))
				return
			}
			v.SetBool(b)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		d.number(n, v, path)
	default:
		d.errAt(n, path, "cannot be set from YAML (%s)", t)
	}
}

// scalar reports whether n is a scalar, recording an error when not.
func (d *decoder) scalar(n *yaml.Node, path, want string) bool {
	if n.Kind == yaml.ScalarNode {
		return true
	}
	d.errAt(n, path, "expected %s, got %s", want, kindName(n))
	return false
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return "the value " + quoteValue(n)
	}
	return "nothing"
}

// quoteValue shows a scalar as the file wrote it: plain numbers bare,
// anything else quoted.
func quoteValue(n *yaml.Node) string {
	if n.Style == 0 && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
		return n.Value
	}
	return strconv.Quote(n.Value)
}

// number decodes an integer or floating-point scalar. An integer field
// takes only integers: YAML would truncate 1.5 to 1.
func (d *decoder) number(n *yaml.Node, v reflect.Value, path string) {
	isFloat := v.Kind() == reflect.Float32 || v.Kind() == reflect.Float64
	want := "an integer"
	if isFloat {
		want = "a number"
	}
	if !d.scalar(n, path, want) {
		return
	}
	tag := n.ShortTag()
	if (tag == "!!int" || (isFloat && tag == "!!float")) && n.Decode(v.Addr().Interface()) == nil {
		return
	}
	switch {
	case tag == "!!float" && !isFloat && strings.ContainsAny(n.Value, ".eEnN"):
		d.errAt(n, path, "%s is not an integer", n.Value)
	case tag == "!!int" || tag == "!!float":
		d.errAt(n, path, "%s is out of range for %s", n.Value, v.Type())
	default:
		d.errAt(n, path, "expected %s, got %s", want, quoteValue(n))
	}
}

func (d *decoder) duration(n *yaml.Node, v reflect.Value, path string) {
	if !d.scalar(n, path, `a duration such as "250ms" or "5s"`) {
		return
	}
	dur, err := time.ParseDuration(n.Value)
	if err == nil {
		v.SetInt(int64(dur))
		return
	}
	if _, nerr := strconv.ParseFloat(n.Value, 64); nerr == nil {
		d.errAt(n, path, "%s is not a duration: add a unit, as in \"%ss\" or \"%sms\"", n.Value, n.Value, n.Value)
		return
	}
	d.errAt(n, path, "%s is not a duration such as \"250ms\", \"5s\" or \"1m30s\"", strconv.Quote(n.Value))
}

func (d *decoder) sequence(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.errAt(n, path, "expected a list, got %s", kindName(n))
		return
	}
	if len(n.Content) == 0 {
		v.SetZero() // nil, like a list left out: YAML writes both as []
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		p := path + "[" + strconv.Itoa(i) + "]"
		d.record(item, nil, p)
		s.Index(i).Set(newDefault(v.Type().Elem()))
		d.decode(item, s.Index(i), p)
	}
	v.Set(s)
}

func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errAt(n, path, "expected a mapping, got %s", kindName(n))
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		d.errAt(n, path, "cannot be set from YAML (%s)", v.Type())
		return
	}
	m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
	for _, kv := range d.pairs(n, path) {
		p := path + "[" + strconv.Quote(kv.key.Value) + "]"
		d.record(kv.val, kv.key, p)
		elem := newDefault(v.Type().Elem())
		d.decode(kv.val, elem, p)
		m.SetMapIndex(reflect.ValueOf(kv.key.Value).Convert(v.Type().Key()), elem)
	}
	if m.Len() == 0 {
		m = reflect.Zero(v.Type())
	}
	v.Set(m)
}

// record remembers where path is written: at its value when that is a
// scalar, else at its key (or at the block itself for a list item).
func (d *decoder) record(val, key *yaml.Node, path string) {
	at := val
	if key != nil {
		r := val
		for r != nil && r.Kind == yaml.AliasNode {
			r = r.Alias
		}
		if r == nil || r.Kind != yaml.ScalarNode {
			at = key
		}
	}
	d.pos[path] = position{at.Line, at.Column}
}
