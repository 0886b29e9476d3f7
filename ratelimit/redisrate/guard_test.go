package redisrate

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/ratelimit"
)

func TestGuards(t *testing.T) {
	srv := startRedis(t)
	client := srv.client(t)
	rec := &recorder{}
	l := newTestLimiter(t, client, Config{Name: "api", Rate: 1, Per: time.Hour, Burst: 1, Listener: rec})
	tenant := func(ctx context.Context) string { return "tenant:" + ratelimit.KeyFromContext(ctx) }
	byTenant := newTestLimiter(t, client, Config{Rate: 1, Per: time.Hour, Burst: 1, KeyFunc: tenant, Prefix: "t:"})
	fixed := l.Guard("fixed")
	tests := []struct {
		name  string
		guard resilience.Guard
		ctx   context.Context
		want  error
	}{
		{"context key", l, ratelimit.WithKey(bg(), "user-1"), nil},
		{"context key again", l, ratelimit.WithKey(bg(), "user-1"), ratelimit.ErrLimited},
		{"another context key", l, ratelimit.WithKey(bg(), "user-2"), nil},
		{"no key is the empty key", l, bg(), nil},
		{"empty key again", l, ratelimit.WithKey(bg(), ""), ratelimit.ErrLimited},
		{"fixed key", fixed, ratelimit.WithKey(bg(), "user-3"), nil},
		{"fixed key ignores the context", fixed, ratelimit.WithKey(bg(), "user-4"), ratelimit.ErrLimited},
		{"key function", byTenant, ratelimit.WithKey(bg(), "user-1"), nil},
		{"key function again", byTenant, ratelimit.WithKey(bg(), "user-1"), ratelimit.ErrLimited},
	}
	for _, tt := range tests {
		p, err := tt.guard.Acquire(tt.ctx)
		if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
			t.Fatalf("%s: Acquire() = %v want %v", tt.name, err, tt.want)
		}
		if err != nil && !errors.Is(err, resilience.ErrRejected) {
			t.Fatalf("%s: Acquire() = %v does not match resilience.ErrRejected", tt.name, err)
		}
		p.Done(nil)
	}
	if n := rec.count(resilience.EventRejected); n != 3 {
		t.Fatalf("%d EventRejected want 3", n)
	}
	e := rec.events[0]
	if e.Policy != "redisrate" || e.Name != "api" || !errors.Is(e.Err, ratelimit.ErrLimited) || e.Delay < 59*time.Minute {
		t.Fatalf("event %+v want a redisrate rejection of api with an hour's delay", e)
	}
}

// TestRefusedWithoutRoundTrip: n above the burst or negative is refused at
// once, whatever Redis holds.
func TestRefusedWithoutRoundTrip(t *testing.T) {
	client := newUnreachableClient(t)
	rec := &recorder{}
	l := newTestLimiter(t, client, Config{Rate: 10, Burst: 5, Listener: rec})
	for _, n := range []int{-1, 6, 1 << 40} {
		info, err := l.AllowN(bg(), "k", n)
		if err != nil || info.Allowed || info.RetryAfter != time.Duration(1<<63-1) || info.Limit != 5 {
			t.Fatalf("lim.AllowN(%d) = %+v, %v want refused forever", n, info, err)
		}
	}
	if l.Degraded() || rec.count(resilience.EventFallback) != 0 || rec.count(resilience.EventRejected) != 3 {
		t.Fatalf("degraded %v, events %+v; want three rejections and no fallback", l.Degraded(), rec.events)
	}
}

// TestShadowDecidesButAdmits: in shadow mode every call is admitted, and
// the refusals an enforcing limiter would make are reported instead.
func TestShadowDecidesButAdmits(t *testing.T) {
	srv := startRedis(t)
	client := srv.client(t)
	rec := &recorder{}
	shadow := newTestLimiter(t, client, Config{Name: "shadow", Rate: 1, Per: time.Hour, Burst: 2, Shadow: true, Listener: rec})
	enforcing := newTestLimiter(t, client, Config{Name: "enforcing", Rate: 1, Per: time.Hour, Burst: 2, Prefix: "e:"})
	ctx := ratelimit.WithKey(bg(), "user")
	var refusedByEnforcing int
	for i := range 5 {
		if _, err := shadow.Acquire(ctx); err != nil {
			t.Fatalf("call %d: shadow Acquire() = %v want nil", i, err)
		}
		if _, err := enforcing.Acquire(ctx); errors.Is(err, ratelimit.ErrLimited) {
			refusedByEnforcing++
		}
	}
	if refusedByEnforcing != 3 {
		t.Fatalf("enforcing limiter refused %d of 5 calls want 3", refusedByEnforcing)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var shadowed int
	for _, e := range rec.events {
		switch e.Kind {
		case resilience.EventShadowRejected:
			shadowed++
		case resilience.EventRejected:
			t.Fatalf("shadow limiter reported %v; want only shadow rejections", e)
		}
	}
	if shadowed != refusedByEnforcing {
		t.Fatalf("shadow limiter reported %d would-be refusals want %d", shadowed, refusedByEnforcing)
	}
}
