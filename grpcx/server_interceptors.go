package grpcx

import (
	"context"
	"fmt"
	"runtime/debug"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience"
)

// UnaryServerInterceptor returns the unary interceptor of NewServer(cfg),
// or cfg.Validate's error.
func UnaryServerInterceptor(cfg ServerConfig) (grpc.UnaryServerInterceptor, error) {
	s, err := NewServer(cfg)
	if err != nil {
		return nil, err
	}
	return s.UnaryInterceptor(), nil
}

// StreamServerInterceptor returns the stream interceptor of NewServer(cfg),
// or cfg.Validate's error. Interceptors made by separate calls share no
// state; use one Server for both to share counters.
func StreamServerInterceptor(cfg ServerConfig) (grpc.StreamServerInterceptor, error) {
	s, err := NewServer(cfg)
	if err != nil {
		return nil, err
	}
	return s.StreamInterceptor(), nil
}

// UnaryInterceptor returns the unary server interceptor: it admits each
// call through the configured policies (see ServerConfig), answers refused
// calls with their status, and runs the handler in the derived context.
func (s *Server) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return s.unary
}

func (s *Server) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	if s.recover {
		defer s.recoverPanic(info.FullMethod, &err)
	}
	var a admission
	defer a.done()
	hctx, err := s.admit(ctx, &a)
	if err != nil {
		a.finish(err)
		if a.pushback != 0 {
			_ = grpc.SetTrailer(ctx, pushbackTrailer(a.pushback))
		}
		return nil, err
	}
	resp, err = handler(hctx, req)
	a.finish(err)
	return resp, err
}

// StreamInterceptor returns the stream server interceptor: it admits each
// stream as UnaryInterceptor admits a call, and the handler's stream
// reports the derived context from Context. A concurrency slot is held
// until the handler returns.
func (s *Server) StreamInterceptor() grpc.StreamServerInterceptor {
	return s.stream
}

func (s *Server) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
	if s.recover {
		defer s.recoverPanic(info.FullMethod, &err)
	}
	var a admission
	defer a.done()
	ctx := ss.Context()
	hctx, err := s.admit(ctx, &a)
	if err != nil {
		a.finish(err)
		if a.pushback != 0 {
			ss.SetTrailer(pushbackTrailer(a.pushback))
		}
		return err
	}
	if hctx != ctx {
		ss = &serverStream{ServerStream: ss, ctx: hctx}
	}
	err = handler(srv, ss)
	a.finish(err)
	return err
}

// serverStream is a ServerStream whose Context is the admitted one.
type serverStream struct {
	grpc.ServerStream
	ctx context.Context
}

// Context returns the context the interceptor derived.
func (s *serverStream) Context() context.Context { return s.ctx }

// errInternal answers a call whose handler panicked; it reveals nothing.
var errInternal = status.Error(codes.Internal, "internal error")

// PanicError is the Err of the EventPanic a Server reports for a recovered
// panic. It is for operators (logs, alerts), never sent to the client. It
// matches resilience.ErrPanicked.
type PanicError struct {
	// Method is the full method name of the call that panicked.
	Method string
	// Value is the value the handler panicked with.
	Value any
	// Stack is the panicking goroutine's stack trace.
	Stack []byte
}

// Error returns "grpcx: panic in <method>: <value>".
func (e *PanicError) Error() string {
	return fmt.Sprintf("grpcx: panic in %s: %v", e.Method, e.Value)
}

// Is reports whether target is resilience.ErrPanicked.
func (e *PanicError) Is(target error) bool { return target == resilience.ErrPanicked }

// recoverPanic, deferred, turns a handler's panic into Internal.
func (s *Server) recoverPanic(method string, err *error) {
	v := recover()
	if v == nil {
		return
	}
	s.panics.Add(1)
	if s.listener != nil {
		s.listener.OnEvent(resilience.Event{
			Kind:   resilience.EventPanic,
			Policy: "grpcx",
			Name:   s.name,
			Err:    &PanicError{Method: method, Value: v, Stack: debug.Stack()},
			Detail: method,
		})
	}
	*err = errInternal
}
