package errcode

import (
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
)

// A Registry maps business codes to their Definitions. Lookups read an
// immutable snapshot without locking; Register copies it (copy-on-write), so
// a Registry suits its usual life: filled at start-up, read on every error.
//
// The zero value is an empty Registry ready to use. A Registry is safe for
// concurrent use. Most programs use the process-wide Default registry
// through the package-level functions (Register, New, ...).
type Registry struct {
	mu   sync.Mutex // serialises writers
	defs atomic.Pointer[map[int]Definition]
}

var defaultRegistry Registry

// Default returns the process-wide registry that the package-level
// functions use.
func Default() *Registry { return &defaultRegistry }

// Register adds d after validating it (see Definition.Validate) and filling
// in a zero GRPC or HTTP from the other. It rejects a code that is already
// registered with an error matching ErrDuplicateCode; the registry is left
// unchanged on error.
func (r *Registry) Register(d Definition) error {
	if err := d.Validate(); err != nil {
		return err
	}
	d = d.normalized()
	r.mu.Lock()
	defer r.mu.Unlock()
	old := r.snapshot()
	if prev, ok := old[d.Code]; ok {
		return &detailedError{
			msg:      fmt.Sprintf("errcode: code %d (%s) is already registered as %q", d.Code, d.Name, prev.Name),
			sentinel: ErrDuplicateCode,
		}
	}
	next := make(map[int]Definition, len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[d.Code] = d
	r.defs.Store(&next)
	return nil
}

func (r *Registry) snapshot() map[int]Definition {
	if m := r.defs.Load(); m != nil {
		return *m
	}
	return nil
}

// Lookup returns the definition registered for code, with its GRPC and HTTP
// filled in, and whether there is one.
func (r *Registry) Lookup(code int) (Definition, bool) {
	d, ok := r.snapshot()[code]
	return d, ok
}

// Definitions returns every registered definition, ordered by code.
func (r *Registry) Definitions() []Definition {
	m := r.snapshot()
	out := make([]Definition, 0, len(m))
	for _, d := range m {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// definition returns code's definition, or for an unregistered code one
// that maps to Internal/500 and counts as a dependency failure, so that a
// forgotten registration fails safe: nothing is hidden from breakers.
func (r *Registry) definition(code int) Definition {
	if d, ok := r.Lookup(code); ok {
		return d
	}
	return unknownDefinition(code)
}

func unknownDefinition(code int) Definition {
	return Definition{Code: code, GRPC: GRPCInternal, HTTP: 500, DependencyFailure: true}
}

// New returns an error with code and its definition's Message, formatted
// with args as by fmt.Sprintf when args are given. An unregistered code
// gives an error mapped to Internal/500 that counts as a dependency failure.
func (r *Registry) New(code int, args ...any) *Error {
	d := r.definition(code)
	msg := d.Message
	if msg == "" {
		msg = d.Title
	}
	if len(args) > 0 {
		msg = fmt.Sprintf(msg, args...)
	}
	return &Error{Code: code, Message: msg, def: d}
}

// Newf returns an error with code and the client-safe message
// fmt.Sprintf(format, args...).
func (r *Registry) Newf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), def: r.definition(code)}
}

// Wrap is New(code, args...).WithCause(cause): the cause stays on the
// server, visible to errors.Is and errors.As but never sent to clients.
func (r *Registry) Wrap(cause error, code int, args ...any) *Error {
	e := r.New(code, args...)
	e.cause = cause
	return e
}

// Register adds d to the Default registry; see Registry.Register.
func Register(d Definition) error { return defaultRegistry.Register(d) }

// Lookup returns code's definition in the Default registry.
func Lookup(code int) (Definition, bool) { return defaultRegistry.Lookup(code) }

// New returns an error with code from the Default registry; see
// Registry.New.
func New(code int, args ...any) *Error { return defaultRegistry.New(code, args...) }

// Newf returns an error with code from the Default registry and a formatted
// message; see Registry.Newf.
func Newf(code int, format string, args ...any) *Error {
	return defaultRegistry.Newf(code, format, args...)
}

// Wrap returns an error with code from the Default registry wrapping the
// internal cause; see Registry.Wrap.
func Wrap(cause error, code int, args ...any) *Error {
	return defaultRegistry.Wrap(cause, code, args...)
}
