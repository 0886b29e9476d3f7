package etcd

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/discovery"
)

// Lookup lists service's instances, sorted by ID. Entries that do not decode
// as valid instances of service are skipped (and reported to the
// Listener). An etcd that does not answer within OpTimeout gives
// ErrUnavailable.
func (r *Registry) Lookup(ctx context.Context, service string) ([]discovery.Instance, error) {
	if err := r.check(service); err != nil {
		return nil, err
	}
	set, _, err := r.list(ctx, service)
	return sorted(set), err
}

// check refuses a closed Registry and a service name that would reach
// outside its prefix.
func (r *Registry) check(service string) error {
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	if closed {
		return discovery.ErrClosed
	}
	if service == "" || strings.ContainsFunc(service, func(c rune) bool {
		return c == '/' || unicode.IsSpace(c) || unicode.IsControl(c)
	}) {
		return fmt.Errorf("etcd: service %s must be non-empty, without '/', spaces or control characters: %w",
			strconv.Quote(service), discovery.ErrInvalidID)
	}
	return nil
}

// list reads service's entries and the revision they were read at.
func (r *Registry) list(ctx context.Context, service string) (map[string]discovery.Instance, int64, error) {
	opCtx, cancel := r.op(ctx)
	defer cancel()
	resp, err := r.cli.rangePrefix(opCtx, r.servicePrefix(service))
	if err != nil {
		return nil, 0, r.wrap(ctx, opCtx, "lookup "+strconv.Quote(service), err)
	}
	set := make(map[string]discovery.Instance, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		if inst, ok := r.decode(service, kv.Key, kv.Value); ok {
			set[string(kv.Key)] = inst
		}
	}
	return set, int64(resp.Header.Revision), nil
}

// decode turns an entry into an instance of service, or reports why not.
func (r *Registry) decode(service string, key, value []byte) (discovery.Instance, bool) {
	inst, err := discovery.DecodeInstance(value)
	if err == nil {
		if want := r.key(inst.Service, inst.ID); inst.Service != service || want != string(key) {
			err = fmt.Errorf("etcd: entry %q holds instance %q of service %q, which belongs at %s", key, inst.ID, inst.Service, want)
		}
	}
	if err != nil {
		r.emit(resilience.EventFailure, fmt.Errorf("etcd: skipped entry %q: %w", key, err), "skipped an invalid entry")
		return discovery.Instance{}, false
	}
	return inst, true
}

func sorted(set map[string]discovery.Instance) []discovery.Instance {
	if len(set) == 0 {
		return nil
	}
	out := make([]discovery.Instance, 0, len(set))
	for _, inst := range set {
		out = append(out, inst)
	}
	slices.SortFunc(out, func(a, b discovery.Instance) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
