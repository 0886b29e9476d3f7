package grpcx

import (
	"context"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/health"
)

// HealthServerConfig configures a HealthService. Checker is required.
type HealthServerConfig struct {
	// Checker answers the questions: health.Checker.Status for Check and
	// Watch, its checks for List. Required.
	Checker *health.Checker `yaml:"-" json:"-"`
	// WatchInterval is how often a Watch stream asks the Checker again;
	// it sends a message only when the status changed. Give the checks an
	// Interval too, so that many streams share their results. Zero means
	// 1s.
	WatchInterval time.Duration `yaml:"watch_interval" json:"watch_interval"`
	// Clock times WatchInterval. Nil means the real clock.
	Clock clock.Clock `yaml:"-" json:"-"`
}

// Validate reports the first invalid field, naming it.
func (c HealthServerConfig) Validate() error {
	switch {
	case c.Checker == nil:
		return fmt.Errorf("grpcx: health server: Checker is nil")
	case c.WatchInterval < 0:
		return fmt.Errorf("grpcx: health server: WatchInterval %v must be >= 0", c.WatchInterval)
	}
	return nil
}

// HealthService serves gRPC's health protocol (grpc.health.v1.Health)
// from a health.Checker, so that a plain grpc-go server exposes the same
// checks as /readyz:
//
//	hs := grpcx.HealthServer(checker)
//	healthpb.RegisterHealthServer(srv, hs)
//
// The service "" is the whole server: SERVING while readiness passes,
// NOT_SERVING otherwise, in particular from Shutdown on. Any other name is
// the check of that name (or the Checker's built-in "shutdown" and
// "startup"); an unknown name is NotFound for Check and SERVICE_UNKNOWN for
// Watch, as the protocol says. Check runs the checks (as the Checker
// caches them); Watch sends the status at once, then polls the Checker
// every WatchInterval and sends each change, until the client goes away
// or Close.
//
// On SIGTERM, call Shutdown: every Watch stream learns NOT_SERVING at once,
// and load balancers (the balancer of NewBalancerBuilder, Kubernetes gRPC
// probes) stop sending traffic; after they had time to notice, Close ends
// the Watch streams, which would otherwise hold grpc.Server.GracefulStop
// open, and GracefulStop drains the calls in flight.
//
// A HealthService is safe for concurrent use; Watch streams cost a
// goroutine (grpc-go's, the stream's handler) and a timer each.
type HealthService struct {
	healthpb.UnimplementedHealthServer
	checker  *health.Checker
	interval time.Duration
	clk      clock.Clock

	mu     sync.Mutex
	wake   chan struct{} // closed and replaced to make Watch streams ask again
	closed chan struct{} // closed by Close
	once   sync.Once
}

var _ healthpb.HealthServer = (*HealthService)(nil)

// HealthServer returns a HealthService of checker with the default
// settings. It panics if checker is nil; NewHealthServer returns an error
// instead.
func HealthServer(checker *health.Checker) *HealthService {
	s, err := NewHealthServer(HealthServerConfig{Checker: checker})
	if err != nil {
		panic(err)
	}
	return s
}

// NewHealthServer returns a HealthService configured by cfg, or
// cfg.Validate's error.
func NewHealthServer(cfg HealthServerConfig) (*HealthService, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &HealthService{
		checker:  cfg.Checker,
		interval: orDefault(cfg.WatchInterval, time.Second),
		clk:      clock.Or(cfg.Clock),
		wake:     make(chan struct{}),
		closed:   make(chan struct{}),
	}, nil
}

// Check returns the status of the request's service, or NotFound for an
// unknown one.
func (s *HealthService) Check(ctx context.Context, req *healthpb.HealthCheckRequest) (*healthpb.HealthCheckResponse, error) {
	st := s.checker.Status(ctx, req.GetService())
	if err := ctx.Err(); err != nil {
		return nil, status.FromContextError(err).Err()
	}
	if st == health.StatusServiceUnknown {
		return nil, status.Errorf(codes.NotFound, "unknown service %q", req.GetService())
	}
	return &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_ServingStatus(st)}, nil
}

// List returns the status of the whole server ("") and of every check of
// the Checker, the built-in ones included.
func (s *HealthService) List(ctx context.Context, _ *healthpb.HealthListRequest) (*healthpb.HealthListResponse, error) {
	rep := s.checker.Run(ctx, health.ProbeLive|health.ProbeReady|health.ProbeStartup)
	overall := s.checker.Status(ctx, "")
	if err := ctx.Err(); err != nil {
		return nil, status.FromContextError(err).Err()
	}
	out := make(map[string]*healthpb.HealthCheckResponse, len(rep.Checks)+1)
	out[""] = &healthpb.HealthCheckResponse{Status: healthpb.HealthCheckResponse_ServingStatus(overall)}
	for _, r := range rep.Checks {
		st := healthpb.HealthCheckResponse_NOT_SERVING
		if r.OK() {
			st = healthpb.HealthCheckResponse_SERVING
		}
		out[r.Name] = &healthpb.HealthCheckResponse{Status: st}
	}
	return &healthpb.HealthListResponse{Statuses: out}, nil
}

// Watch sends the service's status, then every change of it, until the
// client cancels (Canceled) or Close (Unavailable).
func (s *HealthService) Watch(req *healthpb.HealthCheckRequest, stream healthpb.Health_WatchServer) error {
	ctx := stream.Context()
	t := s.clk.NewTimer(s.interval)
	defer t.Stop()
	last := healthpb.HealthCheckResponse_ServingStatus(-1)
	for {
		s.mu.Lock()
		wake := s.wake
		s.mu.Unlock()
		st := healthpb.HealthCheckResponse_ServingStatus(s.checker.Status(ctx, req.GetService()))
		if ctx.Err() != nil {
			return status.FromContextError(ctx.Err()).Err()
		}
		if st != last {
			if err := stream.Send(&healthpb.HealthCheckResponse{Status: st}); err != nil {
				return err
			}
			last = st
		}
		select {
		case <-t.C():
			t.Reset(s.interval)
		case <-wake:
		case <-ctx.Done():
			return status.FromContextError(ctx.Err()).Err()
		case <-s.closed:
			return status.Error(codes.Unavailable, "grpcx: health service closed")
		}
	}
}

// Shutdown marks the Checker as shutting down (health.Checker.Shutdown):
// the server and its "shutdown" check become NOT_SERVING for good, and
// every Watch stream sends it at once.
func (s *HealthService) Shutdown() {
	s.checker.Shutdown()
	s.Notify()
}

// SetReady turns readiness on or off by hand (health.Checker.SetReady) and
// tells every Watch stream at once.
func (s *HealthService) SetReady(ready bool) {
	s.checker.SetReady(ready)
	s.Notify()
}

// Notify makes every Watch stream ask the Checker again now rather than at
// its next interval: call it after changing what the checks depend on.
func (s *HealthService) Notify() {
	s.mu.Lock()
	close(s.wake)
	s.wake = make(chan struct{})
	s.mu.Unlock()
}

// Close ends every Watch stream, and those started later at once, with
// Unavailable, so that grpc.Server.GracefulStop does not wait for them.
// Check and List keep answering. Close is idempotent.
func (s *HealthService) Close() {
	s.once.Do(func() { close(s.closed) })
}
