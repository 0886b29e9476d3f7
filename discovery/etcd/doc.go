// Package etcd is a discovery.Registry on etcd v3 that speaks etcd's JSON
// gRPC gateway over net/http and imports only the standard library: a
// binary that links it gets no gRPC, protobuf or logging dependencies.
//
// # Protocol
//
// Requests are JSON POSTs to the gateway's v3 paths on an etcd client URL
// (/v3/kv/range, /v3/kv/txn, /v3/kv/put, /v3/kv/deleterange,
// /v3/lease/grant, /v3/lease/keepalive, /v3/lease/revoke, /v3/watch,
// /v3/auth/authenticate), which etcd 3.4 and later serve by default. Keys
// and values travel as base64, 64-bit integers as strings. A watch is one
// POST whose answer streams the watch's messages; it asks for a leader
// (Grpc-Metadata-Hasleader), so that a member cut off from its cluster
// ends the stream instead of falling silent. Each endpoint is reached
// directly (HTTP_PROXY is ignored) and over TLS for https endpoints, with
// HTTP/2 where etcd offers it.
//
// Earlier versions wrapped etcd's official client and had Config.Client,
// Config.Logger and Registry.Client; they are gone with that client.
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
// and attaches every instance it registers to it; it renews the lease
// every TTL/3. A process that dies stops renewing, and etcd deletes its
// instances TTL later: dead processes disappear by themselves. Close
// revokes the lease, so a clean shutdown removes them at once. If the
// lease is lost while the process lives (etcd unreachable for longer than
// TTL, or the lease revoked behind its back), the Registry grants a new
// one and registers its instances again.
//
// # Watching without missing a change
//
// Watch reads the service's keys and the revision of that read, then
// watches the prefix from the next revision: every change after the read
// arrives, none is applied twice. When the watch cannot go on (its
// revision was compacted, the member lost its leader, the stream closed
// or broke), the watcher lists the keys again and resumes from there.
// Watchers deliver full snapshots with growing versions
// (discovery.Watcher).
//
// # Failure
//
// Every request is bounded by OpTimeout and every connection attempt by
// DialTimeout, so an endpoint that does not answer yields ErrUnavailable
// (which matches discovery.ErrTimeout) instead of a hang. Within that
// bound a request goes to the endpoint that answered last and fails over
// to the next one when it cannot be reached or has no leader, going round
// the endpoints with waits capped by MaxReconnectDelay. New does not
// connect, so a process can start while etcd is down. With Username set,
// the Registry authenticates and renews its token when etcd rejects it.
// Wrap the Registry in a discovery.Cache to serve the last known good
// instances while etcd is down, with staleness reported by Cache.Stale:
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
// one per watcher follows its prefix; Close ends them all, and any request
// in flight, and waits.
package etcd
