package balancer

import (
	"fmt"
	"math"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// Policy names a picking algorithm.
type Policy string

// The picking policies. See the package documentation for how each works.
const (
	// PolicyRoundRobin takes the endpoints in turn, ignoring weights.
	PolicyRoundRobin Policy = "round_robin"
	// PolicyRandom picks uniformly at random, or in proportion to the
	// weights when they differ.
	PolicyRandom Policy = "random"
	// PolicyWeightedRoundRobin is nginx's smooth weighted round robin.
	PolicyWeightedRoundRobin Policy = "weighted_round_robin"
	// PolicyLeastRequest takes the less loaded (fewer in-flight calls per
	// unit of weight) of two endpoints chosen at random.
	PolicyLeastRequest Policy = "least_request"
	// PolicyPeakEWMA takes the cheaper of two endpoints chosen at random,
	// where the cost is the peak-sensitive moving average of the latency
	// times the in-flight calls plus one.
	PolicyPeakEWMA Policy = "peak_ewma"
	// PolicyRingHash maps a key onto a consistent-hash ring with bounded
	// loads, so a key keeps its endpoint while loads stay balanced.
	PolicyRingHash Policy = "ring_hash"
)

// Config configures a Balancer. The zero Config is valid: round robin over
// every endpoint, no routing rules, no zone preference, no outlier
// detection, no active health checks, ErrNoEndpoint when nothing is
// available.
type Config struct {
	// Name identifies the balancer in events and metrics. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// Policy is the picking algorithm. Empty means PolicyRoundRobin.
	Policy Policy `yaml:"policy" json:"policy"`
	// RingHash tunes PolicyRingHash; ignored by the other policies.
	RingHash RingHashConfig `yaml:"ring_hash" json:"ring_hash"`
	// PeakEWMA tunes PolicyPeakEWMA; ignored by the other policies.
	PeakEWMA PeakEWMAConfig `yaml:"peak_ewma" json:"peak_ewma"`
	// Rules route calls to subsets of the endpoints, highest Priority
	// first (see Rule). Nil means every call goes to DefaultSubset.
	Rules []Rule `yaml:"rules" json:"rules"`
	// DefaultSubset selects the endpoints for calls that no rule takes:
	// those whose Metadata holds every pair. Nil or empty means every
	// endpoint. Set it to keep canary endpoints (version=v2) out of the
	// stable traffic (version=v1).
	DefaultSubset map[string]string `yaml:"default_subset" json:"default_subset"`
	// Zone prefers endpoints in the caller's zone. The zero value has no
	// preference.
	Zone ZoneConfig `yaml:"zone" json:"zone"`
	// Outlier ejects endpoints that fail, passively, from the outcomes
	// reported to Pick.Done. The zero value ejects nothing.
	Outlier OutlierConfig `yaml:"outlier" json:"outlier"`
	// HealthCheck probes endpoints actively. The zero value probes nothing.
	HealthCheck HealthCheckConfig `yaml:"health_check" json:"health_check"`
	// PanicMode, when true, makes a subset whose endpoints are all ejected
	// or unhealthy pick among all of them anyway, as Envoy does in panic
	// mode, on the theory that detection is wrong more often than every
	// endpoint is down. False means Pick fails with ErrNoEndpoint.
	PanicMode bool `yaml:"panic_mode" json:"panic_mode"`
	// TrackInFlight, when true, counts the calls in flight on every
	// endpoint, so that Stats reports InFlight, even with the policies
	// that do not need the counts: round_robin, random,
	// weighted_round_robin, and ring_hash with Unbounded. It costs two
	// atomic adds per call (one in Pick, one in Done). least_request,
	// peak_ewma and bounded ring_hash always count. False means those
	// policies count nothing and Stats reports InFlight -1.
	TrackInFlight bool `yaml:"track_in_flight" json:"track_in_flight"`
	// Seed, when non-zero, makes the random choices (PolicyRandom, the two
	// candidates of the P2C policies, percentage rules without a key)
	// reproducible, drawn from a counter shared by all callers. Zero means
	// the runtime's per-thread random source: faster under parallel load,
	// not reproducible.
	Seed uint64 `yaml:"seed" json:"seed"`
	// Classifier decides how an error given to Pick.Done counts for
	// outlier detection. Nil means resilience.Classify.
	Classifier resilience.Classifier `yaml:"-" json:"-"`
	// Listener receives EventStateChange when an endpoint is ejected,
	// returns, or changes health (From and To are "available", "ejected"
	// or "unhealthy"; Detail is the endpoint ID and the reason), and
	// EventRejected when Pick fails. Nil means no events, at no cost.
	Listener resilience.Listener `yaml:"-" json:"-"`
	// Clock times latencies, ejections and probes. Nil means the real
	// clock.
	Clock clock.Clock `yaml:"-" json:"-"`
}

// RingHashConfig tunes consistent hashing.
type RingHashConfig struct {
	// VirtualNodes is how many points an endpoint of average weight gets on
	// the ring; heavier endpoints get proportionally more, every endpoint
	// at least one. More points spread keys more evenly at the cost of
	// memory and rebuild time. Zero means 160; at most 10000.
	VirtualNodes int `yaml:"virtual_nodes" json:"virtual_nodes"`
	// LoadFactor is c in Google's consistent hashing with bounded loads: no
	// endpoint takes more than ceil(c × average) in-flight calls; a key
	// whose endpoint is full walks the ring to the next one with room.
	// Zero means 1.25; otherwise it must be at least 1.
	LoadFactor float64 `yaml:"load_factor" json:"load_factor"`
	// Unbounded, when true, turns the load bound off: a key always gets
	// the first endpoint clockwise of its hash.
	Unbounded bool `yaml:"unbounded" json:"unbounded"`
}

// PeakEWMAConfig tunes the latency-aware policy.
type PeakEWMAConfig struct {
	// Decay is the time constant of the moving average: a sample's
	// influence falls by e every Decay of clock time, and an idle
	// endpoint's estimate decays toward zero at the same pace, so it gets
	// tried again. Zero means 10s.
	Decay time.Duration `yaml:"decay" json:"decay"`
}

// ZoneConfig prefers the caller's zone.
type ZoneConfig struct {
	// Local is the caller's zone. Empty means no preference.
	Local string `yaml:"local" json:"local"`
	// MinHealthyShare is the share of the local zone's endpoints (of those
	// in the subset) that must be available for calls to stay in the
	// zone; below it, calls spill over to every available endpoint. Zero
	// means 0.7; otherwise in (0, 1].
	MinHealthyShare float64 `yaml:"min_healthy_share" json:"min_healthy_share"`
}

// DefaultConfig returns a Config with the least-request policy, the
// DefaultOutlierConfig and no health checks.
func DefaultConfig() Config {
	return Config{Policy: PolicyLeastRequest, Outlier: DefaultOutlierConfig()}
}

// Validate reports the first invalid field, e.g.
// "balancer: RingHash.LoadFactor 0.5 must be >= 1".
func (c Config) Validate() error {
	switch c.Policy {
	case "", PolicyRoundRobin, PolicyRandom, PolicyWeightedRoundRobin, PolicyLeastRequest, PolicyPeakEWMA, PolicyRingHash:
	default:
		return fmt.Errorf("balancer: Policy %q is unknown", c.Policy)
	}
	if v := c.RingHash.VirtualNodes; v < 0 || v > 10000 {
		return fmt.Errorf("balancer: RingHash.VirtualNodes %d must be in [0, 10000]", v)
	}
	if f := c.RingHash.LoadFactor; f != 0 && !(f >= 1 && f <= 1e6) {
		return fmt.Errorf("balancer: RingHash.LoadFactor %v must be >= 1 and finite", f)
	}
	if c.PeakEWMA.Decay < 0 {
		return fmt.Errorf("balancer: PeakEWMA.Decay %v must be >= 0", c.PeakEWMA.Decay)
	}
	if s := c.Zone.MinHealthyShare; s != 0 && !(s > 0 && s <= 1) {
		return fmt.Errorf("balancer: Zone.MinHealthyShare %v must be in (0, 1]", s)
	}
	if err := validateRules(c.Rules); err != nil {
		return err
	}
	if err := c.Outlier.validate(); err != nil {
		return err
	}
	return c.HealthCheck.validate()
}

func (c RingHashConfig) virtualNodes() int {
	if c.VirtualNodes == 0 {
		return 160
	}
	return c.VirtualNodes
}

func (c RingHashConfig) loadFactor() float64 {
	if c.LoadFactor == 0 {
		return 1.25
	}
	return c.LoadFactor
}

func (c PeakEWMAConfig) decay() time.Duration {
	if c.Decay == 0 {
		return 10 * time.Second
	}
	return c.Decay
}

func (c ZoneConfig) minHealthyShare() float64 {
	if c.MinHealthyShare == 0 {
		return 0.7
	}
	return c.MinHealthyShare
}

// finite reports whether f is neither NaN nor infinite.
func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
