// Package discovery finds the instances of a service: a registry that
// instances join and leave, watchers that follow a service's instance set,
// and sources that read it from code, a file or DNS, with a cache that
// keeps serving the last known good set when a source fails.
//
// # Model
//
// An Instance is one endpoint: ID, Service, Address (host or IP), Port,
// Weight, Zone, Version, Health and Metadata. Instance.Validate rejects
// malformed ones with errors naming the field and matching
// ErrInvalidInstance; the zero Weight means 1.
//
// A Source answers Lookup(ctx, service) with the current set, sorted by
// ID, and Watch(ctx, service) with a Watcher. A Registry is a Source with
// Register and Deregister; an ID identifies one instance in a registry and
// registering it twice is ErrDuplicateID. Memory (NewMemory) is the
// in-process Registry; the etcd registry lives in the package
// github.com/resilience-go/resilience/discovery/etcd.
//
// # Watching
//
// A Watcher's Next returns full snapshots (Update) with a Version that
// grows by one per change. A set equal to the last one is never delivered
// twice, and there is no queue: a slow consumer's next Next returns the
// latest set, skipping what it missed, so memory stays bounded. Watchers
// end on Close, when the ctx given to Watch ends, or when their source is
// closed; then Next returns ErrClosed and every goroutine they started has
// ended. Feed is the building block behind every Watch here, exported for
// adapters.
//
// # Sources
//
//   - Static (direct mode): fixed "host:port" endpoints from code or
//     configuration, parsed by ParseEndpoint with precise errors
//     ("10.0.0.1:8080;weight=2;zone=eu-1a"). SetHealth lets a checker mark
//     them up or down.
//   - File: a JSON list of instances (or any format through a Decode hook,
//     such as YAML), checked every Interval by modification time, size and
//     file identity, reloaded when its content hash changed. A file that
//     stops parsing keeps the last good set; Err and Stats report why.
//   - DNS: A/AAAA records of a name with a port, or SRV records with their
//     own ports and weights, resolved every Refresh through an injectable
//     Resolver (net.Resolver by default). A failed refresh keeps the last
//     good set.
//   - Cache (LastKnownGood): wraps any Source, bounds every call to it with
//     a timeout, serves the last known good set when it fails, and reports
//     staleness (Stale) with the time since the source last answered.
//   - HybridSource (Hybrid): direct endpoints while any is healthy, a
//     registry otherwise.
//
// A typical client stacks them:
//
//	seeds, _ := discovery.Static("api", "10.0.0.1:8080", "10.0.0.2:8080")
//	src := discovery.Hybrid(seeds, discovery.LastKnownGood(etcdRegistry))
//	instances, err := src.Lookup(ctx, "api")
//
// # Time, concurrency and defaults
//
// Every type is safe for concurrent use. Everything time-based (File
// checks, DNS refreshes, Cache timeouts, TTL and staleness) runs on the
// clock.Clock of its Config: tests drive it with clock.NewManual and never
// sleep. Periodic checks run on the clock's timers, so no goroutine waits
// between them; Close stops them and waits for one in progress. Configs
// document their zero values; Validate names the offending field. Events
// (resilience.Event with Policy "discovery") report failed refreshes,
// last-known-good fallbacks and stale/fresh and direct/registry switches.
//
// Most callers want a Cache's Lookup, or Watch to keep a balancer's set up
// to date.
package discovery
