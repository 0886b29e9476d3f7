package deadline

import "context"

type hopsKey struct{}

// WithHops returns a context that records that the request being served
// has travelled n hops; the Stamp methods send n+1 to the next hop. A
// negative n is stored as 0. Server.FromRequest and Server.FromGRPC call it
// for you.
func WithHops(ctx context.Context, n int) context.Context {
	if n < 0 {
		n = 0
	}
	return context.WithValue(ctx, hopsKey{}, n)
}

// HopsFromContext returns the hop count recorded by WithHops, or 0 when
// ctx carries none (the caller is the first hop).
func HopsFromContext(ctx context.Context) int {
	n, _ := ctx.Value(hopsKey{}).(int)
	return n
}
