package balancer_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/balancer"
)

// FuzzConfigValidate: New either rejects a configuration with the error of
// Validate, or returns a balancer that survives updates, picks, failures
// and reviews without panicking, and never picks an endpoint outside the
// set.
func FuzzConfigValidate(f *testing.F) {
	f.Add("round_robin", 0, 0.0, int64(0), 0.0, 0.0, "", "", 0, 0.0, int64(0), int64(0), 0.0, "", int64(0), 0, 0, false)
	f.Add("ring_hash", 10, 1.5, int64(1e9), 0.5, 5.0, "x-user", "^a", 3, 1.9, int64(1e9), int64(3e9), 50.0, "tcp", int64(1e9), 2, 2, true)
	f.Add("peak_ewma", -1, 0.5, int64(-1), 2.0, 101.0, "", "(", -1, math.NaN(), int64(-1), int64(-1), 0.0, "udp", int64(-1), -1, -1, false)
	f.Add("weighted_round_robin", 10001, math.Inf(1), int64(0), math.NaN(), -1.0, "h", "", 0, -1.0, int64(0), int64(1), 101.0, "http", int64(0), 0, 0, false)
	f.Fuzz(func(t *testing.T, policy string, vnodes int, loadFactor float64, decay int64, share, percent float64,
		header, re string, consec int, factor float64, interval, base int64, maxPercent float64,
		protocol string, hcInterval int64, healthy, unhealthy int, panicMode bool) {
		clk := manual()
		var match []balancer.Match
		if header != "" || re != "" {
			match = []balancer.Match{{Header: header, Regexp: re}}
		}
		cfg := balancer.Config{
			Policy:   balancer.Policy(policy),
			RingHash: balancer.RingHashConfig{VirtualNodes: vnodes, LoadFactor: loadFactor},
			PeakEWMA: balancer.PeakEWMAConfig{Decay: time.Duration(decay)},
			Zone:     balancer.ZoneConfig{Local: "a", MinHealthyShare: share},
			Rules:    []balancer.Rule{{Name: "r", Percent: percent, Match: match, Subset: map[string]string{"v": "2"}}},
			Outlier: balancer.OutlierConfig{ConsecutiveFailures: consec, SuccessRateStdevFactor: factor,
				Interval: time.Duration(interval), BaseEjectionTime: time.Duration(base), MaxEjectionPercent: maxPercent},
			HealthCheck: balancer.HealthCheckConfig{Interval: time.Duration(hcInterval), HealthyThreshold: healthy, UnhealthyThreshold: unhealthy},
			PanicMode:   panicMode,
			Clock:       clk,
			// Any input bit will do to cover both modes.
			TrackInFlight: vnodes&1 == 1,
		}
		if protocol != "" {
			// Probe through a function, never over the network.
			cfg.HealthCheck.Protocol = protocol
			if protocol == "http" || protocol == "tcp" {
				cfg.HealthCheck.Protocol = ""
				cfg.HealthCheck.Prober = balancer.ProberFunc(func(_ context.Context, e balancer.Endpoint) error {
					if strings.HasSuffix(e.ID, "1") {
						return errBoom
					}
					return nil
				})
			}
		}
		b, err := balancer.New(cfg)
		if err != nil {
			if b != nil {
				t.Fatalf("New() = %v, %v: a balancer with an error", b, err)
			}
			if verr := cfg.Validate(); verr == nil || verr.Error() != err.Error() {
				t.Fatalf("New() error %v differs from Validate() %v", err, verr)
			}
			return
		}
		defer b.Close()
		eps := endpoints(6)
		for i := range eps {
			eps[i].Zone = []string{"a", "b"}[i%2]
			eps[i].Weight = i
			eps[i].Metadata = map[string]string{"v": fmt.Sprint(i % 3)}
		}
		if err := b.Update(eps); err != nil {
			t.Fatal(err)
		}
		ctx := balancer.WithHeaders(context.Background(), balancer.MapHeaders{header: "abc"})
		for i := range 200 {
			p, err := b.Pick(ctx, fmt.Sprint(i%17))
			if err != nil {
				if !errors.Is(err, balancer.ErrNoEndpoint) {
					t.Fatalf("Pick() = %v", err)
				}
				continue
			}
			if !strings.HasPrefix(p.ID(), "e") {
				t.Fatalf("Pick() = %q, not one of the endpoints", p.ID())
			}
			var cerr error
			if i%3 == 0 || p.ID() == "e2" {
				cerr = errBoom
			}
			p.Done(cerr, time.Duration(i)*time.Microsecond)
			if i%20 == 0 {
				clk.Advance(time.Duration(i) * 10 * time.Millisecond)
			}
		}
		want := int64(-1) // round robin, random and weighted round robin count nothing
		if cfg.TrackInFlight || cfg.Policy == balancer.PolicyLeastRequest || cfg.Policy == balancer.PolicyPeakEWMA || cfg.Policy == balancer.PolicyRingHash {
			want = 0
		}
		for _, s := range b.Stats() {
			if s.InFlight != want {
				t.Fatalf("%s has %d in flight want %d", s.Endpoint.ID, s.InFlight, want)
			}
		}
	})
}

// FuzzRoute: header rules route exactly the calls whose headers match, and
// percentage rules route a key the same way every time.
func FuzzRoute(f *testing.F) {
	f.Add("beta", "admin-1", "user-1", 5.0)
	f.Add("", "", "", 100.0)
	f.Add("BETA", "admin-x", "ü", 0.0001)
	f.Fuzz(func(t *testing.T, group, user, key string, percent float64) {
		if !(percent > 0 && percent <= 100) {
			percent = 50
		}
		eps := []balancer.Endpoint{
			{ID: "beta", Addr: "a:1", Metadata: map[string]string{"p": "beta"}},
			{ID: "admin", Addr: "a:2", Metadata: map[string]string{"p": "admin"}},
			{ID: "canary", Addr: "a:3", Metadata: map[string]string{"p": "canary"}},
			{ID: "stable", Addr: "a:4", Metadata: map[string]string{"p": "stable"}},
		}
		b := mustNew(t, balancer.Config{
			Rules: []balancer.Rule{
				{Priority: 3, Match: []balancer.Match{{Header: "x-group", Equals: "beta"}}, Subset: map[string]string{"p": "beta"}},
				{Priority: 2, Match: []balancer.Match{{Header: "x-user", Regexp: `^admin-\d+$`}}, Subset: map[string]string{"p": "admin"}},
				{Priority: 1, Percent: percent, Subset: map[string]string{"p": "canary"}},
			},
			DefaultSubset: map[string]string{"p": "stable"},
		}, eps)
		ctx := balancer.WithHeaders(context.Background(), balancer.MapHeaders{"x-group": group, "x-user": user})
		first := pick(t, b, ctx, key)
		first.Done(nil, 0)
		switch got := first.ID(); {
		case group == "beta":
			if got != "beta" {
				t.Fatalf("x-group beta went to %s", got)
			}
		case regexp.MustCompile(`^admin-\d+$`).MatchString(user):
			if got != "admin" {
				t.Fatalf("x-user %q went to %s", user, got)
			}
		case key != "":
			if got != "canary" && got != "stable" {
				t.Fatalf("key %q went to %s", key, got)
			}
			again := pick(t, b, ctx, key)
			again.Done(nil, 0)
			if again.ID() != got {
				t.Fatalf("key %q went to %s then %s", key, got, again.ID())
			}
		}
	})
}
