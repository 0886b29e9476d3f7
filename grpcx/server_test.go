package grpcx_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	testpb "google.golang.org/grpc/interop/grpc_testing"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/grpcx"
)

func newServer(t testing.TB, cfg grpcx.ServerConfig) *grpcx.Server {
	t.Helper()
	s, err := grpcx.NewServer(cfg)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	return s
}

// serverOpts installs both of s's interceptors.
func serverOpts(s *grpcx.Server) []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(s.UnaryInterceptor()),
		grpc.ChainStreamInterceptor(s.StreamInterceptor()),
	}
}

// TestServerPanicRecovered checks that a handler's panic ends the call with
// Internal, reveals nothing, is counted and reported, and releases the
// concurrency slot.
func TestServerPanicRecovered(t *testing.T) {
	ev := &events{}
	g := newRecordingGuard()
	s := newServer(t, grpcx.ServerConfig{Listener: ev, Concurrency: g})
	svc := &service{handle: func(_ context.Context, n int64) error {
		if n == 1 {
			panic("secret database password in panic value")
		}
		return nil
	}}
	client, _ := serve(t, svc, serverOpts(s))
	_, err := client.EmptyCall(context.Background(), &testpb.Empty{})
	st := status.Convert(err)
	if st.Code() != codes.Internal || st.Message() != "internal error" || len(st.Details()) != 0 {
		t.Errorf("panicking call = %v (details %v) want Internal \"internal error\" without details", st, st.Details())
	}
	if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "goroutine") {
		t.Errorf("error %q leaks the panic", err)
	}
	if got := s.Stats().Panics; got != 1 {
		t.Errorf("Stats().Panics = %d want 1", got)
	}
	panics := ev.of(resilience.EventPanic)
	var pe *grpcx.PanicError
	if len(panics) != 1 || !errors.As(panics[0].Err, &pe) || !errors.Is(pe, resilience.ErrPanicked) {
		t.Fatalf("panic events = %+v want one with a *PanicError", panics)
	}
	if pe.Method != emptyCall || pe.Value != "secret database password in panic value" || len(pe.Stack) == 0 {
		t.Errorf("PanicError = %q, %v, %d stack bytes; want the method, the value and a stack", pe.Method, pe.Value, len(pe.Stack))
	}
	if got := g.next(t); !errors.Is(got, resilience.ErrPanicked) {
		t.Errorf("concurrency outcome = %v want ErrPanicked", got)
	}
	if _, err := client.EmptyCall(context.Background(), &testpb.Empty{}); err != nil {
		t.Errorf("call after the panic = %v want nil: the server lives on", err)
	}
}

// TestServerStreamPanicRecovered checks recovery in the stream interceptor.
func TestServerStreamPanicRecovered(t *testing.T) {
	s := newServer(t, grpcx.ServerConfig{})
	svc := &service{handle: func(context.Context, int64) error { panic("boom") }}
	client, _ := serve(t, svc, serverOpts(s))
	stream, err := client.StreamingOutputCall(context.Background(), outputRequest(1))
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = stream.Recv()
	}
	if st := status.Convert(err); st.Code() != codes.Internal || st.Message() != "internal error" {
		t.Errorf("stream ended with %v want Internal \"internal error\"", st)
	}
	if got := s.Stats().Panics; got != 1 {
		t.Errorf("Stats().Panics = %d want 1", got)
	}
}

// TestServerPropagatePanics checks that PropagatePanics leaves the panic
// alone.
func TestServerPropagatePanics(t *testing.T) {
	s := newServer(t, grpcx.ServerConfig{PropagatePanics: true})
	defer func() {
		if v := recover(); v != "boom" {
			t.Errorf("recovered %v want boom", v)
		}
		if got := s.Stats().Panics; got != 0 {
			t.Errorf("Stats().Panics = %d want 0", got)
		}
	}()
	_, _ = s.UnaryInterceptor()(context.Background(), nil, &grpc.UnaryServerInfo{FullMethod: emptyCall},
		func(context.Context, any) (any, error) { panic("boom") })
	t.Error("the panic did not propagate")
}

// TestServerConcurrency checks that calls beyond the bound end with
// Unavailable.
func TestServerConcurrency(t *testing.T) {
	sem, err := bulkhead.New(bulkhead.Config{MaxConcurrent: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, grpcx.ServerConfig{Concurrency: sem})
	entered, release := make(chan struct{}), make(chan struct{})
	svc := &service{handle: func(_ context.Context, n int64) error {
		if n == 1 {
			close(entered)
			<-release
		}
		return nil
	}}
	client, _ := serve(t, svc, serverOpts(s))
	done := make(chan error, 1)
	go func() {
		_, err := client.EmptyCall(context.Background(), &testpb.Empty{})
		done <- err
	}()
	<-entered
	_, err = client.EmptyCall(context.Background(), &testpb.Empty{})
	if got := status.Code(err); got != codes.Unavailable {
		t.Errorf("status.Code(call beyond the bound) = %v want Unavailable", got)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("first call = %v want nil", err)
	}
	if got := s.Stats().Shed; got != 1 {
		t.Errorf("Stats().Shed = %d want 1", got)
	}
	if got := sem.InFlight(); got != 0 {
		t.Errorf("InFlight = %d want 0", got)
	}
}

// TestServerPriority checks that the priority metadata reaches the
// handler's context.
func TestServerPriority(t *testing.T) {
	for _, tc := range []struct {
		name, key, send string
		want            adaptive.Priority
	}{
		{"critical", "", "critical", adaptive.PriorityCritical},
		{"sheddable-number", "", "-2", adaptive.PrioritySheddable},
		{"garbled-is-normal", "", "urgent!", adaptive.PriorityNormal},
		{"absent-is-normal", "", "", adaptive.PriorityNormal},
		{"custom-key", "x-criticality", "CRITICAL_PLUS", adaptive.PriorityCritical},
		{"off", "-", "critical", adaptive.PriorityNormal},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got adaptive.Priority
			svc := &service{handle: func(ctx context.Context, _ int64) error {
				got = adaptive.PriorityFromContext(ctx)
				return nil
			}}
			s := newServer(t, grpcx.ServerConfig{PriorityKey: tc.key})
			client, _ := serve(t, svc, serverOpts(s))
			ctx := context.Background()
			if tc.send != "" {
				key := tc.key
				if key == "" || key == "-" {
					key = grpcx.DefaultPriorityKey
				}
				ctx = metadata.AppendToOutgoingContext(ctx, key, tc.send)
			}
			if _, err := client.EmptyCall(ctx, &testpb.Empty{}); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("handler priority = %v want %v", got, tc.want)
			}
		})
	}
}

// TestServerChaos checks that injected faults answer with their gRPC code
// instead of running the handler.
func TestServerChaos(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault chaos.Fault
		want  codes.Code
	}{
		{"error", chaos.Fault{Kind: chaos.KindError, Probability: 1}, codes.Unavailable},
		{"abort", chaos.Fault{Kind: chaos.KindAbort, GRPCCode: uint32(codes.Aborted), Probability: 1}, codes.Aborted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inj, err := chaos.New(chaos.Config{Enabled: true, Seed: 1, Faults: []chaos.Fault{tc.fault}})
			if err != nil {
				t.Fatal(err)
			}
			s := newServer(t, grpcx.ServerConfig{Chaos: inj})
			svc := &service{}
			client, _ := serve(t, svc, serverOpts(s))
			_, err = client.EmptyCall(context.Background(), &testpb.Empty{})
			if got := status.Code(err); got != tc.want {
				t.Errorf("status.Code = %v want %v", got, tc.want)
			}
			if got := svc.calls.Load(); got != 0 {
				t.Errorf("handler calls = %d want 0", got)
			}
			if got := s.Stats().Faults; got != 1 {
				t.Errorf("Stats().Faults = %d want 1", got)
			}
		})
	}
}

// TestServerConfigValidate checks that invalid fields are named.
func TestServerConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  grpcx.ServerConfig
		ok   bool
	}{
		{"zero", grpcx.ServerConfig{}, true},
		{"keys", grpcx.ServerConfig{RateLimitKey: "x-api-key", PriorityKey: "x-priority"}, true},
		{"priority-off", grpcx.ServerConfig{PriorityKey: "-"}, true},
		{"upper-case-key", grpcx.ServerConfig{RateLimitKey: "X-Api-Key"}, false},
		{"binary-key", grpcx.ServerConfig{RateLimitKey: "token-bin"}, false},
		{"reserved-key", grpcx.ServerConfig{PriorityKey: "grpc-timeout"}, false},
		{"dash-rate-key", grpcx.ServerConfig{RateLimitKey: "-"}, true},
		{"space", grpcx.ServerConfig{PriorityKey: "x priority"}, false},
		{"bad-deadline", grpcx.ServerConfig{Deadline: &deadline.ServerConfig{Max: -1}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate() = %v want ok %v", err, tc.ok)
			}
			if _, uerr := grpcx.UnaryServerInterceptor(tc.cfg); (uerr == nil) != tc.ok {
				t.Errorf("UnaryServerInterceptor error = %v want ok %v", uerr, tc.ok)
			}
			if _, serr := grpcx.StreamServerInterceptor(tc.cfg); (serr == nil) != tc.ok {
				t.Errorf("StreamServerInterceptor error = %v want ok %v", serr, tc.ok)
			}
		})
	}
}
