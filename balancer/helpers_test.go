package balancer_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/resilience-go/resilience/balancer"
	"github.com/resilience-go/resilience/clock"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

var errBoom = errors.New("boom")

// endpoints returns n endpoints named e0, e1, ... with weight 1.
func endpoints(n int) []balancer.Endpoint {
	eps := make([]balancer.Endpoint, n)
	for i := range eps {
		eps[i] = balancer.Endpoint{ID: fmt.Sprintf("e%d", i), Addr: fmt.Sprintf("10.0.0.%d:80", i)}
	}
	return eps
}

// mustNew builds a balancer over eps and closes it when the test ends.
func mustNew(t testing.TB, cfg balancer.Config, eps []balancer.Endpoint) *balancer.Balancer {
	t.Helper()
	b, err := balancer.New(cfg)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	t.Cleanup(b.Close)
	if err := b.Update(eps); err != nil {
		t.Fatalf("Update() = %v", err)
	}
	return b
}

// pick picks with key and fails the test on an error.
func pick(t testing.TB, b *balancer.Balancer, ctx context.Context, key string) balancer.Pick {
	t.Helper()
	p, err := b.Pick(ctx, key)
	if err != nil {
		t.Fatalf("Pick(%q) = %v", key, err)
	}
	return p
}

// pickID picks, reports the call done at once and returns the endpoint ID.
func pickID(t testing.TB, b *balancer.Balancer, key string) string {
	t.Helper()
	p := pick(t, b, context.Background(), key)
	p.Done(nil, time.Millisecond)
	return p.ID()
}

// fail reports n failed calls on the endpoint id, picking until it comes
// up (other endpoints' picks succeed).
func failOn(t testing.TB, b *balancer.Balancer, id string, n int) {
	t.Helper()
	for i := 0; n > 0; i++ {
		if i > 100000 {
			t.Fatalf("endpoint %s never picked", id)
		}
		p := pick(t, b, context.Background(), "")
		if p.ID() == id {
			p.Done(errBoom, time.Millisecond)
			n--
		} else {
			p.Done(nil, time.Millisecond)
		}
	}
}

// ids returns the IDs of the endpoints of stats that match keep.
func ids(stats []balancer.EndpointStats, keep func(balancer.EndpointStats) bool) []string {
	var out []string
	for _, s := range stats {
		if keep(s) {
			out = append(out, s.Endpoint.ID)
		}
	}
	return out
}

func manual() *clock.Manual { return clock.NewManual(t0) }

func inf() float64 { return math.Inf(1) }
func nan() float64 { return math.NaN() }
