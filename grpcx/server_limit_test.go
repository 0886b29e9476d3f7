package grpcx_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/grpcx"
	"github.com/resilience-go/resilience/ratelimit"
)

// retryDelay returns the delay of the RetryInfo detail of err's status.
func retryDelay(t *testing.T, err error) time.Duration {
	t.Helper()
	for _, d := range status.Convert(err).Details() {
		if ri, ok := d.(*errdetails.RetryInfo); ok {
			return ri.GetRetryDelay().AsDuration()
		}
	}
	t.Fatalf("status of %v has no RetryInfo detail", err)
	return 0
}

// TestServerRateLimit checks that rate-limited calls end with
// ResourceExhausted, a RetryInfo detail and a pushback trailer carrying the
// limiter's delay.
func TestServerRateLimit(t *testing.T) {
	clk := clock.NewManual(t0)
	lim, err := ratelimit.New(ratelimit.Config{Rate: 1, Per: time.Hour, Burst: 1, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, grpcx.ServerConfig{RateLimit: lim})
	svc := &service{}
	client, _ := serve(t, svc, serverOpts(s))
	if _, err := client.EmptyCall(context.Background(), &testpb.Empty{}); err != nil {
		t.Fatalf("first EmptyCall = %v want nil", err)
	}
	var trailer metadata.MD
	_, err = client.EmptyCall(context.Background(), &testpb.Empty{}, grpc.Trailer(&trailer))
	if got := status.Code(err); got != codes.ResourceExhausted {
		t.Fatalf("status.Code(second EmptyCall) = %v want ResourceExhausted", got)
	}
	if got := retryDelay(t, err); got != time.Hour {
		t.Errorf("RetryInfo delay = %v want 1h", got)
	}
	if got := first(trailer, grpcx.PushbackKey); got != "3600000" {
		t.Errorf("trailer %s = %q want 3600000", grpcx.PushbackKey, got)
	}
	if got := svc.calls.Load(); got != 1 {
		t.Errorf("handler calls = %d want 1", got)
	}
	if got := s.Stats().RateLimited; got != 1 {
		t.Errorf("Stats().RateLimited = %d want 1", got)
	}

	// Streams are limited the same way.
	stream, err := client.StreamingOutputCall(context.Background(), outputRequest(1))
	if err == nil {
		_, err = stream.Recv()
	}
	if got := status.Code(err); got != codes.ResourceExhausted {
		t.Errorf("status.Code(stream) = %v want ResourceExhausted", got)
	}
}

// TestServerKeyedRateLimit checks per-key limits, keyed by metadata or by
// the peer's address.
func TestServerKeyedRateLimit(t *testing.T) {
	for _, tc := range []struct {
		name   string
		key    string // RateLimitKey
		sends  []string
		wantOK []bool
	}{
		{"metadata-key", "x-api-key", []string{"a", "a", "b", ""}, []bool{true, false, true, true}},
		{"peer-address", "", []string{"a", "b"}, []bool{true, false}},
		{"missing-key-falls-back-to-peer", "x-api-key", []string{"", ""}, []bool{true, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keyed, err := ratelimit.NewKeyed(ratelimit.KeyedConfig{Rate: 1, Per: time.Hour, Burst: 1, Clock: clock.NewManual(t0)})
			if err != nil {
				t.Fatal(err)
			}
			s := newServer(t, grpcx.ServerConfig{KeyedRateLimit: keyed, RateLimitKey: tc.key})
			client, _ := serve(t, &service{}, serverOpts(s))
			for i, v := range tc.sends {
				ctx := context.Background()
				if v != "" {
					ctx = metadata.AppendToOutgoingContext(ctx, "x-api-key", v)
				}
				_, err := client.EmptyCall(ctx, &testpb.Empty{})
				if ok := err == nil; ok != tc.wantOK[i] {
					t.Errorf("call %d (key %q) = %v want ok %v", i, v, err, tc.wantOK[i])
				}
				if err != nil && status.Code(err) != codes.ResourceExhausted {
					t.Errorf("call %d: status.Code = %v want ResourceExhausted", i, status.Code(err))
				}
			}
		})
	}
}
