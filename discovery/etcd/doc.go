// Package etcd is a discovery.Registry on etcd v3, in a module of its own
// so that users of the discovery package never pull the etcd client into
// their builds.
//
// # Layout
//
// An instance of service S with ID I is stored at Prefix+S+"/"+I
// ("/services/api/api-1" by default) as the JSON of discovery.Instance.
// Any tool that writes that JSON can register instances; readers skip
// entries that do not decode and report them to the Listener.
//
// # Leases
//
// A Registry grants one lease (TTL, 10s by default) on its first Register
// and attaches every instance it registers to it; the etcd client renews it
// every TTL/3. A process that dies stops renewing, and etcd deletes its
// instances TTL later: dead processes disappear by themselves. Close revokes
// the lease, so a clean shutdown removes them at once. If the lease is lost
// while the process lives (etcd unreachable for longer than TTL), the
// Registry grants a new one and registers its instances again.
//
// # Watching without missing a change
//
// Watch reads the service's keys and the revision of that read, then
// watches the prefix from the next revision: every change after the read
// arrives, none is applied twice. When the watch cannot go on (its
// revision was compacted, the member lost its leader, the stream closed),
// the watcher lists the keys again and resumes from there. Watchers deliver
// full snapshots with growing versions (discovery.Watcher).
//
// # Failure
//
// Every request is bounded by OpTimeout and every connection attempt by
// DialTimeout, so an endpoint that does not answer yields ErrUnavailable
// (which matches discovery.ErrTimeout) instead of a hang. New does not wait
// for a connection, so a process can start while etcd is down. Wrap the
// Registry in a discovery.Cache to serve the last known good instances
// while etcd is down, with staleness reported by Cache.Stale:
//
//	reg, err := etcd.New(etcd.Config{Endpoints: []string{"http://127.0.0.1:2379"}})
//	...
//	defer reg.Close()
//	err = reg.Register(ctx, discovery.Instance{ID: "api-1", Service: "api", Address: "10.0.0.1", Port: 8080})
//	src := discovery.LastKnownGood(reg)
//	instances, err := src.Lookup(ctx, "api")
//
// # Concurrency and defaults
//
// A Registry is safe for concurrent use. Config documents each zero value;
// Validate names the offending field. One goroutine renews the lease and
// one per watcher follows its prefix; Close ends them all and waits.
package etcd
