package deadline_test

import (
	"context"
	"errors"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/deadline"
)

var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func mustNew(t *testing.T, cfg deadline.Config) *deadline.Propagator {
	t.Helper()
	p, err := deadline.New(cfg)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	return p
}

func TestAlpha(t *testing.T) {
	p := mustNew(t, deadline.Config{})
	tests := []struct {
		hops int
		want float64
	}{{-1, 0.05}, {0, 0.05}, {1, 0.10}, {4, 0.25}, {9, 0.5}, {100, 0.5}}
	for _, tt := range tests {
		if got := p.Alpha(tt.hops); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("Alpha(%d) = %v want %v", tt.hops, got, tt.want)
		}
	}
	off := mustNew(t, deadline.Config{AlphaBase: -1, AlphaPerHop: -1})
	if got := off.Alpha(7); got != 0 {
		t.Errorf("Alpha(7) with decay off = %v want 0", got)
	}
}

func TestDecay(t *testing.T) {
	ms := time.Millisecond
	def := deadline.Config{}
	tests := []struct {
		name      string
		cfg       deadline.Config
		remaining time.Duration
		hops      int
		want      time.Duration
		err       error
	}{
		{"edge", def, 300 * ms, 0, 280 * ms, nil},
		{"second-hop", def, 280 * ms, 1, 247 * ms, nil},
		{"alpha-capped", def, 1000 * ms, 50, 495 * ms, nil},
		{"just-above-floor", def, 16 * ms, 0, 10*ms + 200*time.Microsecond, nil},
		{"below-floor", def, 15 * ms, 0, 0, deadline.ErrBudgetExhausted},
		{"zero", def, 0, 0, 0, deadline.ErrBudgetExhausted},
		{"negative", def, -time.Second, 0, 0, deadline.ErrBudgetExhausted},
		{"huge-no-overflow", deadline.Config{AlphaBase: -1, AlphaPerHop: -1, Reserve: -1}, math.MaxInt64, 0, math.MaxInt64, nil},
		{"no-floor-tiny", deadline.Config{AlphaBase: -1, AlphaPerHop: -1, Reserve: -1, Floor: -1}, 1, 0, 1, nil},
		{"custom", deadline.Config{AlphaBase: 0.2, AlphaPerHop: 0.1, AlphaMax: 0.3, Reserve: 10 * ms, Floor: 50 * ms}, time.Second, 3, 690 * ms, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustNew(t, tt.cfg)
			got, err := p.Decay(tt.remaining, tt.hops)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Errorf("Decay(%v, %d) = %v, %v want %v, %v", tt.remaining, tt.hops, got, err, tt.want, tt.err)
			}
		})
	}
	if !errors.Is(deadline.ErrBudgetExhausted, resilience.ErrRejected) || !errors.Is(deadline.ErrTooManyHops, resilience.ErrRejected) {
		t.Errorf("ErrBudgetExhausted and ErrTooManyHops must match resilience.ErrRejected")
	}
}

func TestNextAndStamp(t *testing.T) {
	clk := clock.NewManual(t0)
	p := mustNew(t, deadline.Config{Clock: clk, MaxHops: 3})
	bg := context.Background()
	withDeadline := func(ctx context.Context, d time.Duration) context.Context {
		ctx, cancel := context.WithDeadline(ctx, t0.Add(d))
		t.Cleanup(cancel)
		return ctx
	}
	tests := []struct {
		name       string
		ctx        context.Context
		wantHeader http.Header
		err        error
	}{
		{"edge", withDeadline(bg, 300*time.Millisecond), http.Header{"Resilience-Deadline-Ms": {"280"}, "Resilience-Hops": {"1"}}, nil},
		{"second-hop", withDeadline(deadline.WithHops(bg, 1), 280*time.Millisecond), http.Header{"Resilience-Deadline-Ms": {"247"}, "Resilience-Hops": {"2"}}, nil},
		{"no-deadline", deadline.WithHops(bg, 2), http.Header{"Resilience-Hops": {"3"}}, nil},
		{"too-many-hops", deadline.WithHops(bg, 3), http.Header{"Old": {"x"}}, deadline.ErrTooManyHops},
		{"exhausted", withDeadline(bg, 15*time.Millisecond), http.Header{"Old": {"x"}}, deadline.ErrBudgetExhausted},
		{"expired", withDeadline(bg, -time.Second), http.Header{"Old": {"x"}}, deadline.ErrBudgetExhausted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{"Old": {"x"}}
			if tt.err == nil {
				h = http.Header{deadline.HeaderDeadlineMs: {"999999"}} // stale value to replace or drop
			}
			err := p.StampHeader(tt.ctx, h)
			if !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Fatalf("StampHeader() = %v want %v", err, tt.err)
			}
			if !equalHeader(h, tt.wantHeader) {
				t.Errorf("StampHeader() header = %v want %v", h, tt.wantHeader)
			}
		})
	}
}

func equalHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w := b[k]
		if len(v) != len(w) {
			return false
		}
		for i := range v {
			if v[i] != w[i] {
				return false
			}
		}
	}
	return true
}

func TestStampRequestAndGRPC(t *testing.T) {
	clk := clock.NewManual(t0)
	p := mustNew(t, deadline.Config{Clock: clk})
	ctx, cancel := context.WithDeadline(deadline.WithHops(context.Background(), 1), t0.Add(2*time.Second))
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1/", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Stamp(req); err != nil {
		t.Fatalf("Stamp() = %v", err)
	}
	// 2s × 0.9 − 5ms = 1795ms.
	if got := req.Header.Get(deadline.HeaderDeadlineMs); got != "1795" {
		t.Errorf("Stamp() %s = %q want 1795", deadline.HeaderDeadlineMs, got)
	}

	md := map[string][]string{}
	if err := p.StampGRPC(ctx, md); err != nil {
		t.Fatalf("StampGRPC() = %v", err)
	}
	if got := md[deadline.GRPCTimeoutKey]; len(got) != 1 || got[0] != "1795000u" {
		t.Errorf("StampGRPC() grpc-timeout = %q want [1795000u]", got)
	}
	if got := md[deadline.GRPCHopsKey]; len(got) != 1 || got[0] != "2" {
		t.Errorf("StampGRPC() resilience-hops = %q want [2]", got)
	}
	// Without a deadline the timeout is removed, the hops stay.
	if err := p.StampGRPC(context.Background(), md); err != nil {
		t.Fatalf("StampGRPC(no deadline) = %v", err)
	}
	if _, ok := md[deadline.GRPCTimeoutKey]; ok || md[deadline.GRPCHopsKey][0] != "1" {
		t.Errorf("StampGRPC(no deadline) md = %v want only resilience-hops 1", md)
	}
	// The clock moving on shrinks the budget.
	clk.Advance(time.Second)
	hop, err := p.Next(ctx)
	if err != nil || !hop.Bounded || hop.Budget != 895*time.Millisecond || hop.Hops != 2 {
		t.Errorf("Next() after 1s = %+v, %v want 895ms, hops 2", hop, err)
	}
}

func TestHopsContext(t *testing.T) {
	ctx := context.Background()
	if got := deadline.HopsFromContext(ctx); got != 0 {
		t.Errorf("HopsFromContext(empty) = %d want 0", got)
	}
	if got := deadline.HopsFromContext(deadline.WithHops(ctx, 4)); got != 4 {
		t.Errorf("HopsFromContext(WithHops(4)) = %d want 4", got)
	}
	if got := deadline.HopsFromContext(deadline.WithHops(ctx, -4)); got != 0 {
		t.Errorf("HopsFromContext(WithHops(-4)) = %d want 0", got)
	}
}
