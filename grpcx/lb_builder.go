package grpcx

import (
	"encoding/json"
	"fmt"
	"strings"

	gbalancer "google.golang.org/grpc/balancer"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/serviceconfig"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/balancer"
	"github.com/resilience-go/resilience/clock"
)

// BalancerName is the name under which the package registers its balancer
// with grpc-go, for service configs:
//
//	{"loadBalancingConfig": [{"resilience_balancer": {"policy": "peak_ewma"}}]}
const BalancerName = "resilience_balancer"

func init() {
	b, err := NewBalancerBuilder(BalancerBuilderConfig{})
	if err != nil {
		panic(err) // unreachable: the zero config is valid
	}
	gbalancer.Register(b)
}

// BalancerBuilderConfig configures a BalancerBuilder: what a service
// config cannot say. The zero value is valid; it is what the builder
// registered as BalancerName uses.
type BalancerBuilderConfig struct {
	// Name is the policy name to register the builder under. Empty means
	// BalancerName; give another one to register a second builder, with
	// other settings, beside the default.
	Name string `yaml:"name" json:"name"`
	// Prober probes an endpoint when the service config asks for health
	// checks. Nil means a grpc.health.v1 Health/Check over the endpoint's
	// own connection (the SubConn), for the config's serviceName: no
	// connection of its own, and a check of exactly the path calls take.
	// Set HealthProber{} to probe over a fresh connection each time
	// instead.
	Prober balancer.Prober `yaml:"-" json:"-"`
	// Classifier decides how a call's error counts for outlier detection.
	// Nil means by the status code, as OutcomeFor says, the same
	// classification as the client interceptors'.
	Classifier resilience.Classifier `yaml:"-" json:"-"`
	// Listener receives the events of every balancer built (Policy
	// "balancer", Name the ClientConn's target): ejections, health
	// transitions, rejected picks. Nil means none.
	Listener resilience.Listener `yaml:"-" json:"-"`
	// Clock times outlier detection, health checks and peak_ewma's
	// latencies. Nil means the real clock; tests pass clock.NewManual.
	Clock clock.Clock `yaml:"-" json:"-"`
}

// Validate reports the first invalid field, naming it.
func (c BalancerBuilderConfig) Validate() error {
	if c.Name != strings.ToLower(c.Name) || strings.TrimSpace(c.Name) != c.Name {
		return fmt.Errorf("grpcx: balancer builder: Name %q must be lower case without surrounding spaces", c.Name)
	}
	return nil
}

// BalancerBuilder is a grpc-go balancer.Builder, and ConfigParser, of the
// resilience balancer: our balancer package's pickers, outlier detection
// and health checks over grpc-go's SubConns. See the package
// documentation's Balancer section for how it works. The package registers
// one with the zero BalancerBuilderConfig as BalancerName; build others
// with NewBalancerBuilder and register them with
// google.golang.org/grpc/balancer.Register. It is safe for concurrent use.
type BalancerBuilder struct {
	cfg  BalancerBuilderConfig
	name string
	clk  clock.Clock
}

var (
	_ gbalancer.Builder      = (*BalancerBuilder)(nil)
	_ gbalancer.ConfigParser = (*BalancerBuilder)(nil)
)

// NewBalancerBuilder returns a BalancerBuilder configured by cfg, or
// cfg.Validate's error.
func NewBalancerBuilder(cfg BalancerBuilderConfig) (*BalancerBuilder, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := &BalancerBuilder{cfg: cfg, name: cfg.Name, clk: clock.Or(cfg.Clock)}
	if b.name == "" {
		b.name = BalancerName
	}
	return b, nil
}

// Name returns the policy name.
func (b *BalancerBuilder) Name() string { return b.name }

// ParseConfig decodes and validates the policy's configuration in a
// service config (see BalancerConfig).
func (b *BalancerBuilder) ParseConfig(js json.RawMessage) (serviceconfig.LoadBalancingConfig, error) {
	bc, cfg, err := ParseBalancerConfig(js)
	if err != nil {
		return nil, err
	}
	return &lbConfig{json: string(js), bc: bc, cfg: cfg}, nil
}

// lbConfig is a parsed configuration: what ParseConfig returns to grpc-go
// and UpdateClientConnState gets back.
type lbConfig struct {
	serviceconfig.LoadBalancingConfig
	json string // the source, to tell a changed configuration
	bc   BalancerConfig
	cfg  balancer.Config
}

// defaultLBConfig is the configuration of a balancer selected without one.
var defaultLBConfig = &lbConfig{json: "{}"}

// Build returns a balancer for cc. It connects to nothing until grpc-go
// gives it addresses.
func (b *BalancerBuilder) Build(cc gbalancer.ClientConn, opts gbalancer.BuildOptions) gbalancer.Balancer {
	lb := &lbBalancer{
		b:       b,
		cc:      cc,
		target:  opts.Target.String(),
		entries: map[string]*scEntry{},
		state:   connectivity.Connecting,
	}
	lb.probeConns.Store(&map[string]*scEntry{})
	return lb
}
