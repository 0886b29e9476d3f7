// Package deadline carries a caller's remaining time budget across process
// boundaries, so that every hop of a call graph stops working when the
// original caller has given up.
//
// # Wire formats
//
// Over HTTP a request carries two headers (HeaderDeadlineMs, HeaderHops):
//
//	Resilience-Deadline-Ms: 1500
//	Resilience-Hops: 2
//
// the budget in whole milliseconds relative to receipt (a duration, so
// clock skew between hosts does not matter) and the number of hops
// travelled. Over gRPC the budget is the standard grpc-timeout header
// (GRPCTimeoutKey), encoded and decoded exactly as the gRPC over HTTP/2
// protocol and grpc-go do (ParseGRPCTimeout, FormatGRPCTimeout), and the
// hop count rides in resilience-hops (GRPCHopsKey). The gRPC helpers work on
// plain strings and map[string][]string, so this package does not import
// grpc; grpcx wires them into interceptors.
//
// # Per-hop decay (client side)
//
// A Propagator computes what the next hop may spend:
//
//	next = remaining × (1 − α) − Reserve,   α = min(AlphaBase + AlphaPerHop × hops, AlphaMax)
//
// so each hop keeps time for its own work after the call returns, and
// deeper hops keep more. With the defaults (α 0.05 + 0.05/hop up to 0.5,
// Reserve 5ms) a 300ms budget reaches the first hop as 280ms, the second as
// at most 247ms and the third as at most 204ms. When next is below Floor
// (10ms) the call is not made: Next and the Stamp methods return
// ErrBudgetExhausted, which matches resilience.ErrRejected, so a fallback
// can serve instead. Most callers want Propagator.Stamp on an outgoing
// *http.Request.
//
// # Clamping (server side)
//
// A Server derives the handler's context from what the request carried,
// never trusting it: budgets above ServerConfig.Max are clamped; missing
// or malformed values (negative, garbled, too long) are ignored and
// ServerConfig.Default applies; budgets below Min are refused with
// ErrBudgetExhausted, and hop counts above MaxHops, which mean a routing
// loop, with ErrTooManyHops. Every case is counted in atomic counters
// (Stats); nothing a client sends can make it panic. Most callers want
// Server.Middleware.
//
// The hop count travels in the context (WithHops, HopsFromContext): the
// Server stores it, the Propagator sends it plus one.
//
// # Zero values and concurrency
//
// Config and ServerConfig document the default each zero field stands
// for; Config{} and ServerConfig{} are valid. Propagator and Server are
// immutable after construction (apart from the Server's atomic counters)
// and safe for concurrent use. Parsing, deciding and computing budgets do
// not allocate; deriving contexts and setting headers do.
package deadline
