package redisrate

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resilience-go/resilience"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// newTestLimiter returns a Limiter on client for cfg, failing the test on
// an error.
func newTestLimiter(t testing.TB, client redis.UniversalClient, cfg Config) *Limiter {
	t.Helper()
	l, err := New(client, cfg)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return l
}

// recorder collects events.
type recorder struct {
	mu     sync.Mutex
	events []resilience.Event
}

func (r *recorder) OnEvent(e resilience.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

// count returns how many events of kind were recorded.
func (r *recorder) count(kind resilience.EventKind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// changes returns the state changes recorded, as "from>to:detail".
func (r *recorder) changes() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events {
		if e.Kind == resilience.EventStateChange {
			out = append(out, e.From+">"+e.To+":"+e.Detail)
		}
	}
	return out
}

func bg() context.Context { return context.Background() }

// newUnreachableClient returns a client for a loopback port where nothing
// listens.
func newUnreachableClient(t testing.TB) *redis.Client {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(port), ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// quietLogger drops go-redis's log lines: the tests kill and pause the
// server on purpose, and every dial error would be logged. Set REDIS_LOG=1
// to see them.
type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}

func init() {
	if os.Getenv("REDIS_LOG") == "" {
		redis.SetLogger(quietLogger{})
	}
}
