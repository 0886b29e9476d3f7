package grpcx_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/balancer"
	"github.com/resilience-go/resilience/grpcx"
)

func TestParseBalancerConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		js      string
		want    balancer.Config // compared when wantErr is empty
		wantErr string          // a substring of the error
	}{
		{"empty", ``, balancer.Config{}, ""},
		{"empty-object", `{}`, balancer.Config{}, ""},
		{"full", `{
			"policy": "peak_ewma", "peakEwma": {"decay": "5s"},
			"zone": {"local": "eu-1a", "minHealthyShare": 0.5},
			"defaultSubset": {"version": "v1"}, "panicMode": true,
			"outlier": {"consecutiveFailures": 5, "successRateStdevFactor": 1.9, "successRateMinimumHosts": 3,
				"successRateRequestVolume": 50, "interval": "2s", "baseEjectionTime": "30s",
				"maxEjectionTime": "5m", "maxEjectionPercent": 50},
			"healthCheck": {"serviceName": "api", "interval": "1.5s", "timeout": "300ms",
				"healthyThreshold": 1, "unhealthyThreshold": 2}}`,
			balancer.Config{
				Policy: balancer.PolicyPeakEWMA, PeakEWMA: balancer.PeakEWMAConfig{Decay: 5 * time.Second},
				Zone: balancer.ZoneConfig{Local: "eu-1a", MinHealthyShare: 0.5}, DefaultSubset: map[string]string{"version": "v1"},
				PanicMode: true,
				Outlier: balancer.OutlierConfig{
					ConsecutiveFailures: 5, SuccessRateStdevFactor: 1.9, SuccessRateMinimumHosts: 3,
					SuccessRateRequestVolume: 50, Interval: 2 * time.Second, BaseEjectionTime: 30 * time.Second,
					MaxEjectionTime: 5 * time.Minute, MaxEjectionPercent: 50,
				},
				HealthCheck: balancer.HealthCheckConfig{Interval: 1500 * time.Millisecond, Timeout: 300 * time.Millisecond, HealthyThreshold: 1, UnhealthyThreshold: 2},
			}, ""},
		{"ring-hash", `{"policy": "ring_hash", "ringHash": {"virtualNodes": 100, "loadFactor": 1.5}}`,
			balancer.Config{Policy: balancer.PolicyRingHash, RingHash: balancer.RingHashConfig{VirtualNodes: 100, LoadFactor: 1.5}}, ""},
		{"unknown-policy", `{"policy": "fastest"}`, balancer.Config{}, `Policy "fastest" is unknown`},
		{"unknown-key", `{"polcy": "random"}`, balancer.Config{}, `unknown field "polcy"`},
		{"unknown-nested-key", `{"outlier": {"consecutive_failures": 3}}`, balancer.Config{}, `unknown field "consecutive_failures"`},
		{"bad-duration", `{"outlier": {"interval": "10 seconds"}}`, balancer.Config{}, `outlier.interval: duration "10 seconds"`},
		{"number-duration", `{"healthCheck": {"timeout": 5}}`, balancer.Config{}, `healthCheck.timeout: duration 5`},
		{"negative-threshold", `{"outlier": {"consecutiveFailures": -1}}`, balancer.Config{}, `Outlier.ConsecutiveFailures -1 must be >= 0`},
		{"negative-interval", `{"healthCheck": {"interval": "-1s"}}`, balancer.Config{}, `HealthCheck.Interval -1s`},
		{"wrong-type", `{"panicMode": "yes"}`, balancer.Config{}, `panicMode`},
		{"trailing-data", `{} {}`, balancer.Config{}, `data after`},
		{"not-an-object", `[]`, balancer.Config{}, `cannot unmarshal array`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got, err := grpcx.ParseBalancerConfig([]byte(tc.js))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "grpcx: balancer config: ") {
					t.Fatalf("ParseBalancerConfig(%s) = %v want an error with %q", tc.js, err, tc.wantErr)
				}
				b, _ := grpcx.NewBalancerBuilder(grpcx.BalancerBuilderConfig{})
				if _, perr := b.ParseConfig(json.RawMessage(tc.js)); perr == nil {
					t.Errorf("ParseConfig(%s) = nil error want one", tc.js)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseBalancerConfig(%s) = %v", tc.js, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("ParseBalancerConfig(%s) = %+v want %+v", tc.js, got, tc.want)
			}
		})
	}
}

func TestBalancerConfigRoundTrip(t *testing.T) {
	bc := grpcx.BalancerConfig{
		Policy:      "least_request",
		Outlier:     &grpcx.OutlierJSON{ConsecutiveFailures: 3, Interval: grpcx.Duration(time.Second)},
		HealthCheck: &grpcx.HealthCheckJSON{ServiceName: "api", Timeout: grpcx.Duration(250 * time.Millisecond)},
	}
	js, err := json.Marshal(bc)
	if err != nil {
		t.Fatal(err)
	}
	back, cfg, err := grpcx.ParseBalancerConfig(js)
	if err != nil {
		t.Fatalf("ParseBalancerConfig(%s) = %v", js, err)
	}
	if !reflect.DeepEqual(back, bc) {
		t.Errorf("round trip of %s = %+v want %+v", js, back, bc)
	}
	if cfg.Outlier.Interval != time.Second || cfg.HealthCheck.Timeout != 250*time.Millisecond || cfg.Policy != balancer.PolicyLeastRequest {
		t.Errorf("config = %+v", cfg)
	}
}

func TestBalancerBuilderConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
	}{
		{"", true}, {"my_lb", true}, {"My_LB", false}, {" lb", false},
	} {
		b, err := grpcx.NewBalancerBuilder(grpcx.BalancerBuilderConfig{Name: tc.name})
		if (err == nil) != tc.ok {
			t.Errorf("NewBalancerBuilder(Name %q) = %v want ok %v", tc.name, err, tc.ok)
			continue
		}
		want := tc.name
		if want == "" {
			want = grpcx.BalancerName
		}
		if err == nil && b.Name() != want {
			t.Errorf("Name() = %q want %q", b.Name(), want)
		}
	}
}
