package config

import (
	"reflect"
	"strings"
	"sync"
)

// fieldInfo is one YAML key of a struct type.
type fieldInfo struct {
	key    string       // the yaml key
	goName string       // the Go field name
	index  []int        // for reflect.Value.FieldByIndex
	typ    reflect.Type // the field's type
}

// typeInfo lists the YAML keys of a struct type, inline structs expanded.
type typeInfo struct {
	byKey map[string]*fieldInfo
	byGo  map[string]*fieldInfo
	keys  []string // in declaration order
}

var typeInfos sync.Map // reflect.Type → *typeInfo

// infoOf returns the keys of struct type t: fields tagged yaml:"-" and
// unexported fields are left out, fields tagged ",inline" are expanded.
func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := typeInfos.Load(t); ok {
		return ti.(*typeInfo)
	}
	ti := &typeInfo{byKey: map[string]*fieldInfo{}, byGo: map[string]*fieldInfo{}}
	collectFields(ti, t, nil)
	typeInfos.Store(t, ti)
	return ti
}

func collectFields(ti *typeInfo, t reflect.Type, prefix []int) {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		index := append(append([]int(nil), prefix...), i)
		if opts == "inline" && f.Type.Kind() == reflect.Struct {
			collectFields(ti, f.Type, index)
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if _, dup := ti.byKey[name]; dup {
			continue // the outer struct's field wins, as in yaml.v3
		}
		fi := &fieldInfo{key: name, goName: f.Name, index: index, typ: f.Type}
		ti.byKey[name] = fi
		ti.byGo[f.Name] = fi
		ti.keys = append(ti.keys, name)
	}
}

// join appends a key to a field path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// parentPath returns the path of the block holding path: "a.b[2].c" →
// "a.b[2]" → "a.b" → "a" → "".
func parentPath(path string) string {
	if strings.HasSuffix(path, "]") {
		if i := strings.LastIndexByte(path, '['); i >= 0 {
			return path[:i]
		}
		return ""
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}
