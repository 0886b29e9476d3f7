package hedge_test

import (
	"bytes"
	"context"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/hedge"
)

// act is what a driven attempt does when told: return v, err, or panic
// with panicVal when it is not nil.
type act struct {
	v        string
	err      error
	panicVal any
}

// driver is a call whose attempts a test drives one by one, like script,
// and which also records, per attempt, the goroutine it ran in, whether it
// has returned, and its context's cause when it was cancelled.
type driver struct {
	entered chan int
	acts    [maxAttempts + 1]chan act
	done    chan int

	// keep makes do call hedge.Keep instead of hedge.Do.
	keep bool

	mu       sync.Mutex
	calls    int
	goids    [maxAttempts + 1]uint64
	returned [maxAttempts + 1]bool
	causes   [maxAttempts + 1]error
	ctxs     [maxAttempts + 1]context.Context
	won      [maxAttempts + 1]bool // returned with a nil error
}

func newDriver() *driver {
	d := &driver{entered: make(chan int, maxAttempts), done: make(chan int, maxAttempts)}
	for i := range d.acts {
		d.acts[i] = make(chan act, 1)
	}
	return d
}

func (d *driver) fn(ctx context.Context) (string, error) {
	n := hedge.AttemptFromContext(ctx)
	d.mu.Lock()
	d.calls++
	d.goids[n] = goid()
	d.ctxs[n] = ctx
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.returned[n] = true
		d.mu.Unlock()
		d.done <- n
	}()
	d.entered <- n
	select {
	case a := <-d.acts[n]:
		if a.panicVal != nil {
			panic(a.panicVal)
		}
		if a.err == nil {
			d.mu.Lock()
			d.won[n] = true
			d.mu.Unlock()
		}
		return a.v, a.err
	case <-ctx.Done():
		d.mu.Lock()
		d.causes[n] = context.Cause(ctx)
		d.mu.Unlock()
		return "", ctx.Err()
	}
}

// result is what Do returned, or the value it panicked with, and the
// goroutine that called it.
type result struct {
	v        string
	err      error
	panicVal any
	goid     uint64
	release  context.CancelCauseFunc // Keep's
}

// do calls hedge.Do, or hedge.Keep when d.keep is set, with d.fn in a new
// goroutine.
func (d *driver) do(ctx context.Context, h *hedge.Hedger) <-chan result {
	out := make(chan result, 1)
	go func() {
		res := result{goid: goid()}
		defer func() {
			res.panicVal = recover()
			out <- res
		}()
		if d.keep {
			res.v, res.release, res.err = hedge.Keep(ctx, h, d.fn)
			return
		}
		res.v, res.err = hedge.Do(ctx, h, d.fn)
	}()
	return out
}

// goid returns the current goroutine's id, read from its stack trace's
// first line ("goroutine 42 [running]:").
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	b = b[:bytes.IndexByte(b, ' ')]
	n, err := strconv.ParseUint(string(b), 10, 64)
	if err != nil {
		panic("goid: " + err.Error())
	}
	return n
}

const inlineDelay = 10 * time.Millisecond

// env is what a scenario of TestInlineFirstAttempt drives: a call to Do
// in its own goroutine, inside a synctest bubble, on the manual clock.
type env struct {
	t   *testing.T
	clk *clock.Manual
	d   *driver
	out <-chan result
}

// expect fails unless attempt n is the next to start.
func (e *env) expect(n int) {
	e.t.Helper()
	if got := <-e.d.entered; got != n {
		e.t.Fatalf("attempt %d started want %d", got, n)
	}
}

// fire lets one delay pass once Do has set its timer.
func (e *env) fire() {
	e.clk.WaitForTimers(1)
	e.clk.Advance(inlineDelay)
}

func (e *env) reply(n int, a act) { e.d.acts[n] <- a }

// pending fails if Do has returned once everything in the bubble is
// blocked.
func (e *env) pending(what string) {
	e.t.Helper()
	synctest.Wait()
	select {
	case r := <-e.out:
		e.t.Fatalf("%s: Do() returned %q, %v, panic %v; want it still waiting", what, r.v, r.err, r.panicVal)
	default:
	}
}

// noTimers fails if a hedge's timer is pending.
func (e *env) noTimers() {
	e.t.Helper()
	if n := e.clk.Timers(); n != 0 {
		e.t.Fatalf("%d timers pending want 0: no more hedges may start", n)
	}
}
