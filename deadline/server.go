package deadline

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// A Server derives the context a request is handled in from the budget and
// hop count the request carries, enforcing ServerConfig's bounds. Build one
// per listener with NewServer; it is safe for concurrent use, and counts
// what it saw in atomic counters (see Stats). Most callers want Middleware
// for net/http and FromGRPC in a gRPC interceptor.
type Server struct {
	def, max, min time.Duration
	bounded       bool // def >= 0: requests without a budget get def
	maxHops       int
	clk           clock.Clock

	propagated, missing, malformed, clamped atomic.Uint64
	malformedHops, exhausted, tooManyHops   atomic.Uint64
}

// Incoming is what a Server decided about one request.
type Incoming struct {
	// Budget is the time the request's handler may spend; meaningful only
	// when Bounded.
	Budget time.Duration
	// Bounded is false when the request carried no usable budget and
	// ServerConfig.Default is negative: its context is left as it came.
	Bounded bool
	// Hops is the hop count the request carried (0 when it carried none or
	// a malformed one).
	Hops int
}

// Stats counts what a Server has seen since it was built. Every admitted
// or refused request counts in exactly one of Propagated, Missing and
// Malformed.
type Stats struct {
	// Propagated counts requests that carried a well-formed budget.
	Propagated uint64
	// Missing counts requests that carried no budget: Default applied.
	Missing uint64
	// Malformed counts requests whose budget was garbled: Default applied.
	Malformed uint64
	// Clamped counts budgets above Max that were cut to Max.
	Clamped uint64
	// MalformedHops counts garbled hop counts, taken as 0.
	MalformedHops uint64
	// Exhausted counts requests refused with ErrBudgetExhausted.
	Exhausted uint64
	// TooManyHops counts requests refused with ErrTooManyHops.
	TooManyHops uint64
}

// NewServer returns a Server, or cfg.Validate's error.
func NewServer(cfg ServerConfig) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{max: cfg.Max, min: cfg.Min, def: cfg.Default, maxHops: cfg.MaxHops, clk: clock.Or(cfg.Clock)}
	if s.max == 0 {
		s.max = DefaultServerMax
	}
	if s.def == 0 {
		s.def = s.max
	}
	s.bounded = s.def > 0
	if s.maxHops == 0 {
		s.maxHops = DefaultMaxHops
	}
	return s, nil
}

// source says where a request's budget came from.
type source uint8

const (
	srcMissing source = iota
	srcMalformed
	srcPropagated
)

// parseBudget parses a raw budget value with parse (ParseDeadlineMs or
// ParseGRPCTimeout); an empty value is missing.
func parseBudget(v string, parse func(string) (time.Duration, error)) (time.Duration, source) {
	if v == "" {
		return 0, srcMissing
	}
	d, err := parse(v)
	if err != nil {
		return 0, srcMalformed
	}
	return d, srcPropagated
}

// admit decides a request's budget and hop count, counting what it saw. It
// never panics and does not allocate.
func (s *Server) admit(d time.Duration, src source, hops string) (Incoming, error) {
	var in Incoming
	if hops != "" {
		n, err := ParseHops(hops)
		if err != nil {
			s.malformedHops.Add(1)
		} else {
			in.Hops = n
		}
	}
	switch src {
	case srcMissing:
		s.missing.Add(1)
		in.Budget, in.Bounded = s.def, s.bounded
	case srcMalformed:
		s.malformed.Add(1)
		in.Budget, in.Bounded = s.def, s.bounded
	default:
		s.propagated.Add(1)
		in.Budget, in.Bounded = d, true
	}
	return s.check(in)
}

// check enforces Max, Min and MaxHops on a decided request.
func (s *Server) check(in Incoming) (Incoming, error) {
	if in.Hops > s.maxHops {
		s.tooManyHops.Add(1)
		return Incoming{Hops: in.Hops}, ErrTooManyHops
	}
	if !in.Bounded {
		return in, nil
	}
	if in.Budget > s.max {
		s.clamped.Add(1)
		in.Budget = s.max
	}
	if in.Budget <= 0 || in.Budget < s.min {
		s.exhausted.Add(1)
		return Incoming{Hops: in.Hops}, ErrBudgetExhausted
	}
	return in, nil
}

// AdmitHTTP decides a request's budget and hop count from its headers
// (HeaderDeadlineMs and HeaderHops). It returns ErrTooManyHops or
// ErrBudgetExhausted when the request should be refused. It does not
// allocate.
func (s *Server) AdmitHTTP(h http.Header) (Incoming, error) {
	d, src := parseBudget(h.Get(HeaderDeadlineMs), ParseDeadlineMs)
	return s.admit(d, src, h.Get(HeaderHops))
}

// AdmitGRPC decides a gRPC request's budget and hop count from its incoming
// metadata md (a metadata.MD converts to map[string][]string) and ctx.
// The budget is md's GRPCTimeoutKey when present; grpc-go consumes that
// header itself and puts the deadline on the context instead, so when md
// has none, the time left until ctx's deadline is the request's budget.
// It does not allocate.
func (s *Server) AdmitGRPC(ctx context.Context, md map[string][]string) (Incoming, error) {
	d, src := parseBudget(first(md, GRPCTimeoutKey), ParseGRPCTimeout)
	if src == srcMissing {
		if dl, ok := ctx.Deadline(); ok {
			d, src = dl.Sub(s.clk.Now()), srcPropagated
		}
	}
	return s.admit(d, src, first(md, GRPCHopsKey))
}

func first(md map[string][]string, key string) string {
	if v := md[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// noCancel is returned when no context was derived.
func noCancel() {}

// derive returns ctx bounded by in's budget and carrying its hop count.
func (s *Server) derive(ctx context.Context, in Incoming) (context.Context, context.CancelFunc) {
	ctx = WithHops(ctx, in.Hops)
	if !in.Bounded {
		return ctx, noCancel
	}
	return context.WithDeadline(ctx, s.clk.Now().Add(in.Budget))
}

// FromRequest returns the context to handle r in: r's context, bounded by
// the budget r carried (an earlier deadline already on r's context stays),
// and carrying its hop count (HopsFromContext). Call the CancelFunc, which
// is never nil, when the handler returns. On error the request should be
// refused; the CancelFunc is then a no-op.
func (s *Server) FromRequest(r *http.Request) (context.Context, context.CancelFunc, error) {
	in, err := s.AdmitHTTP(r.Header)
	if err != nil {
		return r.Context(), noCancel, err
	}
	ctx, cancel := s.derive(r.Context(), in)
	return ctx, cancel, nil
}

// FromRequestWithin is FromRequest for a handler that already bounds its
// own work to within (a timeout of its own, or per-try timeouts that
// cover every attempt): a budget of at least within is admitted and
// counted as FromRequest does, but no context is derived to enforce it,
// which saves a context and a timer on every such request; a shorter
// budget is enforced as FromRequest does. The hop count is recorded only
// when above zero (HopsFromContext reports 0 without one). When nothing
// needed recording, the context returned is r's own, so the caller can
// skip r.WithContext. within <= 0 means no bound: FromRequest.
func (s *Server) FromRequestWithin(r *http.Request, within time.Duration) (context.Context, context.CancelFunc, error) {
	if within <= 0 {
		return s.FromRequest(r)
	}
	in, err := s.AdmitHTTP(r.Header)
	if err != nil {
		return r.Context(), noCancel, err
	}
	ctx := r.Context()
	if in.Hops > 0 {
		ctx = WithHops(ctx, in.Hops)
	}
	if !in.Bounded || in.Budget >= within {
		return ctx, noCancel, nil
	}
	ctx, cancel := context.WithDeadline(ctx, s.clk.Now().Add(in.Budget))
	return ctx, cancel, nil
}

// FromGRPC is FromRequest for a gRPC request with incoming metadata md; see
// AdmitGRPC.
func (s *Server) FromGRPC(ctx context.Context, md map[string][]string) (context.Context, context.CancelFunc, error) {
	in, err := s.AdmitGRPC(ctx, md)
	if err != nil {
		return ctx, noCancel, err
	}
	ctx, cancel := s.derive(ctx, in)
	return ctx, cancel, nil
}

// Middleware returns next wrapped so that each request is handled in the
// context FromRequest derives. Refused requests are answered without
// calling next: 504 Gateway Timeout for ErrBudgetExhausted (the caller's
// time is up) and 508 Loop Detected for ErrTooManyHops.
func (s *Server) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel, err := s.FromRequest(r)
		if err != nil {
			code := http.StatusGatewayTimeout
			if errors.Is(err, ErrTooManyHops) {
				code = http.StatusLoopDetected
			}
			http.Error(w, err.Error(), code)
			return
		}
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Stats returns the counters. Each is read atomically, but not all at the
// same instant.
func (s *Server) Stats() Stats {
	return Stats{
		Propagated:    s.propagated.Load(),
		Missing:       s.missing.Load(),
		Malformed:     s.malformed.Load(),
		Clamped:       s.clamped.Load(),
		MalformedHops: s.malformedHops.Load(),
		Exhausted:     s.exhausted.Load(),
		TooManyHops:   s.tooManyHops.Load(),
	}
}
