package status

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// UnaryServerInterceptor converts handler errors with the zero Config; see
// Codec.UnaryServerInterceptor.
func UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return defaultCodec.UnaryServerInterceptor()
}

// StreamServerInterceptor converts handler errors with the zero Config; see
// Codec.StreamServerInterceptor.
func StreamServerInterceptor() grpc.StreamServerInterceptor {
	return defaultCodec.StreamServerInterceptor()
}

// UnaryClientInterceptor converts statuses with the zero Config; see
// Codec.UnaryClientInterceptor.
func UnaryClientInterceptor() grpc.UnaryClientInterceptor {
	return defaultCodec.UnaryClientInterceptor()
}

// StreamClientInterceptor converts statuses with the zero Config; see
// Codec.StreamClientInterceptor.
func StreamClientInterceptor() grpc.StreamClientInterceptor {
	return defaultCodec.StreamClientInterceptor()
}

// UnaryServerInterceptor returns an interceptor that answers a handler's
// error with FromError's status, so handlers can return *errcode.Error
// values and internal errors never reach the client. Install it innermost
// (last in grpc.ChainUnaryInterceptor), so the other interceptors see the
// status.
func (c *Codec) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		if err != nil {
			return resp, c.FromError(err).Err()
		}
		return resp, nil
	}
}

// StreamServerInterceptor is UnaryServerInterceptor for streams.
func (c *Codec) StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if err := handler(srv, ss); err != nil {
			return c.FromError(err).Err()
		}
		return nil
	}
}

// UnaryClientInterceptor returns an interceptor that turns statuses
// carrying business errors into *BusinessError values and leaves every
// other error as it is. Install it innermost (last in
// grpc.WithChainUnaryInterceptor), after grpcx's client interceptor, so
// that breakers and retries see the business error and treat it as a
// success.
func (c *Codec) UnaryClientInterceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		return c.convert(invoker(ctx, method, req, reply, cc, opts...))
	}
}

// StreamClientInterceptor is UnaryClientInterceptor for streams: errors
// returned by the stream's creation, RecvMsg and SendMsg are converted.
func (c *Codec) StreamClientInterceptor() grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		cs, err := streamer(ctx, desc, cc, method, opts...)
		if err != nil {
			return nil, c.convert(err)
		}
		return &clientStream{ClientStream: cs, c: c}, nil
	}
}

// convert replaces a status error carrying a business error by a
// *BusinessError, and returns every other error unchanged.
func (c *Codec) convert(err error) error {
	if err == nil {
		return nil
	}
	gs, ok := err.(interface{ GRPCStatus() *status.Status })
	if !ok {
		return err
	}
	if _, done := err.(*BusinessError); done {
		return err
	}
	st := gs.GRPCStatus()
	if st == nil {
		return err
	}
	if e, ok := c.decode(st); ok {
		return &BusinessError{err: e, st: st}
	}
	return err
}

type clientStream struct {
	grpc.ClientStream
	c *Codec
}

func (s *clientStream) RecvMsg(m any) error { return s.c.convert(s.ClientStream.RecvMsg(m)) }

func (s *clientStream) SendMsg(m any) error { return s.c.convert(s.ClientStream.SendMsg(m)) }
