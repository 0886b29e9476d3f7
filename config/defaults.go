package config

import (
	"reflect"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/fallback"
	"github.com/resilience-go/resilience/hedge"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/ratelimit/redisrate"
	"github.com/resilience-go/resilience/retry"
	"github.com/resilience-go/resilience/timeout"
)

// defaults gives, per type, the value a block of that type starts from
// before the file's keys are decoded onto it: the policy packages'
// DefaultConfig where one exists, so that the parsed Config spells every
// default out and an explicit zero in the file still wins.
var defaults = map[reflect.Type]func() any{
	reflect.TypeFor[Config]():                 func() any { return defaultConfig() },
	reflect.TypeFor[Listener]():               func() any { return defaultListener() },
	reflect.TypeFor[Route]():                  func() any { return Route{Match: Match{PathPrefix: "/"}} },
	reflect.TypeFor[Cluster]():                func() any { return defaultCluster() },
	reflect.TypeFor[circuitbreaker.Config]():  func() any { return circuitbreaker.DefaultConfig() },
	reflect.TypeFor[RetryPolicy]():            func() any { return defaultRetry() },
	reflect.TypeFor[retry.BudgetConfig]():     func() any { return retry.DefaultBudgetConfig() },
	reflect.TypeFor[hedge.Config]():           func() any { return hedge.DefaultConfig() },
	reflect.TypeFor[ratelimit.Config]():       func() any { return ratelimit.DefaultConfig(0) },
	reflect.TypeFor[ratelimit.WindowConfig](): func() any { return ratelimit.WindowConfig{Window: time.Second} },
	reflect.TypeFor[ratelimit.KeyedConfig]():  func() any { return defaultKeyed() },
	reflect.TypeFor[redisrate.Config]():       func() any { return redisrate.DefaultConfig(0) },
	reflect.TypeFor[bulkhead.Config]():        func() any { return bulkhead.DefaultConfig() },
	reflect.TypeFor[adaptive.Config]():        func() any { return adaptive.DefaultConfig() },
	reflect.TypeFor[adaptive.ShedderConfig](): func() any { return adaptive.DefaultShedderConfig() },
	reflect.TypeFor[fallback.CacheConfig]():   func() any { return fallback.DefaultCacheConfig() },
	reflect.TypeFor[StaticResponse]():         func() any { return StaticResponse{Status: 503} },
	reflect.TypeFor[chaos.Config]():           func() any { return chaos.DefaultConfig() },
	reflect.TypeFor[DeadlinePolicy]():         func() any { return defaultDeadline() },
	reflect.TypeFor[discovery.FileConfig]():   func() any { return defaultFile() },
	reflect.TypeFor[discovery.DNSConfig]():    func() any { return defaultDNS() },
	reflect.TypeFor[EtcdDiscovery]():          func() any { return defaultEtcd() },
	reflect.TypeFor[RingHashOptions]():        func() any { return RingHashOptions{VirtualNodes: 160, LoadFactor: 1.25} },
	reflect.TypeFor[PeakEWMAOptions]():        func() any { return PeakEWMAOptions{Decay: 10 * time.Second} },
	reflect.TypeFor[HealthCheck]():            func() any { return defaultHealthCheck() },
	reflect.TypeFor[OutlierDetection]():       func() any { return defaultOutlier() },
}

// newDefault returns an addressable value of type t holding its default,
// or its zero value.
func newDefault(t reflect.Type) reflect.Value {
	v := reflect.New(t).Elem()
	if f := defaults[t]; f != nil {
		v.Set(reflect.ValueOf(f()))
	}
	return v
}

func defaultConfig() Config {
	return Config{Admin: Admin{Enabled: true, Address: DefaultAdminAddress, Dashboard: true}}
}

func defaultListener() Listener {
	return Listener{
		Address:        DefaultListenAddress,
		Protocols:      []string{"http1"},
		Timeouts:       ServerTimeouts{ReadHeader: DefaultReadHeaderTimeout, Idle: DefaultIdleTimeout},
		MaxHeaderBytes: DefaultMaxHeaderBytes,
	}
}

func defaultCluster() Cluster {
	return Cluster{
		LoadBalancing: LoadBalancing{Policy: LBRoundRobin},
		Upstream:      Upstream{MaxConnsPerHost: DefaultMaxConnsPerHost, IdleConnTimeout: 90 * time.Second, DialTimeout: 5 * time.Second},
	}
}

func defaultRetry() RetryPolicy {
	return RetryPolicy{Config: retry.DefaultConfig(), RetryOnStatus: []int{502, 503, 504}}
}

func defaultKeyed() ratelimit.KeyedConfig {
	return ratelimit.KeyedConfig{Per: time.Second, MaxKeys: ratelimit.DefaultMaxKeys, IdleTimeout: ratelimit.DefaultIdleTimeout}
}

func defaultDeadline() DeadlinePolicy {
	return DeadlinePolicy{Server: deadline.DefaultServerConfig(), Propagate: deadline.DefaultConfig()}
}

func defaultFile() discovery.FileConfig {
	return discovery.FileConfig{Interval: discovery.DefaultFileInterval, MaxSize: discovery.DefaultMaxFileSize}
}

func defaultDNS() discovery.DNSConfig {
	return discovery.DNSConfig{Refresh: discovery.DefaultDNSRefresh, Timeout: discovery.DefaultLookupTimeout}
}

func defaultEtcd() EtcdDiscovery {
	return EtcdDiscovery{Prefix: "/services/", DialTimeout: 5 * time.Second, OpTimeout: 5 * time.Second,
		RetryInterval: time.Second, MaxReconnectDelay: 5 * time.Second}
}

func defaultHealthCheck() HealthCheck {
	return HealthCheck{Protocol: "http", Path: "/healthz", Interval: 10 * time.Second, Timeout: time.Second,
		HealthyThreshold: 2, UnhealthyThreshold: 3}
}

func defaultOutlier() OutlierDetection {
	return OutlierDetection{ConsecutiveFailures: 5, Interval: 10 * time.Second, BaseEjectionTime: 30 * time.Second,
		MaxEjectionTime: 300 * time.Second, MaxEjectionPercent: 10}
}

// shorthands lets a block be written as a scalar or a list that sets one
// of its keys: "timeout: 2s", "static: [a:1, b:2]",
// "load_balancing: least_request".
var shorthands = map[reflect.Type]map[yaml.Kind]string{
	reflect.TypeFor[timeout.Config]():         {yaml.ScalarNode: "timeout"},
	reflect.TypeFor[discovery.StaticConfig](): {yaml.SequenceNode: "endpoints"},
	reflect.TypeFor[LoadBalancing]():          {yaml.ScalarNode: "policy"},
}

func shorthandKey(t reflect.Type, k yaml.Kind) string { return shorthands[t][k] }
