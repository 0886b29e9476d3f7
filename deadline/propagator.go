package deadline

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// A Propagator stamps outgoing requests with the budget the next hop may
// spend: what is left of the caller's context deadline, decayed by the
// per-hop formula of Config, and the hop count. Build one per process (or
// per dependency, if they need different decay) with New; it is immutable
// and safe for concurrent use. Most callers want Stamp.
type Propagator struct {
	cfg resolved
	clk clock.Clock
}

// Hop is what a Propagator sends to the next hop.
type Hop struct {
	// Budget is the time the next hop may spend; meaningful only when
	// Bounded.
	Budget time.Duration
	// Bounded is false when the caller's context has no deadline: then
	// there is no budget to send, only the hop count.
	Bounded bool
	// Hops is the hop count to send: the caller's own plus one.
	Hops int
}

// New returns a Propagator, or cfg.Validate's error.
func New(cfg Config) (*Propagator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Propagator{cfg: cfg.resolve(), clk: clock.Or(cfg.Clock)}, nil
}

// Alpha returns the fraction of its remaining budget a caller that has
// travelled hops hops keeps back.
func (p *Propagator) Alpha(hops int) float64 {
	if hops < 0 {
		hops = 0
	}
	a := p.cfg.alphaBase + p.cfg.alphaPerHop*float64(hops)
	if a > p.cfg.alphaMax {
		a = p.cfg.alphaMax
	}
	return a
}

// Decay returns the budget the next hop gets when a caller that has
// travelled hops hops has remaining left, or ErrBudgetExhausted when that
// is below Floor (or not positive). It is the pure form of Next.
func (p *Propagator) Decay(remaining time.Duration, hops int) (time.Duration, error) {
	if remaining <= 0 {
		return 0, ErrBudgetExhausted
	}
	scaled := float64(remaining) * (1 - p.Alpha(hops))
	next := time.Duration(math.MaxInt64)
	if scaled < math.MaxInt64 { // float64(MaxInt64) is 2^63, which overflows
		next = time.Duration(scaled)
	}
	next -= p.cfg.reserve
	if next <= 0 || next < p.cfg.floor {
		return 0, ErrBudgetExhausted
	}
	return next, nil
}

// Next computes what to send to the next hop for a call made under ctx,
// reading the clock once. It returns ErrTooManyHops when the hop count
// would exceed MaxHops and ErrBudgetExhausted when the decayed budget is
// below Floor; in both cases the call should not be made. It does not
// allocate.
func (p *Propagator) Next(ctx context.Context) (Hop, error) {
	return p.NextAt(ctx, p.clk.Now())
}

// NextAt is Next with the current time given.
func (p *Propagator) NextAt(ctx context.Context, now time.Time) (Hop, error) {
	hops := HopsFromContext(ctx)
	if hops >= p.cfg.maxHops {
		return Hop{}, ErrTooManyHops
	}
	h := Hop{Hops: hops + 1}
	dl, ok := ctx.Deadline()
	if !ok {
		return h, nil
	}
	b, err := p.Decay(dl.Sub(now), hops)
	if err != nil {
		return Hop{}, err
	}
	h.Budget, h.Bounded = b, true
	return h, nil
}

// StampHeader sets HeaderDeadlineMs and HeaderHops in h for a call made
// under ctx (removing a stale HeaderDeadlineMs when ctx has no deadline).
// On error h is left unchanged and the call should not be made.
func (p *Propagator) StampHeader(ctx context.Context, h http.Header) error {
	hop, err := p.Next(ctx)
	if err != nil {
		return err
	}
	h.Set(HeaderHops, strconv.Itoa(hop.Hops))
	if hop.Bounded {
		h.Set(HeaderDeadlineMs, FormatDeadlineMs(hop.Budget))
	} else {
		h.Del(HeaderDeadlineMs)
	}
	return nil
}

// Stamp stamps req's headers for the budget of req's context; see
// StampHeader. Use it in a client just before sending, or in an
// http.RoundTripper.
func (p *Propagator) Stamp(req *http.Request) error {
	return p.StampHeader(req.Context(), req.Header)
}

// StampGRPC sets GRPCTimeoutKey and GRPCHopsKey in md, gRPC outgoing
// metadata (a metadata.MD converts to map[string][]string), for a call made
// under ctx; GRPCTimeoutKey is removed when ctx has no deadline. On error
// md is left unchanged.
//
// grpc-go derives grpc-timeout from the context's deadline itself and drops
// the key from metadata, so with grpc-go bound the call's context instead:
//
//	hop, err := p.Next(ctx)
//	if hop.Bounded {
//		ctx, cancel = context.WithTimeout(ctx, hop.Budget)
//	}
//	ctx = metadata.AppendToOutgoingContext(ctx, deadline.GRPCHopsKey, strconv.Itoa(hop.Hops))
func (p *Propagator) StampGRPC(ctx context.Context, md map[string][]string) error {
	hop, err := p.Next(ctx)
	if err != nil {
		return err
	}
	md[GRPCHopsKey] = []string{strconv.Itoa(hop.Hops)}
	if hop.Bounded {
		md[GRPCTimeoutKey] = []string{FormatGRPCTimeout(hop.Budget)}
	} else {
		delete(md, GRPCTimeoutKey)
	}
	return nil
}
