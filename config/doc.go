// Package config reads the YAML configuration of the resilience-go sidecar
// proxy: its listeners, its routes with their resilience policies, the
// clusters of upstream endpoints they send to, the admin server, the
// shared Redis and the proxy's own process (its memory limit). It
// validates it with precise errors and reloads it while the proxy runs.
// It is a module of its own because it imports a YAML
// library (go.yaml.in/yaml/v3); the policy packages stay dependency-free.
//
// # One schema, the library's own structs
//
// Route policies are the policy packages' Config structs, decoded
// directly from YAML through their yaml tags: circuit_breaker is a
// circuitbreaker.Config, retry a retry.Config (plus budget, hedge and the
// HTTP statuses to retry), rate_limit one of ratelimit.Config,
// ratelimit.WindowConfig, ratelimit.KeyedConfig or redisrate.Config, and
// so on. Durations are Go duration strings ("250ms", "5s", "1m30s"); a
// bare number is an error that suggests a unit.
//
// Parse decodes each block onto its package's DefaultConfig, as grpc's
// ParseConfig does with JSON: a key the file leaves out keeps the
// default, and a key it writes wins, even zero. Where a default depends on
// another field (hedge's min_samples on window, a stale cache's stale_ttl
// on ttl, adaptive's initial_limit on the limits), it is derived again
// from the fields the file wrote. The Config returned spells out every
// default, so YAML and JSON show what is in force and Parse reads them
// back to an equal Config.
//
// # Errors
//
// Parse does not stop at the first problem: it returns an *Errors
// listing them all, each with file, line, column and field path:
//
//	proxy.yaml:42:33: routes[1].policies.circuit_breaker.failure_rate_threshold: 150 must be in (0, 100] or 0 (off)
//	proxy.yaml:43:9: routes[1].policies.circuit_breaker.window_sise: unknown field, did you mean "window_size"?
//	proxy.yaml:51:14: routes[2].cluster: unknown cluster "paymnts", did you mean "payments"?
//
// Each policy is checked by its package's own Validate; the Go field it
// names is mapped back to its YAML key and position, and the field reset
// to find the next problem. Unknown keys, repeated keys and names, route
// references to unknown clusters or listeners, listeners (and the admin
// server) that would bind the same address, and an admin server reachable
// from other machines without allow_non_loopback are all errors.
//
// # Reloading
//
// A Watcher holds the latest valid configuration of a file. It polls the
// file's modification time and size on its Clock (every second by
// default) and re-reads it on Reload, which the proxy calls on SIGHUP. A
// valid change is delivered to OnChange with the next version number and
// the Changes from Diff, which say per route and policy kind whether the
// settings are unchanged, so the proxy keeps the running breaker, limiter
// or cache and its state. An invalid file is reported to OnError and
// never delivered: the previous configuration stays in force.
//
// Redacted returns a copy without secrets (the Redis password, the admin
// token, etcd passwords, credential-like header values) for the admin
// /config endpoint, which prints it with YAML or JSON.
//
// Most callers want Load, or NewWatcher for a proxy that reloads. A
// Config is plain data, safe to read from many goroutines; a Watcher is
// safe for concurrent use. The examples directory at the repository root
// holds a documented file for every feature, each loaded by this package's
// tests; DemoYAML is the configuration `resilience demo` runs.
package config
