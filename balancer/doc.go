// Package balancer spreads calls over the endpoints of a dependency on the
// client side: it picks an endpoint per call, routes calls to subsets
// (canary by percentage, header rules, zone preference), ejects endpoints
// that fail (outlier detection) and probes them (active health checking).
//
// Most callers want a Balancer: New, Update with the endpoints from
// discovery, then for each call
//
//	p, err := b.Pick(ctx, userID)
//	if err != nil {
//		return err // ErrNoEndpoint, which matches resilience.ErrRejected
//	}
//	err = call(ctx, p.Addr())
//	p.Done(err, latency)
//
// # Pickers
//
// Config.Policy selects the algorithm:
//
//   - round_robin: the endpoints in turn; one atomic add per pick.
//   - random: uniform, or in proportion to the weights (a binary search of
//     cumulative weights) when they differ.
//   - weighted_round_robin: nginx's smooth weighted round robin. Its
//     sequence is periodic, with period sum(weights)/gcd, so the balancer
//     precomputes one period when the endpoints change and a pick is one
//     atomic add and an index, yielding exactly nginx's sequence (a a b a c
//     a a for weights 5, 1, 1) without a lock. Periods too long to
//     precompute (over 2^18 picks) run the algorithm live under a mutex.
//   - least_request: the power of two choices: of two endpoints drawn at
//     random, the one with fewer calls in flight per unit of weight.
//   - peak_ewma: the power of two choices on cost = latency estimate ×
//     (calls in flight + 1) / weight. The estimate is a moving average that
//     jumps to any sample above it (the peak) and decays with clock time
//     (Config.PeakEWMA.Decay), so an idle slow endpoint is tried again
//     after a while; an endpoint with calls in flight but no sample yet
//     costs a large penalty.
//   - ring_hash: consistent hashing with bounded loads. Each endpoint has
//     about VirtualNodes points on a ring; a key goes to the first point
//     clockwise of its hash whose endpoint has fewer than
//     ceil(LoadFactor × average) calls in flight. Adding or removing one of
//     n endpoints moves about 1/n of the keys.
//
// # Routing
//
// Rules are tried from the highest Priority down. A rule takes a call when
// all of its header Matches hold (equals, prefix or regexp on the Headers
// set with WithHeaders) and the call's key hashes into the rule's Percent
// (a stable assignment: the same user stays on the canary), and its Subset
// (endpoint Metadata pairs such as version=v2) has an endpoint to offer.
// Calls no rule takes go to DefaultSubset. Within the chosen subset, when
// Zone.Local is set, calls stay in the local zone while at least
// Zone.MinHealthyShare of its endpoints are available and spill over to
// every zone otherwise. All of this is decided when the snapshot is
// built, so zone preference costs nothing per pick.
//
// # Outlier detection and health checking
//
// Passive detection (Config.Outlier) ejects an endpoint after
// ConsecutiveFailures failures in a row reported through Pick.Done, or
// when its success rate over an Interval falls below mean − factor × stdev
// of its peers (Envoy's success-rate detection). An ejection lasts
// BaseEjectionTime × the endpoint's ejection count, capped, and never more
// than MaxEjectionPercent of the endpoints are out at once. Active checking
// (Config.HealthCheck) probes every endpoint each Interval with a Prober
// (HTTP GET expecting 2xx, TCP connect, or any Prober such as grpcx's
// grpc.health.v1 prober) and takes an endpoint out after
// UnhealthyThreshold failures in a row, back after HealthyThreshold
// successes. Pick never returns an ejected or unhealthy endpoint while the
// subset has another; when it has none, Pick fails with ErrNoEndpoint, or
// in PanicMode picks among all of the subset's endpoints.
//
// # What each call records
//
// A pick records only what the configuration uses, so the simple policies
// cost what grpc-go's pickers cost:
//
//   - round_robin, random, weighted_round_robin and ring_hash with
//     Unbounded count nothing per endpoint: a pick is one atomic add
//     (round robin, weighted round robin), one random number (random) or
//     one hash (ring hash), and Pick.Done does nothing.
//   - least_request, peak_ewma and ring_hash with bounded loads count the
//     calls in flight on each endpoint, since they choose by them: one
//     atomic add in Pick and one in Done. peak_ewma also folds each
//     latency into its estimate in Done.
//   - Config.TrackInFlight makes the policies of the first item count
//     calls in flight too, so that Stats can report them; without it they
//     report InFlight -1.
//   - Outlier detection (Config.Outlier) makes Done classify every
//     outcome and count it for its endpoint, whatever the policy; it
//     needs no in-flight counts.
//
// Stats reports per endpoint: InFlight as above, Ejected and Ejections
// (always false and 0 without outlier detection), Healthy (always true
// without active health checks), and Latency (peak_ewma only).
//
// # Discovery
//
// FromInstances converts discovery.Instance values into Endpoints, leaving
// out instances that are not usable (discovery.Unhealthy), and Follow
// keeps a Balancer's endpoints in step with a discovery.Watcher:
//
//	w, err := registry.Watch(ctx, "api")
//	...
//	go balancer.Follow(ctx, b, w) // until ctx ends
//
// # Zero values and defaults
//
// The zero Config is valid: round robin, no rules, no zone preference, no
// outlier detection, no health checks. Every field documents its zero
// value; DefaultConfig returns least request with Envoy's outlier
// defaults. New returns the error of Config.Validate, which names the
// offending field. An Endpoint's zero Weight is 1 and its empty ID is its
// Addr.
//
// # Concurrency
//
// A Balancer is safe for simultaneous use. Pick never takes a lock: the
// endpoint set, their availability and every structure derived from them
// (schedules, rings, subsets) form an immutable snapshot published through
// an atomic pointer, and Update, ejections and health transitions build a
// new one under a mutex that Pick never touches. Counters that must
// survive a change (round-robin positions, in-flight counts, latency
// estimates, ejection state) live outside the snapshot. Pick and Done
// allocate nothing. Outlier reviews and probes run on the Clock's timers;
// Close stops them and waits for probes in progress. Listeners are called
// synchronously, never under the lock.
package balancer
