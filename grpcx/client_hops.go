package grpcx

import (
	"context"
	"strconv"
	"sync"

	"google.golang.org/grpc/metadata"

	"github.com/resilience-go/resilience/deadline"
)

// hopMDs holds a read-only outgoing metadata for each small hop count,
// made once: most calls carry no other outgoing metadata, and attaching a
// shared MD costs two allocations where metadata.AppendToOutgoingContext
// costs five. grpc-go only reads it; interceptors that want to change
// outgoing metadata get a copy from metadata.FromOutgoingContext.
var hopMDs = sync.OnceValue(func() []metadata.MD {
	mds := make([]metadata.MD, maxSharedHops+1)
	for h := 1; h <= maxSharedHops; h++ {
		mds[h] = metadata.MD{deadline.GRPCHopsKey: {strconv.Itoa(h)}}
	}
	return mds
})

// maxSharedHops bounds the hop counts of hopMDs: deadline.DefaultMaxHops,
// and a margin.
const maxSharedHops = 2 * deadline.DefaultMaxHops

// withHops returns ctx with hops as its deadline.GRPCHopsKey outgoing
// metadata, replacing any value of that key already there (one forwarded
// from incoming metadata, say).
func withHops(ctx context.Context, hops int) context.Context {
	md, ok := metadata.FromOutgoingContext(ctx) // a copy, or nil without allocating
	if !ok {
		if hops > 0 && hops <= maxSharedHops {
			return metadata.NewOutgoingContext(ctx, hopMDs()[hops])
		}
		md = metadata.MD{}
	}
	md[deadline.GRPCHopsKey] = []string{strconv.Itoa(hops)}
	return metadata.NewOutgoingContext(ctx, md)
}
