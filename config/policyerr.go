package config

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// validatable is what every policy package's Config implements.
type validatable interface{ Validate() error }

// maxPolicyErrors bounds the errors drawn from one policy's Validate.
const maxPolicyErrors = 16

// policy reports every problem that cfg's Validate finds, each at the
// YAML path of the field it names. A package's Validate stops at its
// first problem, which names the field in Go ("circuitbreaker:
// FailureRateThreshold 150 must be in (0, 100] or 0 (off)"); policy maps
// that name to its YAML key, resets the field to its zero value (which
// every package documents as valid: its default) in a copy, and asks
// again, until Validate passes or names no new leaf field. cfg is a
// pointer to the Config.
func (v *validator) policy(path string, cfg any) {
	cur := clone(reflect.ValueOf(cfg).Elem())
	seen := map[string]bool{}
	for range maxPolicyErrors {
		err := cur.Addr().Interface().(validatable).Validate()
		if err == nil {
			return
		}
		r := resolveMessage(cur, err.Error())
		p := join(path, r.path)
		if seen[p] {
			return
		}
		seen[p] = true
		v.errf(p, "%s", r.msg)
		if !r.field.IsValid() || !r.field.CanSet() || !isLeaf(r.field.Type()) {
			return
		}
		r.field.SetZero()
	}
}

// isLeaf reports whether a field of type t holds one value: resetting it
// cannot hide problems of other fields.
func isLeaf(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Map, reflect.Pointer, reflect.Interface, reflect.Array:
		return false
	}
	return true
}

// resolved is a Validate message mapped onto YAML.
type resolved struct {
	path  string        // YAML path relative to the config, "" if unknown
	field reflect.Value // the field named, when found
	msg   string        // the message without package prefix and field
}

var (
	pkgPrefix = regexp.MustCompile(`^(?:[a-z][a-z0-9]*: )+`)
	goPathRe  = regexp.MustCompile(`[A-Z][A-Za-z0-9]*(?:\[\d+\])?(?:\.[A-Z][A-Za-z0-9]*(?:\[\d+\])?)*`)
)

// stripPackage removes "pkg: " prefixes from a message.
func stripPackage(msg string) string { return pkgPrefix.ReplaceAllString(msg, "") }

// resolveMessage finds the field a Validate message of root's type is
// about: the Go path at the start of the message (after the package
// prefixes), or else the first one in it that names a field. Go names in
// the rest of the message are replaced by their YAML keys.
func resolveMessage(root reflect.Value, msg string) resolved {
	msg = stripPackage(msg)
	var out resolved
	base := root
	for {
		loc := goPathRe.FindStringIndex(msg)
		if loc == nil || loc[0] != 0 {
			break
		}
		f, yp, ok := lookupValue(base, msg[:loc[1]])
		if !ok {
			break
		}
		out.path = join(out.path, yp)
		out.field = f
		rest := msg[loc[1]:]
		// "Breaker: circuitbreaker: WindowSize -1 ..." continues inside
		// a nested config.
		if f.Kind() == reflect.Struct && f.Type() != durationType && strings.HasPrefix(rest, ": ") {
			base, msg = f, stripPackage(rest[2:])
			continue
		}
		out.msg = translate(base, f, strings.TrimLeft(rest, " :"))
		return out
	}
	if out.field.IsValid() {
		out.msg = translate(base, out.field, msg)
		return out
	}
	// The field is named later in the message.
	for _, loc := range goPathRe.FindAllStringIndex(msg, -1) {
		if f, yp, ok := lookupValue(base, msg[loc[0]:loc[1]]); ok {
			out.path, out.field = yp, f
			break
		}
	}
	out.msg = translate(base, out.field, msg)
	return out
}

// lookupValue resolves a Go path ("Backoff.Max", "Faults[1].Kind") in v,
// returning the field and its YAML path. A first segment that is not a
// field is skipped: BudgetConfig.Validate says "Budget.Ratio".
func lookupValue(v reflect.Value, goPath string) (reflect.Value, string, bool) {
	if f, yp, ok := walkValue(v, goPath); ok {
		return f, yp, true
	}
	if _, rest, found := strings.Cut(goPath, "."); found {
		return walkValue(v, rest)
	}
	return reflect.Value{}, "", false
}

func walkValue(v reflect.Value, goPath string) (reflect.Value, string, bool) {
	var yp string
	for seg := range strings.SplitSeq(goPath, ".") {
		name, idx, hasIdx := strings.Cut(seg, "[")
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, "", false
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, "", false
		}
		fi := infoOf(v.Type()).byGo[name]
		if fi == nil {
			return reflect.Value{}, "", false
		}
		v = v.FieldByIndex(fi.index)
		yp = join(yp, fi.key)
		if hasIdx {
			i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
			if err != nil || v.Kind() != reflect.Slice || i < 0 || i >= v.Len() {
				return reflect.Value{}, "", false
			}
			v = v.Index(i)
			yp = index(yp, i)
		}
	}
	return v, yp, true
}

// translate replaces the Go field names in msg by their YAML keys,
// looking each up next to field (in the struct holding it) and then in
// root: "must be >= Backoff.Initial 1s" → "must be >= backoff.initial 1s".
func translate(root, field reflect.Value, msg string) string {
	// Quoted values are the user's, not field names: leave them.
	var b strings.Builder
	last := 0
	for _, loc := range quotedRe.FindAllStringIndex(msg, -1) {
		b.WriteString(translateNames(root, field, msg[last:loc[0]]))
		b.WriteString(msg[loc[0]:loc[1]])
		last = loc[1]
	}
	b.WriteString(translateNames(root, field, msg[last:]))
	return b.String()
}

var quotedRe = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

func translateNames(root, field reflect.Value, msg string) string {
	return goPathRe.ReplaceAllStringFunc(msg, func(goPath string) string {
		if field.IsValid() {
			if field.Kind() == reflect.Struct {
				if _, yp, ok := walkValue(field, goPath); ok {
					return yp
				}
			}
			if _, yp, ok := walkValue(parentStruct(root, field), goPath); ok {
				return yp
			}
		}
		if _, yp, ok := lookupValue(root, goPath); ok {
			return yp
		}
		return goPath
	})
}

// parentStruct returns the struct within root that holds field, or root.
func parentStruct(root, field reflect.Value) reflect.Value {
	var found reflect.Value
	var walk func(v reflect.Value) bool
	walk = func(v reflect.Value) bool {
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				f := v.Field(i)
				if f.Type() == field.Type() && f.CanAddr() && field.CanAddr() &&
					f.Addr().UnsafePointer() == field.Addr().UnsafePointer() {
					found = v
					return true
				}
				if walk(f) {
					return true
				}
			}
		case reflect.Slice:
			for i := range v.Len() {
				if walk(v.Index(i)) {
					return true
				}
			}
		}
		return false
	}
	if walk(root) {
		return found
	}
	return root
}
