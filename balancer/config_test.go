package balancer_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/balancer"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  balancer.Config
		want string // substring of the error; empty means valid
	}{
		{"zero", balancer.Config{}, ""},
		{"default", balancer.DefaultConfig(), ""},
		{"every-policy", balancer.Config{Policy: balancer.PolicyRingHash, RingHash: balancer.RingHashConfig{VirtualNodes: 10, LoadFactor: 1}}, ""},
		{"unknown-policy", balancer.Config{Policy: "fastest"}, `Policy "fastest"`},
		{"vnodes-negative", balancer.Config{RingHash: balancer.RingHashConfig{VirtualNodes: -1}}, "RingHash.VirtualNodes -1"},
		{"vnodes-huge", balancer.Config{RingHash: balancer.RingHashConfig{VirtualNodes: 10001}}, "RingHash.VirtualNodes 10001"},
		{"load-factor-low", balancer.Config{RingHash: balancer.RingHashConfig{LoadFactor: 0.5}}, "RingHash.LoadFactor 0.5"},
		{"load-factor-inf", balancer.Config{RingHash: balancer.RingHashConfig{LoadFactor: inf()}}, "RingHash.LoadFactor +Inf"},
		{"load-factor-nan", balancer.Config{RingHash: balancer.RingHashConfig{LoadFactor: nan()}}, "RingHash.LoadFactor NaN"},
		{"decay", balancer.Config{PeakEWMA: balancer.PeakEWMAConfig{Decay: -time.Second}}, "PeakEWMA.Decay -1s"},
		{"zone-share", balancer.Config{Zone: balancer.ZoneConfig{MinHealthyShare: 1.5}}, "Zone.MinHealthyShare 1.5"},
		{"zone-share-nan", balancer.Config{Zone: balancer.ZoneConfig{MinHealthyShare: nan()}}, "Zone.MinHealthyShare NaN"},
		{"rule-percent", balancer.Config{Rules: []balancer.Rule{{Name: "canary", Percent: 101}}}, `Rules[0] "canary": Percent 101`},
		{"rule-percent-negative", balancer.Config{Rules: []balancer.Rule{{Percent: -1}}}, "Percent -1"},
		{"match-no-header", balancer.Config{Rules: []balancer.Rule{{Match: []balancer.Match{{Equals: "x"}}}}}, "Match[0].Header is empty"},
		{"match-two-kinds", balancer.Config{Rules: []balancer.Rule{{Match: []balancer.Match{{Header: "h", Equals: "x", Prefix: "y"}}}}}, "exactly one of"},
		{"match-no-kind", balancer.Config{Rules: []balancer.Rule{{Match: []balancer.Match{{Header: "h"}}}}}, "exactly one of"},
		{"match-bad-regexp", balancer.Config{Rules: []balancer.Rule{{Match: []balancer.Match{{Header: "h", Regexp: "("}}}}}, "Match[0].Regexp"},
		{"outlier-consecutive", balancer.Config{Outlier: balancer.OutlierConfig{ConsecutiveFailures: -1}}, "Outlier.ConsecutiveFailures -1"},
		{"outlier-factor", balancer.Config{Outlier: balancer.OutlierConfig{SuccessRateStdevFactor: nan()}}, "Outlier.SuccessRateStdevFactor NaN"},
		{"outlier-hosts", balancer.Config{Outlier: balancer.OutlierConfig{SuccessRateMinimumHosts: -1}}, "Outlier.SuccessRateMinimumHosts -1"},
		{"outlier-volume", balancer.Config{Outlier: balancer.OutlierConfig{SuccessRateRequestVolume: -1}}, "Outlier.SuccessRateRequestVolume -1"},
		{"outlier-interval", balancer.Config{Outlier: balancer.OutlierConfig{Interval: -1}}, "Outlier.Interval -1ns"},
		{"outlier-interval-tiny", balancer.Config{Outlier: balancer.OutlierConfig{Interval: time.Microsecond}}, "Outlier.Interval 1µs must be 0 or >= 1ms"},
		{"outlier-base", balancer.Config{Outlier: balancer.OutlierConfig{BaseEjectionTime: -1}}, "Outlier.BaseEjectionTime -1ns"},
		{"outlier-max", balancer.Config{Outlier: balancer.OutlierConfig{MaxEjectionTime: -1}}, "Outlier.MaxEjectionTime -1ns"},
		{"outlier-max-below-base", balancer.Config{Outlier: balancer.OutlierConfig{MaxEjectionTime: time.Second}}, "must be >= BaseEjectionTime 30s"},
		{"outlier-percent", balancer.Config{Outlier: balancer.OutlierConfig{MaxEjectionPercent: 200}}, "Outlier.MaxEjectionPercent 200"},
		{"hc-protocol", balancer.Config{HealthCheck: balancer.HealthCheckConfig{Protocol: "udp"}}, `HealthCheck.Protocol "udp"`},
		{"hc-interval", balancer.Config{HealthCheck: balancer.HealthCheckConfig{Interval: -1}}, "HealthCheck.Interval -1ns"},
		{"hc-interval-tiny", balancer.Config{HealthCheck: balancer.HealthCheckConfig{Interval: 10}}, "HealthCheck.Interval 10ns must be 0 or >= 1ms"},
		{"hc-timeout", balancer.Config{HealthCheck: balancer.HealthCheckConfig{Timeout: -1}}, "HealthCheck.Timeout -1ns"},
		{"hc-healthy", balancer.Config{HealthCheck: balancer.HealthCheckConfig{HealthyThreshold: -1}}, "HealthCheck.HealthyThreshold -1"},
		{"hc-unhealthy", balancer.Config{HealthCheck: balancer.HealthCheckConfig{UnhealthyThreshold: -1}}, "HealthCheck.UnhealthyThreshold -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			b, nerr := balancer.New(tt.cfg)
			if b != nil {
				b.Close()
			}
			if tt.want == "" {
				if err != nil || nerr != nil {
					t.Fatalf("Validate() = %v, New() = %v want nil", err, nerr)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "balancer: ") {
				t.Fatalf("Validate() = %v want an error containing %q", err, tt.want)
			}
			if nerr == nil || nerr.Error() != err.Error() || b != nil {
				t.Fatalf("New() = %v, %v want nil, %v", b, nerr, err)
			}
		})
	}
}

func TestUpdateValidates(t *testing.T) {
	tests := []struct {
		name string
		eps  []balancer.Endpoint
		want string
	}{
		{"no-addr", []balancer.Endpoint{{ID: "a"}}, `endpoints[0] "a": Addr is empty`},
		{"negative-weight", []balancer.Endpoint{{Addr: "a:1", Weight: -1}}, "Weight -1"},
		{"huge-weight", []balancer.Endpoint{{Addr: "a:1", Weight: balancer.MaxWeight + 1}}, "Weight 1048577"},
		{"duplicate-id", []balancer.Endpoint{{ID: "x", Addr: "a:1"}, {ID: "x", Addr: "b:1"}}, `endpoints[1]: ID "x" repeats`},
		{"duplicate-addr-as-id", []balancer.Endpoint{{Addr: "a:1"}, {Addr: "a:1"}}, `ID "a:1" repeats`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mustNew(t, balancer.Config{}, endpoints(2))
			err := b.Update(tt.eps)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Update(%v) = %v want error containing %q", tt.eps, err, tt.want)
			}
			if got := len(b.Stats()); got != 2 {
				t.Fatalf("after a failed Update the balancer has %d endpoints want the 2 it had", got)
			}
		})
	}
	b := mustNew(t, balancer.Config{}, nil)
	b.Close()
	if err := b.Update(endpoints(1)); !errors.Is(err, balancer.ErrClosed) {
		t.Fatalf("Update after Close = %v want ErrClosed", err)
	}
}
