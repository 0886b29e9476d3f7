package config

import "reflect"

// Clone returns a deep copy of c: changing the copy's slices, maps and
// pointed-to blocks leaves c as it was.
func (c *Config) Clone() *Config {
	if c == nil {
		return nil
	}
	return clone(reflect.ValueOf(c).Elem()).Addr().Interface().(*Config)
}

// clone returns an addressable deep copy of v. Functions, channels and
// interfaces are copied as they are (a parsed Config holds none).
func clone(v reflect.Value) reflect.Value {
	out := reflect.New(v.Type()).Elem()
	copyInto(out, v)
	return out
}

func copyInto(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		dst.Set(clone(src.Elem()).Addr())
	case reflect.Struct:
		// Unexported fields cannot be set one by one: copy the whole
		// struct, then deep-copy the exported fields over it.
		if !allExported(src.Type()) {
			dst.Set(src)
		}
		for i := range src.NumField() {
			if dst.Field(i).CanSet() {
				copyInto(dst.Field(i), src.Field(i))
			}
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			copyInto(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		iter := src.MapRange()
		for iter.Next() {
			m.SetMapIndex(iter.Key(), clone(iter.Value()))
		}
		dst.Set(m)
	default:
		dst.Set(src)
	}
}

func allExported(t reflect.Type) bool {
	for i := range t.NumField() {
		if !t.Field(i).IsExported() {
			return false
		}
	}
	return true
}
