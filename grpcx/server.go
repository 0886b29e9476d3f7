package grpcx

import (
	"context"
	"math"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/ratelimit"
)

// Server holds the policies of the server interceptors built from one
// ServerConfig, and counts what they did. Build one per grpc.Server with
// NewServer and install both of its interceptors:
//
//	s, err := grpcx.NewServer(cfg)
//	srv := grpc.NewServer(
//		grpc.ChainUnaryInterceptor(s.UnaryInterceptor()),
//		grpc.ChainStreamInterceptor(s.StreamInterceptor()))
//
// Most callers who need no statistics want UnaryServerInterceptor. A Server
// is safe for concurrent use.
type Server struct {
	name        string
	rate        *ratelimit.Limiter
	keyed       *ratelimit.Keyed
	rateKey     string
	deadline    *deadline.Server
	priorityKey string
	conc        resilience.Guard
	chaos       *chaos.Injector
	clk         clock.Clock
	recover     bool
	listener    resilience.Listener

	rateLimited, deadlineRefused, shed, faults, panics atomic.Uint64
}

// ServerStats counts the calls the server interceptors refused or failed
// since the Server was built.
type ServerStats struct {
	// RateLimited counts calls refused by RateLimit or KeyedRateLimit.
	RateLimited uint64
	// DeadlineRefused counts calls refused by Deadline: too little budget
	// or too many hops (deadline.Server.Stats has the details).
	DeadlineRefused uint64
	// Shed counts calls refused by Concurrency.
	Shed uint64
	// Faults counts calls failed by the chaos injector.
	Faults uint64
	// Panics counts recovered panics.
	Panics uint64
}

// NewServer returns a Server for cfg, or cfg.Validate's error.
func NewServer(cfg ServerConfig) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{
		name:        cfg.Name,
		rate:        cfg.RateLimit,
		keyed:       cfg.KeyedRateLimit,
		rateKey:     cfg.RateLimitKey,
		priorityKey: cfg.PriorityKey,
		conc:        cfg.Concurrency,
		chaos:       cfg.Chaos,
		recover:     !cfg.PropagatePanics,
		listener:    cfg.Listener,
	}
	if s.name == "" {
		s.name = "grpcx"
	}
	switch s.priorityKey {
	case "":
		s.priorityKey = DefaultPriorityKey
	case "-":
		s.priorityKey = ""
	}
	if cfg.Deadline != nil {
		d, err := deadline.NewServer(*cfg.Deadline)
		if err != nil {
			return nil, err
		}
		s.deadline = d
		s.clk = clock.Or(cfg.Deadline.Clock)
	}
	return s, nil
}

// Deadline returns the deadline server, for its Stats; nil without one.
func (s *Server) Deadline() *deadline.Server { return s.deadline }

// Stats returns the counters. Each is read atomically, but not all at the
// same instant.
func (s *Server) Stats() ServerStats {
	return ServerStats{
		RateLimited:     s.rateLimited.Load(),
		DeadlineRefused: s.deadlineRefused.Load(),
		Shed:            s.shed.Load(),
		Faults:          s.faults.Load(),
		Panics:          s.panics.Load(),
	}
}

// admission is what admit granted a call; it lives on the interceptor's
// stack.
type admission struct {
	permit   resilience.Permit
	cancel   context.CancelFunc
	pushback time.Duration // set on a rate-limit refusal; -1: never
	held     bool          // permit was granted
	finished bool
}

// finish reports the handler's error to the concurrency guard and releases
// the derived context.
func (a *admission) finish(err error) {
	a.finished = true
	if a.held {
		a.permit.Done(wrapStatus(err, outcomeOnly))
	}
	if a.cancel != nil {
		a.cancel()
	}
}

// done runs deferred: it reports a panic when finish was not reached.
func (a *admission) done() {
	if !a.finished {
		a.permit.Done(resilience.ErrPanicked)
		if a.cancel != nil {
			a.cancel()
		}
	}
}

// admit runs the policies that decide whether a call may run, in
// ServerConfig's order, and returns the context to run it in, or the
// status error to answer with.
func (s *Server) admit(ctx context.Context, a *admission) (context.Context, error) {
	if s.rate != nil {
		if info := s.rate.AllowInfo(); !info.Allowed {
			return ctx, s.limited(a, info)
		}
	}
	if s.keyed != nil {
		if info := s.keyed.AllowInfo(s.rateLimitKey(ctx)); !info.Allowed {
			return ctx, s.limited(a, info)
		}
	}
	if s.deadline != nil {
		var err error
		if ctx, err = s.admitDeadline(ctx, a); err != nil {
			s.deadlineRefused.Add(1)
			return ctx, status.Error(CodeOf(err), err.Error())
		}
	}
	if s.priorityKey != "" {
		if v := metadata.ValueFromIncomingContext(ctx, s.priorityKey); len(v) > 0 {
			if p, err := adaptive.ParsePriority(v[0]); err == nil {
				ctx = adaptive.WithPriority(ctx, p)
			}
		}
	}
	if s.conc != nil {
		p, err := s.conc.Acquire(ctx)
		if err != nil {
			s.shed.Add(1)
			return ctx, status.Error(CodeOf(err), err.Error())
		}
		a.permit, a.held = p, true
	}
	if s.chaos != nil {
		if _, err := s.chaos.Acquire(ctx); err != nil {
			s.faults.Add(1)
			return ctx, status.Error(CodeOf(err), err.Error())
		}
	}
	return ctx, nil
}

// admitDeadline decides the call's budget (deadline.Server.AdmitGRPC) and
// returns the context to handle it in. grpc-go has already put the
// client's deadline on ctx, so a new context is derived only when the
// budget is shorter (clamped to Max) or ctx has none (Default applies):
// the common call, within Max, costs no context and no timer.
func (s *Server) admitDeadline(ctx context.Context, a *admission) (context.Context, error) {
	var md map[string][]string
	if v := metadata.ValueFromIncomingContext(ctx, deadline.GRPCHopsKey); len(v) > 0 {
		md = map[string][]string{deadline.GRPCHopsKey: v}
	}
	in, err := s.deadline.AdmitGRPC(ctx, md)
	if err != nil {
		return ctx, err
	}
	if in.Hops > 0 {
		ctx = deadline.WithHops(ctx, in.Hops)
	}
	if !in.Bounded {
		return ctx, nil
	}
	now := s.clk.Now()
	if dl, ok := ctx.Deadline(); ok && !now.Add(in.Budget).Before(dl) {
		return ctx, nil
	}
	ctx, a.cancel = context.WithDeadline(ctx, now.Add(in.Budget))
	return ctx, nil
}

// rateLimitKey returns a call's KeyedRateLimit key: the RateLimitKey
// metadata value, or the peer's IP address.
func (s *Server) rateLimitKey(ctx context.Context) string {
	if s.rateKey != "" {
		if v := metadata.ValueFromIncomingContext(ctx, s.rateKey); len(v) > 0 {
			return v[0]
		}
	}
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return ""
	}
	if tcp, ok := p.Addr.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	return p.Addr.String()
}

// limited returns the answer to a rate-limited call: ResourceExhausted with
// a RetryInfo detail, and the pushback for the trailer.
func (s *Server) limited(a *admission, info ratelimit.Info) error {
	s.rateLimited.Add(1)
	st := status.New(codes.ResourceExhausted, "grpcx: rate limit exceeded")
	if info.RetryAfter <= 0 || info.RetryAfter == math.MaxInt64 {
		a.pushback = -1
		return st.Err()
	}
	a.pushback = info.RetryAfter
	if ds, err := st.WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(info.RetryAfter)}); err == nil {
		st = ds
	}
	return st.Err()
}

// pushbackTrailer returns the trailer for a pushback: the delay in whole
// milliseconds, rounded up, or -1 (do not retry).
func pushbackTrailer(d time.Duration) metadata.MD {
	ms := int64(-1)
	if d > 0 {
		ms = int64((d + time.Millisecond - 1) / time.Millisecond)
	}
	return metadata.Pairs(PushbackKey, strconv.FormatInt(ms, 10))
}
