package config

import (
	"time"

	"github.com/resilience-go/resilience/discovery"
)

// Cluster is an upstream service: where its endpoints come from, how a
// request picks one, and how unhealthy ones are kept out.
type Cluster struct {
	// Name identifies the cluster in routes, events and metrics. Required
	// and unique; letters, digits and "-_." only. It is also the service
	// name given to discovery when that names none.
	Name string `yaml:"name" json:"name"`
	// Discovery finds the endpoints. Required.
	Discovery Discovery `yaml:"discovery" json:"discovery"`
	// LoadBalancing picks an endpoint per request; the shorthand
	// "load_balancing: least_request" sets its Policy alone. Omitted means
	// round robin.
	LoadBalancing LoadBalancing `yaml:"load_balancing" json:"load_balancing"`
	// HealthCheck probes endpoints actively. Nil means no probing.
	HealthCheck *HealthCheck `yaml:"health_check" json:"health_check"`
	// OutlierDetection ejects endpoints that fail requests, passively. Nil
	// means no ejection.
	OutlierDetection *OutlierDetection `yaml:"outlier_detection" json:"outlier_detection"`
	// Upstream tunes the connections to the endpoints.
	Upstream Upstream `yaml:"upstream" json:"upstream"`
}

// Discovery holds exactly one source of endpoints, each with the
// discovery packages' own configs except Etcd: EtcdDiscovery is the
// service to watch plus the connection settings of discovery/etcd.Config
// that a file can carry (not its registration TTL, TLS config, clock or
// listener).
type Discovery struct {
	// Static is a fixed list of endpoints, "host:port" optionally followed
	// by ";weight=N;zone=Z" (see discovery.ParseEndpoint); the shorthand
	// "static: [a:1, b:2]" lists the endpoints alone. Its Service defaults
	// to the cluster's name.
	Static *discovery.StaticConfig `yaml:"static" json:"static"`
	// File reads the endpoints from a JSON file and watches it.
	File *discovery.FileConfig `yaml:"file" json:"file"`
	// DNS resolves A/AAAA or SRV records, again every Refresh. Its Service
	// defaults to the cluster's name.
	DNS *discovery.DNSConfig `yaml:"dns" json:"dns"`
	// Etcd watches the instances registered in etcd.
	Etcd *EtcdDiscovery `yaml:"etcd" json:"etcd"`
}

// EtcdDiscovery is the YAML face of discovery/etcd.Config: each field
// carries the same name, meaning, default and validation, plus Service,
// the service to watch. The proxy copies it field by field.
type EtcdDiscovery struct {
	// Service is the service whose instances are watched. Empty means the
	// cluster's name.
	Service string `yaml:"service" json:"service"`
	// Endpoints are the etcd client URLs ("http://127.0.0.1:2379"). At
	// least one is required.
	Endpoints []string `yaml:"endpoints" json:"endpoints"`
	// Prefix is the key prefix; it must start and end with '/'. Empty
	// means "/services/".
	Prefix string `yaml:"prefix" json:"prefix"`
	// DialTimeout bounds each attempt to connect. Zero means 5s.
	DialTimeout time.Duration `yaml:"dial_timeout" json:"dial_timeout"`
	// OpTimeout bounds each request to etcd. Zero means 5s.
	OpTimeout time.Duration `yaml:"op_timeout" json:"op_timeout"`
	// RetryInterval is the wait before restoring a broken watch. Zero
	// means 1s.
	RetryInterval time.Duration `yaml:"retry_interval" json:"retry_interval"`
	// MaxReconnectDelay caps the wait between reconnection attempts. Zero
	// means 5s.
	MaxReconnectDelay time.Duration `yaml:"max_reconnect_delay" json:"max_reconnect_delay"`
	// Username authenticates to etcd. Empty means none.
	Username string `yaml:"username" json:"username"`
	// Password goes with Username. Redacted by Redacted.
	Password string `yaml:"password" json:"password"`
}

// The load-balancing policies, as balancer.Policy names them.
const (
	LBRoundRobin         = "round_robin"
	LBRandom             = "random"
	LBWeightedRoundRobin = "weighted_round_robin"
	LBLeastRequest       = "least_request"
	LBPeakEWMA           = "peak_ewma"
	LBRingHash           = "ring_hash"
)

// LoadBalancing picks an endpoint for each request. It maps onto
// balancer.Config: Policy onto Policy (same names), RingHash's
// VirtualNodes and LoadFactor onto RingHash, PeakEWMA onto PeakEWMA,
// PanicMode onto PanicMode; the proxy reads RingHash.Key from each request
// and passes it to the balancer as the hash key.
type LoadBalancing struct {
	// Policy is round_robin, random, weighted_round_robin,
	// least_request (power of two choices), peak_ewma or ring_hash.
	// Empty means round_robin.
	Policy string `yaml:"policy" json:"policy"`
	// RingHash tunes ring_hash; it is an error with another policy.
	RingHash *RingHashOptions `yaml:"ring_hash" json:"ring_hash"`
	// PeakEWMA tunes peak_ewma; it is an error with another policy.
	PeakEWMA *PeakEWMAOptions `yaml:"peak_ewma" json:"peak_ewma"`
	// PanicMode, when every endpoint is ejected or unhealthy, picks among
	// all of them anyway instead of failing. False means fail with 503.
	PanicMode bool `yaml:"panic_mode" json:"panic_mode"`
}

// RingHashOptions tunes consistent hashing.
type RingHashOptions struct {
	// Key is what is hashed. Required.
	Key KeySource `yaml:"key" json:"key"`
	// VirtualNodes is how many ring points an endpoint of average weight
	// gets. Zero means 160; at most 10000.
	VirtualNodes int `yaml:"virtual_nodes" json:"virtual_nodes"`
	// LoadFactor bounds an endpoint's load to LoadFactor times the
	// average. Zero means 1.25; otherwise at least 1.
	LoadFactor float64 `yaml:"load_factor" json:"load_factor"`
}

// PeakEWMAOptions tunes the latency-aware policy.
type PeakEWMAOptions struct {
	// Decay is the time constant of the latency average. Zero means 10s.
	Decay time.Duration `yaml:"decay" json:"decay"`
}

// HealthCheck probes each endpoint actively. It maps onto
// balancer.HealthCheckConfig field by field.
type HealthCheck struct {
	// Protocol is "http" (GET Path, healthy on 2xx) or "tcp" (a
	// connection is accepted). Empty means http.
	Protocol string `yaml:"protocol" json:"protocol"`
	// Path is the path probed over http. Empty means /healthz; it must be
	// empty for tcp.
	Path string `yaml:"path" json:"path"`
	// Interval is the pause between probes of an endpoint. Zero means
	// 10s; at least 1ms.
	Interval time.Duration `yaml:"interval" json:"interval"`
	// Timeout bounds each probe. Zero means 1s.
	Timeout time.Duration `yaml:"timeout" json:"timeout"`
	// HealthyThreshold is how many passing probes in a row bring an
	// endpoint back. Zero means 2.
	HealthyThreshold int `yaml:"healthy_threshold" json:"healthy_threshold"`
	// UnhealthyThreshold is how many failing probes in a row take it out.
	// Zero means 3.
	UnhealthyThreshold int `yaml:"unhealthy_threshold" json:"unhealthy_threshold"`
}

// OutlierDetection ejects endpoints that fail requests. It maps onto
// balancer.OutlierConfig field by field (same keys); the balancer's
// success-rate detection is not exposed and stays off
// (SuccessRateStdevFactor 0).
type OutlierDetection struct {
	// ConsecutiveFailures ejects an endpoint after this many failed
	// requests in a row (transport errors and 5xx). Omitted from the file
	// means 5; zero turns this detection off.
	ConsecutiveFailures int `yaml:"consecutive_failures" json:"consecutive_failures"`
	// Interval is how often ejections are reviewed. Zero means 10s; at
	// least 1ms.
	Interval time.Duration `yaml:"interval" json:"interval"`
	// BaseEjectionTime is how long a first ejection lasts; repeated
	// ejections last longer. Zero means 30s.
	BaseEjectionTime time.Duration `yaml:"base_ejection_time" json:"base_ejection_time"`
	// MaxEjectionTime caps an ejection. Zero means 300s; at least
	// BaseEjectionTime.
	MaxEjectionTime time.Duration `yaml:"max_ejection_time" json:"max_ejection_time"`
	// MaxEjectionPercent caps the share of endpoints ejected at once, in
	// (0, 100]; one endpoint may always be. Zero means 10.
	MaxEjectionPercent float64 `yaml:"max_ejection_percent" json:"max_ejection_percent"`
}

// DefaultMaxConnsPerHost is Upstream.MaxConnsPerHost when zero.
const DefaultMaxConnsPerHost = 128

// Upstream tunes the proxy's HTTP transport to a cluster.
type Upstream struct {
	// MaxIdleConnsPerHost is how many idle connections are kept per
	// endpoint. Zero means MaxConnsPerHost, so that every connection
	// opened can be reused: fewer than the requests in flight makes the
	// proxy dial and close a connection for many of them.
	MaxIdleConnsPerHost int `yaml:"max_idle_conns_per_host" json:"max_idle_conns_per_host"`
	// MaxConnsPerHost caps the connections open to one endpoint; requests
	// beyond it wait for one to be free (within their timeout). An HTTP/1.1
	// connection carries one request at a time, so this is also the most
	// requests in flight to the endpoint: at 50ms per request, 128
	// connections carry about 2500 requests/s; raise it for slow
	// upstreams. Each connection costs the proxy about 20 KB (two
	// goroutines and 8 KB of buffers), and the cap bounds that, and the
	// upstream's load, when thousands of clients are connected at once.
	// Zero means DefaultMaxConnsPerHost (128).
	MaxConnsPerHost int `yaml:"max_conns_per_host" json:"max_conns_per_host"`
	// IdleConnTimeout closes connections idle this long. Zero means
	// 90s.
	IdleConnTimeout time.Duration `yaml:"idle_conn_timeout" json:"idle_conn_timeout"`
	// DialTimeout bounds connecting to an endpoint. Zero means 5s.
	DialTimeout time.Duration `yaml:"dial_timeout" json:"dial_timeout"`
}
