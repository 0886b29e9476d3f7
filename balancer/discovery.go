package balancer

import (
	"context"
	"maps"

	"github.com/resilience-go/resilience/discovery"
)

// VersionKey is the Metadata key under which FromInstances files an
// instance's Version, so that rules can route by it:
// Rule{Subset: map[string]string{balancer.VersionKey: "v2"}}.
const VersionKey = "version"

// FromInstances converts discovery instances into the endpoints Update
// takes: ID, Weight and Zone carry over, Addr is Instance.HostPort, and
// Metadata is a copy of the instance's with its Version added under
// VersionKey (a "version" already in Metadata wins).
//
// Instances that may not receive calls are left out: those whose Health is
// not Usable (discovery.Unhealthy), and those Update would refuse (no
// Address, a Port outside 1..65535, a Weight outside 0..MaxWeight, an ID
// or, without ID, an address seen before in the list). Sources deliver
// valid instances, so in practice only unhealthy ones are dropped. The
// result never shares memory with instances.
func FromInstances(instances []discovery.Instance) []Endpoint {
	out := make([]Endpoint, 0, len(instances))
	seen := make(map[string]bool, len(instances))
	for _, in := range instances {
		if !in.Health.Usable() || in.Address == "" || in.Port < 1 || in.Port > 65535 ||
			in.Weight < 0 || in.Weight > MaxWeight {
			continue
		}
		e := Endpoint{ID: in.ID, Addr: in.HostPort(), Weight: in.Weight, Zone: in.Zone}
		if seen[e.key()] {
			continue
		}
		seen[e.key()] = true
		if len(in.Metadata) > 0 || in.Version != "" {
			e.Metadata = make(map[string]string, len(in.Metadata)+1)
			if in.Version != "" {
				e.Metadata[VersionKey] = in.Version
			}
			maps.Copy(e.Metadata, in.Metadata)
		}
		out = append(out, e)
	}
	return out
}

// Follow keeps b's endpoints in step with w: it applies every set w
// delivers, converted by FromInstances, with Update, which keeps the state
// (in-flight counts, latency estimates, ejections, health) of the
// endpoints that stay. An instance marked unhealthy by discovery leaves
// the balancer until it is usable again.
//
// Follow blocks until ctx ends, w ends or b is closed, and returns
// respectively ctx's cause, discovery.ErrClosed, or ErrClosed; it does not
// close w. When ctx ends, its cause is returned even if w, watching with
// the same ctx, ended first. Run it in its own goroutine:
//
//	w, err := registry.Watch(ctx, "api")
//	if err != nil {
//		return err
//	}
//	go balancer.Follow(ctx, b, w)
//
// Until the first set arrives, b keeps the endpoints it has (none after
// New, so picks fail with ErrNoEndpoint); Update it first with a Lookup's
// result to start with a set.
func Follow(ctx context.Context, b *Balancer, w discovery.Watcher) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(b.closing, func() { cancel(ErrClosed) })
	defer stop()
	for {
		u, err := w.Next(ctx)
		if err != nil {
			// A watcher made with the same ctx may notice its end first
			// and report ErrClosed: the ctx's end is the cause.
			if ctx.Err() != nil {
				return context.Cause(ctx)
			}
			return err
		}
		if err := b.Update(FromInstances(u.Instances)); err != nil {
			return err
		}
	}
}
