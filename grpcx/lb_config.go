package grpcx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"google.golang.org/grpc/serviceconfig"

	"github.com/resilience-go/resilience/balancer"
)

// BalancerConfig is the configuration of the resilience balancer in a gRPC
// service config, under its name in loadBalancingConfig:
//
//	{"loadBalancingConfig": [{"resilience_balancer": {
//		"policy": "peak_ewma",
//		"outlier": {"consecutiveFailures": 5, "baseEjectionTime": "30s"},
//		"healthCheck": {"interval": "5s", "serviceName": ""}
//	}}]}
//
// Keys are in lowerCamelCase, as everywhere in a service config; durations
// are strings that time.ParseDuration reads ("1.5s", "300ms"). Unknown keys
// are errors. Each field mirrors a field of balancer.Config, which
// documents its zero value. The zero BalancerConfig ({}) picks round robin
// with neither outlier detection nor health checks.
type BalancerConfig struct {
	serviceconfig.LoadBalancingConfig `json:"-"`

	// Policy is balancer.Config.Policy: round_robin, random,
	// weighted_round_robin (by the instances' weights), least_request,
	// peak_ewma or ring_hash (keyed by balancer.WithKey on the call's
	// context). Empty means round_robin.
	Policy string `json:"policy,omitempty"`
	// PeakEWMA tunes peak_ewma.
	PeakEWMA *PeakEWMAJSON `json:"peakEwma,omitempty"`
	// RingHash tunes ring_hash.
	RingHash *RingHashJSON `json:"ringHash,omitempty"`
	// Zone prefers the caller's zone (the instances' Zone).
	Zone *ZoneJSON `json:"zone,omitempty"`
	// DefaultSubset keeps calls on the instances whose Metadata holds
	// every pair. Empty means every instance.
	DefaultSubset map[string]string `json:"defaultSubset,omitempty"`
	// PanicMode picks among every connected endpoint when outlier
	// detection and health checks have taken all of them out. False fails
	// the calls instead (Unavailable, or waiting for wait-for-ready calls).
	PanicMode bool `json:"panicMode,omitempty"`
	// Outlier turns on passive outlier detection. Absent means none.
	Outlier *OutlierJSON `json:"outlier,omitempty"`
	// HealthCheck turns on active health checking with the grpc.health.v1
	// protocol. Absent means none.
	HealthCheck *HealthCheckJSON `json:"healthCheck,omitempty"`
}

// PeakEWMAJSON is balancer.PeakEWMAConfig in a service config.
type PeakEWMAJSON struct {
	// Decay is the moving average's time constant. Empty means 10s.
	Decay Duration `json:"decay,omitempty"`
}

// RingHashJSON is balancer.RingHashConfig in a service config.
type RingHashJSON struct {
	// VirtualNodes is the ring points per endpoint of average weight. Zero
	// means 160.
	VirtualNodes int `json:"virtualNodes,omitempty"`
	// LoadFactor bounds each endpoint's load. Zero means 1.25.
	LoadFactor float64 `json:"loadFactor,omitempty"`
	// Unbounded turns the load bound off.
	Unbounded bool `json:"unbounded,omitempty"`
}

// ZoneJSON is balancer.ZoneConfig in a service config.
type ZoneJSON struct {
	// Local is the caller's zone. Empty means no preference.
	Local string `json:"local,omitempty"`
	// MinHealthyShare of the local zone must be available to stay in it.
	// Zero means 0.7.
	MinHealthyShare float64 `json:"minHealthyShare,omitempty"`
}

// OutlierJSON is balancer.OutlierConfig in a service config.
type OutlierJSON struct {
	// ConsecutiveFailures ejects after this many failures in a row. Zero
	// turns it off.
	ConsecutiveFailures int `json:"consecutiveFailures,omitempty"`
	// SuccessRateStdevFactor turns on success-rate detection. Zero turns
	// it off.
	SuccessRateStdevFactor float64 `json:"successRateStdevFactor,omitempty"`
	// SuccessRateMinimumHosts is how many endpoints need enough calls.
	// Zero means 5.
	SuccessRateMinimumHosts int `json:"successRateMinimumHosts,omitempty"`
	// SuccessRateRequestVolume is the calls an endpoint needs per
	// interval. Zero means 100.
	SuccessRateRequestVolume int `json:"successRateRequestVolume,omitempty"`
	// Interval between reviews. Empty means 10s.
	Interval Duration `json:"interval,omitempty"`
	// BaseEjectionTime of a first ejection. Empty means 30s.
	BaseEjectionTime Duration `json:"baseEjectionTime,omitempty"`
	// MaxEjectionTime caps an ejection. Empty means 300s.
	MaxEjectionTime Duration `json:"maxEjectionTime,omitempty"`
	// MaxEjectionPercent caps the share ejected at once. Zero means 10.
	MaxEjectionPercent float64 `json:"maxEjectionPercent,omitempty"`
}

// HealthCheckJSON configures active health checks in a service config:
// every Interval, each connected endpoint is asked grpc.health.v1
// Health/Check for ServiceName over its own connection.
type HealthCheckJSON struct {
	// ServiceName is the service asked about; empty means the whole
	// server ("").
	ServiceName string `json:"serviceName,omitempty"`
	// Interval between probes of an endpoint. Empty means 10s.
	Interval Duration `json:"interval,omitempty"`
	// Timeout bounds a probe. Empty means 1s.
	Timeout Duration `json:"timeout,omitempty"`
	// HealthyThreshold is the passing probes in a row that bring an
	// endpoint back. Zero means 2.
	HealthyThreshold int `json:"healthyThreshold,omitempty"`
	// UnhealthyThreshold is the failing probes in a row that take an
	// endpoint out. Zero means 3.
	UnhealthyThreshold int `json:"unhealthyThreshold,omitempty"`
}

// Duration is a time.Duration written in JSON as a string that
// time.ParseDuration reads, such as "1.5s" or "300ms".
type Duration time.Duration

// MarshalJSON writes d as a string such as "1.5s".
func (d Duration) MarshalJSON() ([]byte, error) {
	return []byte(strconv.Quote(time.Duration(d).String())), nil
}

// UnmarshalJSON reads a string that time.ParseDuration accepts.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return &durationError{raw: string(b), msg: "must be a string such as \"1.5s\""}
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return &durationError{raw: string(b), msg: err.Error()}
	}
	*d = Duration(v)
	return nil
}

// durationError is a malformed duration; ParseBalancerConfig finds its key.
type durationError struct{ raw, msg string }

func (e *durationError) Error() string { return "duration " + e.raw + ": " + e.msg }

// keyOf returns the dotted path of the first value in the JSON object js
// whose encoding is raw, or "".
func keyOf(js []byte, raw string) string {
	var v any
	if json.Unmarshal(js, &v) != nil {
		return ""
	}
	var walk func(prefix string, v any) string
	walk = func(prefix string, v any) string {
		m, ok := v.(map[string]any)
		if !ok {
			if b, err := json.Marshal(v); err == nil && string(b) == raw {
				return prefix
			}
			return ""
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			if found := walk(p, m[k]); found != "" {
				return found
			}
		}
		return ""
	}
	return walk("", v)
}

// ParseBalancerConfig decodes and validates a BalancerConfig, and returns
// it with the balancer.Config it stands for (without Clock, Listener,
// Classifier or Prober, which the builder sets). Errors name the offending
// key or field.
func ParseBalancerConfig(js []byte) (BalancerConfig, balancer.Config, error) {
	var bc BalancerConfig
	if len(bytes.TrimSpace(js)) == 0 {
		js = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&bc); err != nil {
		var de *durationError
		if errors.As(err, &de) {
			if k := keyOf(js, de.raw); k != "" {
				return bc, balancer.Config{}, fmt.Errorf("grpcx: balancer config: %s: %w", k, err)
			}
		}
		return bc, balancer.Config{}, fmt.Errorf("grpcx: balancer config: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return bc, balancer.Config{}, fmt.Errorf("grpcx: balancer config: data after the JSON object")
	}
	cfg := bc.config()
	if err := cfg.Validate(); err != nil {
		return bc, balancer.Config{}, fmt.Errorf("grpcx: balancer config: %w", err)
	}
	return bc, cfg, nil
}

// config converts bc to a balancer.Config.
func (bc BalancerConfig) config() balancer.Config {
	cfg := balancer.Config{
		Policy:        balancer.Policy(bc.Policy),
		DefaultSubset: bc.DefaultSubset,
		PanicMode:     bc.PanicMode,
	}
	if p := bc.PeakEWMA; p != nil {
		cfg.PeakEWMA.Decay = time.Duration(p.Decay)
	}
	if r := bc.RingHash; r != nil {
		cfg.RingHash = balancer.RingHashConfig{VirtualNodes: r.VirtualNodes, LoadFactor: r.LoadFactor, Unbounded: r.Unbounded}
	}
	if z := bc.Zone; z != nil {
		cfg.Zone = balancer.ZoneConfig{Local: z.Local, MinHealthyShare: z.MinHealthyShare}
	}
	if o := bc.Outlier; o != nil {
		cfg.Outlier = balancer.OutlierConfig{
			ConsecutiveFailures:      o.ConsecutiveFailures,
			SuccessRateStdevFactor:   o.SuccessRateStdevFactor,
			SuccessRateMinimumHosts:  o.SuccessRateMinimumHosts,
			SuccessRateRequestVolume: o.SuccessRateRequestVolume,
			Interval:                 time.Duration(o.Interval),
			BaseEjectionTime:         time.Duration(o.BaseEjectionTime),
			MaxEjectionTime:          time.Duration(o.MaxEjectionTime),
			MaxEjectionPercent:       o.MaxEjectionPercent,
		}
	}
	if h := bc.HealthCheck; h != nil {
		cfg.HealthCheck = balancer.HealthCheckConfig{
			Interval:           time.Duration(h.Interval),
			Timeout:            time.Duration(h.Timeout),
			HealthyThreshold:   h.HealthyThreshold,
			UnhealthyThreshold: h.UnhealthyThreshold,
		}
	}
	return cfg
}
