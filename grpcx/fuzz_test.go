package grpcx_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/grpcx"
	"github.com/resilience-go/resilience/retry"
)

// FuzzClientConfigValidate checks that NewClient accepts exactly the
// configs Validate accepts, and that a valid client passes a call through.
func FuzzClientConfigValidate(f *testing.F) {
	f.Add("", 0, int64(0), 0, 0, 0.0, 0)
	f.Add("target", 5, int64(time.Second), 3, 2, 0.1, 32)
	f.Add("host", -1, int64(-1), -1, -1, 150.0, -1)
	f.Fuzz(func(t *testing.T, scope string, maxBreakers int, attemptTimeout int64, maxAttempts, consecutive int, rate float64, maxHops int) {
		cfg := grpcx.ClientConfig{
			BreakerScope:   grpcx.BreakerScope(scope),
			MaxBreakers:    maxBreakers,
			AttemptTimeout: time.Duration(attemptTimeout),
			Breaker:        &circuitbreaker.Config{ConsecutiveFailures: consecutive, FailureRateThreshold: rate},
			Retry:          &retry.Config{MaxAttempts: maxAttempts, Backoff: retry.BackoffConfig{Kind: retry.BackoffNone}},
			Deadline:       &deadline.Config{MaxHops: maxHops},
		}
		verr := cfg.Validate()
		c, err := grpcx.NewClient(cfg)
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate() = %v but NewClient() = %v", verr, err)
		}
		if err != nil {
			return
		}
		ok := func(context.Context, string, any, any, *grpc.ClientConn, ...grpc.CallOption) error { return nil }
		if err := c.UnaryInterceptor()(context.Background(), "/s/m", nil, nil, nil, ok); err != nil {
			t.Fatalf("a successful call through a valid client = %v", err)
		}
	})
}

// FuzzServerAdmission feeds arbitrary configs and metadata to the server
// interceptor: nothing panics, NewServer agrees with Validate, and an
// admitted call's deadline never exceeds Max.
func FuzzServerAdmission(f *testing.F) {
	f.Add("x-api-key", "x-priority", int64(time.Second), "3", "critical", "k")
	f.Add("", "-", int64(0), "99999999999", "SHEDDABLE_PLUS", "")
	f.Add("X-Bad", "grpc-x", int64(-1), "-1", "\x00", "\xff")
	f.Fuzz(func(t *testing.T, rateKey, prioKey string, max int64, hops, prio, key string) {
		cfg := grpcx.ServerConfig{RateLimitKey: rateKey, PriorityKey: prioKey, Deadline: &deadline.ServerConfig{Max: time.Duration(max)}}
		verr := cfg.Validate()
		s, err := grpcx.NewServer(cfg)
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate() = %v but NewServer() = %v", verr, err)
		}
		if err != nil {
			return
		}
		md := metadata.MD{deadline.GRPCHopsKey: {hops}, grpcx.DefaultPriorityKey: {prio}, "x-api-key": {key}}
		ctx := metadata.NewIncomingContext(context.Background(), md)
		var left time.Duration
		var bounded bool
		_, err = s.UnaryInterceptor()(ctx, nil, &grpc.UnaryServerInfo{FullMethod: "/s/m"}, func(ctx context.Context, _ any) (any, error) {
			var dl time.Time
			dl, bounded = ctx.Deadline()
			left = time.Until(dl)
			return nil, nil
		})
		if err != nil {
			if c := status.Code(err); c != codes.FailedPrecondition && c != codes.DeadlineExceeded {
				t.Fatalf("admission refused with %v", err)
			}
			return
		}
		limit := time.Duration(max)
		if limit == 0 {
			limit = deadline.DefaultServerMax
		}
		if !bounded || left > limit {
			t.Fatalf("admitted with deadline set %v, budget %v; want set, at most %v", bounded, left, limit)
		}
	})
}
