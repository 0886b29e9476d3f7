package grpcx

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	gbalancer "google.golang.org/grpc/balancer"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/resilience-go/resilience/balancer"
)

// grpcConn is what a health probe needs of a connection.
type grpcConn = grpc.ClientConnInterface

// healthProducerBuilder hands out a SubConn as a grpc.ClientConnInterface:
// grpc-go builds producers with the SubConn's own connection, which is how
// its health and load reporting producers make calls on one SubConn.
type healthProducerBuilder struct{}

func (healthProducerBuilder) Build(cc any) (gbalancer.Producer, func()) { return cc, func() {} }

// subConnProber probes an endpoint over its SubConn: the default Prober of
// the balancer's health checks.
type subConnProber struct {
	lb      *lbBalancer
	service string
}

func (p *subConnProber) Probe(ctx context.Context, e balancer.Endpoint) error {
	entry := (*p.lb.probeConns.Load())[e.ID]
	if entry == nil || entry.health == nil {
		return fmt.Errorf("grpcx: health probe of %s: no connection", e.Addr)
	}
	return checkHealth(ctx, entry.health, p.service, e.Addr)
}

// HealthProber is a balancer.Prober that asks an endpoint's grpc.health.v1
// Health service whether Service is SERVING, over a connection of its own
// made for each probe and closed after it, so that a probe also tests
// connection setup and leaves nothing open between probes. Use it with
// balancer.Balancer outside grpc-go (a proxy), or as
// BalancerBuilderConfig.Prober to probe over fresh connections instead of
// the SubConns'. The zero value checks the whole server ("") over
// plaintext.
//
// A server without a Health service (Unimplemented) counts as healthy, as
// grpc-go's own client health checking does; any status but SERVING, and
// any other error, as unhealthy.
type HealthProber struct {
	// Service is the service name asked about. Empty means the server as a
	// whole.
	Service string
	// DialOptions dial the endpoint. Nil means plaintext
	// (insecure.NewCredentials()); pass credentials here for TLS.
	DialOptions []grpc.DialOption
}

var _ balancer.Prober = HealthProber{}

// Probe dials e.Addr, asks Health/Check for p.Service within ctx, and
// closes the connection.
func (p HealthProber) Probe(ctx context.Context, e balancer.Endpoint) error {
	opts := p.DialOptions
	if opts == nil {
		opts = []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	}
	conn, err := grpc.NewClient("passthrough:///"+e.Addr, opts...)
	if err != nil {
		return err
	}
	defer conn.Close()
	return checkHealth(ctx, conn, p.Service, e.Addr)
}

// checkHealth asks conn's Health service about service.
func checkHealth(ctx context.Context, conn grpcConn, service, addr string) error {
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		if status.Code(err) == codes.Unimplemented {
			return nil // no health service: nothing says it does not serve
		}
		return fmt.Errorf("grpcx: health probe of %s: %w", addr, err)
	}
	if s := resp.GetStatus(); s != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("%w: %s reports %s for service %q", balancer.ErrProbeFailed, addr, s, service)
	}
	return nil
}
