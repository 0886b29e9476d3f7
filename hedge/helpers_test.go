package hedge_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/hedge"
)

var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

const maxAttempts = 8

type reply struct {
	v   string
	err error
}

// script is a call whose attempts the test drives one by one: each attempt
// announces itself on entered, then returns what the test sends on its
// reply channel, or its context's error when cancelled first.
type script struct {
	entered chan int
	replies [maxAttempts + 1]chan reply
	done    chan int
	causes  [maxAttempts + 1]error
}

func newScript() *script {
	s := &script{entered: make(chan int, maxAttempts), done: make(chan int, maxAttempts)}
	for i := range s.replies {
		s.replies[i] = make(chan reply, 1)
	}
	return s
}

func (s *script) fn(ctx context.Context) (string, error) {
	n := hedge.AttemptFromContext(ctx)
	s.entered <- n
	select {
	case r := <-s.replies[n]:
		s.done <- n
		return r.v, r.err
	case <-ctx.Done():
		s.causes[n] = context.Cause(ctx)
		s.done <- n
		return "", ctx.Err()
	}
}

// expectEntered fails unless attempt n is the next to start.
func (s *script) expectEntered(t *testing.T, n int) {
	t.Helper()
	select {
	case got := <-s.entered:
		if got != n {
			t.Fatalf("attempt %d started want %d", got, n)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("attempt %d did not start", n)
	}
}

// waitDone waits for n attempts to finish, so that no goroutine outlives
// the test.
func (s *script) waitDone(t *testing.T, n int) {
	t.Helper()
	for range n {
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			t.Fatal("an attempt did not finish")
		}
	}
}

type outcome struct {
	v   string
	err error
}

// goDo runs hedge.Do in a goroutine and returns its outcome channel.
func goDo(ctx context.Context, h *hedge.Hedger, fn func(context.Context) (string, error)) <-chan outcome {
	out := make(chan outcome, 1)
	go func() {
		v, err := hedge.Do(ctx, h, fn)
		out <- outcome{v, err}
	}()
	return out
}

func wait(t *testing.T, c <-chan outcome) outcome {
	t.Helper()
	select {
	case o := <-c:
		return o
	case <-time.After(10 * time.Second):
		t.Fatal("Do did not return")
	}
	return outcome{}
}

// recorder is a Listener that keeps events.
type recorder struct {
	mu     sync.Mutex
	events []resilience.Event
	seen   chan resilience.EventKind // lazily made by newRecorder
}

func newRecorder() *recorder {
	return &recorder{seen: make(chan resilience.EventKind, 64)}
}

func (r *recorder) OnEvent(e resilience.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	if r.seen != nil {
		r.seen <- e.Kind
	}
}

// waitFor blocks until the next event, which must be of kind k.
func (r *recorder) waitFor(t *testing.T, k resilience.EventKind) {
	t.Helper()
	select {
	case got := <-r.seen:
		if got != k {
			t.Fatalf("event %v want %v", got, k)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no %v event", k)
	}
}

func (r *recorder) summary() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var parts []string
	for _, e := range r.events {
		s := e.Kind.String() + ":" + itoa(e.Attempt)
		if e.Detail != "" {
			s += ":" + e.Detail
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func itoa(n int) string {
	return string(rune('0' + n))
}

// fakeBudget counts requests and grants allow retries.
type fakeBudget struct {
	requests, tries atomic.Int64
	allow           atomic.Int64
}

func (b *fakeBudget) Request() { b.requests.Add(1) }

func (b *fakeBudget) TryRetry() bool {
	b.tries.Add(1)
	return b.allow.Add(-1) >= 0
}

func mustNew(t testing.TB, cfg hedge.Config) *hedge.Hedger {
	t.Helper()
	h, err := hedge.New(cfg)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	return h
}
