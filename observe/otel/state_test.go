package otel_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/observe/otel"
)

var errDown = errors.New("down")

func fail(context.Context) (int, error)    { return 0, errDown }
func succeed(context.Context) (int, error) { return 1, nil }

func TestTraceBreakerStateChanges(t *testing.T) {
	clk := clock.NewManual(t0)
	br := must(circuitbreaker.New(circuitbreaker.Config{Name: "db", ConsecutiveFailures: 2, OpenDuration: time.Minute, Clock: clk}))
	p := must(resilience.NewPipeline[int](otel.Trace[int](br)...))
	rejected := "resilience.rejected{policy=circuitbreaker name=db error=" + circuitbreaker.ErrOpen.Error() + "}"
	change := func(from, to string) string {
		return "resilience.state_change{policy=circuitbreaker name=db from=" + from + " to=" + to + "}"
	}
	steps := []struct {
		name    string
		advance time.Duration
		call    func(context.Context) (int, error)
		want    []string // the events of the call's span
	}{
		{"first failure", 0, fail, nil},
		{"second failure trips", 0, fail, []string{change("closed", "open")}},
		{"open rejects", 0, succeed, []string{rejected}},
		{"probe closes", time.Minute, succeed, []string{change("open", "half_open"), change("half_open", "closed")}},
		{"closed again", 0, fail, nil},
		{"trips again", 0, fail, []string{change("closed", "open")}},
		{"failed probe reopens", time.Minute, fail, []string{change("open", "half_open"), change("half_open", "open")}},
	}
	for _, s := range steps {
		clk.Advance(s.advance)
		events, _ := recorded(t, func(ctx context.Context) { _, _ = p.Execute(ctx, s.call) })
		if fmt.Sprint(events) != fmt.Sprint(s.want) {
			t.Errorf("%s: events =\n%s\nwant\n%s", s.name, strings.Join(events, "\n"), strings.Join(s.want, "\n"))
		}
	}
}

func TestTraceBreakerSharedByPipelines(t *testing.T) {
	clk := clock.NewManual(t0)
	br := must(circuitbreaker.New(circuitbreaker.Config{Name: "db", ConsecutiveFailures: 1, OpenDuration: time.Minute, Clock: clk}))
	ints := must(resilience.NewPipeline[int](otel.Trace[int](br)...))
	strs := must(resilience.NewPipeline[string](otel.Trace[string](br)...))
	events, _ := recorded(t, func(ctx context.Context) { _, _ = ints.Execute(ctx, fail) })
	if len(events) != 1 || !strings.Contains(events[0], "from=closed to=open") {
		t.Errorf("tripping call's events = %v want one closed→open change", events)
	}
	// The other pipeline's wrapper shares the breaker's tracker: its
	// rejected call reports the rejection, not the change again.
	events, _ = recorded(t, func(ctx context.Context) {
		_, _ = strs.Execute(ctx, func(context.Context) (string, error) { return "", nil })
	})
	if len(events) != 1 || !strings.HasPrefix(events[0], otel.EventRejected) {
		t.Errorf("other pipeline's events = %v want only %s", events, otel.EventRejected)
	}
	// A change made outside the pipelines is reported by the next call.
	br.Reset()
	events, _ = recorded(t, func(ctx context.Context) {
		_, _ = strs.Execute(ctx, func(context.Context) (string, error) { return "", nil })
	})
	if len(events) != 1 || !strings.Contains(events[0], "from=open to=closed") {
		t.Errorf("events after Reset = %v want one open→closed change", events)
	}
}

// toggleGuard is a StateReporter whose state is the last outcome: "ok" or
// "failing". It counts its releases.
type toggleGuard struct {
	failing  atomic.Bool
	released atomic.Int64
}

func (g *toggleGuard) Acquire(context.Context) (resilience.Permit, error) {
	return resilience.NewPermit(g, 1, 2), nil
}

func (g *toggleGuard) Release(p resilience.Permit, err error) {
	if p.Token() != 1 || p.Start() != 2 {
		panic("permit lost its token")
	}
	g.released.Add(1)
	g.failing.Store(err != nil)
}

func (g *toggleGuard) StateString() string {
	if g.failing.Load() {
		return "failing"
	}
	return "ok"
}

// forwardingGuard is a StateReporter that hands out the permits of the
// guard it forwards to.
type forwardingGuard struct{ to resilience.Guard }

func (g forwardingGuard) Acquire(ctx context.Context) (resilience.Permit, error) {
	return g.to.Acquire(ctx)
}
func (g forwardingGuard) Release(resilience.Permit, error) { panic("forwardingGuard.Release called") }
func (g forwardingGuard) StateString() string              { return "forwarding" }

// sliceGuard is a StateReporter of a type that is not comparable.
type sliceGuard struct {
	tags     []string
	released *int
}

func (g sliceGuard) Acquire(context.Context) (resilience.Permit, error) {
	return resilience.NewPermit(g, 0, 0), nil
}
func (g sliceGuard) Release(resilience.Permit, error) { *g.released++ }
func (g sliceGuard) StateString() string              { return g.tags[0] }

func TestTraceStateReporter(t *testing.T) {
	g := &toggleGuard{}
	traced := otel.Trace[int](g)
	p := must(resilience.NewPipeline[int](traced...))
	change := func(from, to string) []string {
		return []string{"resilience.state_change{policy=otel_test from=" + from + " to=" + to + "}"}
	}
	steps := []struct {
		name string
		run  func(ctx context.Context)
		want []string
	}{
		{"success keeps ok", func(ctx context.Context) { _, _ = p.Execute(ctx, succeed) }, nil},
		{"failure", func(ctx context.Context) { _, _ = p.Execute(ctx, fail) }, change("ok", "failing")},
		{"failure again", func(ctx context.Context) { _, _ = p.Execute(ctx, fail) }, nil},
		{"Done without a context", func(ctx context.Context) {
			// Released with Done, not DoneContext: the change to ok is
			// seen without a span, and not reported by the next call.
			permit, _ := traced[0].(resilience.Guard).Acquire(ctx)
			permit.Done(nil)
		}, nil},
		{"after Done", func(ctx context.Context) { _, _ = p.Execute(ctx, succeed) }, nil},
		{"fails again", func(ctx context.Context) { _, _ = p.Execute(ctx, fail) }, change("ok", "failing")},
	}
	released := int64(0)
	for _, s := range steps {
		events, _ := recorded(t, s.run)
		if fmt.Sprint(events) != fmt.Sprint(s.want) {
			t.Errorf("%s: events = %v want %v", s.name, events, s.want)
		}
		released++
		if n := g.released.Load(); n != released {
			t.Errorf("%s: guard released %d permits want %d", s.name, n, released)
		}
	}
}

func TestTraceStatePermitsOfOthers(t *testing.T) {
	owner := &toggleGuard{}
	fwd := must(resilience.NewPipeline[int](otel.Trace[int](forwardingGuard{to: owner})...))
	events, _ := recorded(t, func(ctx context.Context) { _, _ = fwd.Execute(ctx, fail) })
	if owner.released.Load() != 1 || !owner.failing.Load() {
		t.Errorf("forwarded permit: owner released %d permits, failing %v want 1, true", owner.released.Load(), owner.failing.Load())
	}
	if len(events) != 0 {
		t.Errorf("forwarded permit: events = %v want none (the forwarding guard's state did not change)", events)
	}

	n := 0
	sg := sliceGuard{tags: []string{"only"}, released: &n}
	p := must(resilience.NewPipeline[int](otel.Trace[int](sg)...))
	_, _ = p.Execute(context.Background(), succeed)
	if n != 1 {
		t.Errorf("non-comparable guard released %d permits want 1", n)
	}

	br := must(circuitbreaker.New(circuitbreaker.Config{Name: "db", ConsecutiveFailures: 1}))
	br.Disable() // grants zero permits
	p = must(resilience.NewPipeline[int](otel.Trace[int](br)...))
	events, _ = recorded(t, func(ctx context.Context) { _, _ = p.Execute(ctx, fail) })
	if len(events) != 0 || br.State() != circuitbreaker.StateDisabled {
		t.Errorf("disabled breaker: events = %v, state %v want none, disabled", events, br.State())
	}
}

func TestTraceLeavesTracedPoliciesUnchanged(t *testing.T) {
	br := must(circuitbreaker.New(circuitbreaker.Config{Name: "db"}))
	once := otel.Trace[int](br)
	twice := otel.Trace[string](once...)
	if twice[0] != once[0] {
		t.Errorf("Trace(Trace(br)) = %p want the same wrapper %p", twice[0], once[0])
	}
	if _, err := resilience.NewPipeline[string](twice...); err != nil {
		t.Errorf("NewPipeline[string] of a breaker traced for int: %v", err)
	}
}

func TestTraceStateWithoutSpanDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	ctx := context.Background()
	// cycleAllocs measures a closed → open → half_open → closed cycle of a
	// breaker, traced or not.
	cycleAllocs := func(traced bool) (cycle, success float64) {
		clk := clock.NewManual(t0)
		br := must(circuitbreaker.New(circuitbreaker.Config{Name: "db", ConsecutiveFailures: 1, OpenDuration: time.Second, Clock: clk}))
		policies := []resilience.Policy{br}
		if traced {
			policies = otel.Trace[int](br)
		}
		p := must(resilience.NewPipeline[int](policies...))
		run := func() {
			_, _ = p.Execute(ctx, fail)    // closed → open
			_, _ = p.Execute(ctx, succeed) // rejected
			clk.Advance(time.Second)
			_, _ = p.Execute(ctx, succeed) // open → half_open → closed
		}
		run() // interns the state names
		cycle = testing.AllocsPerRun(100, run)
		if br.State() != circuitbreaker.StateClosed {
			t.Errorf("state after the cycles = %v want closed", br.State())
		}
		return cycle, testing.AllocsPerRun(100, func() { _, _ = p.Execute(ctx, succeed) })
	}
	// The breaker itself may allocate when it changes state; the wrapper
	// must add nothing.
	plainCycle, _ := cycleAllocs(false)
	cycle, success := cycleAllocs(true)
	if cycle != plainCycle {
		t.Errorf("a traced breaker's state cycle allocates %v times without a span want %v, as untraced", cycle, plainCycle)
	}
	if success != 0 {
		t.Errorf("a success through a traced breaker allocates %v times without a span want 0", success)
	}
}

func TestTraceStateHammer(t *testing.T) {
	clk := clock.NewManual(t0)
	br := must(circuitbreaker.New(circuitbreaker.Config{Name: "db", ConsecutiveFailures: 3, OpenDuration: time.Millisecond, Clock: clk}))
	p := must(resilience.NewPipeline[int](otel.Trace[int](br)...))
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	defer tp.Shutdown(context.Background())
	tracer := tp.Tracer("hammer")

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			call := succeed
			if g%2 == 0 {
				call = fail
			}
			for i := range 300 {
				ctx := context.Background()
				if i%2 == 0 { // half the calls without a recording span
					c, s := tracer.Start(ctx, "call")
					_, _ = p.Execute(c, call)
					s.End()
					continue
				}
				_, _ = p.Execute(ctx, call)
				if g == 1 && i%10 == 1 {
					clk.Advance(time.Millisecond)
				}
			}
		})
	}
	wg.Wait()

	states := map[string]bool{"closed": true, "open": true, "half_open": true}
	opened := uint64(0)
	for _, s := range sr.Ended() {
		for _, e := range s.Events() {
			if e.Name != otel.EventStateChange {
				continue
			}
			var from, to string
			for _, a := range e.Attributes {
				switch a.Key {
				case "resilience.from":
					from = a.Value.AsString()
				case "resilience.to":
					to = a.Value.AsString()
				}
			}
			if from == to || !states[from] || !states[to] {
				t.Errorf("state change %q → %q want two different breaker states", from, to)
			}
			if to == "open" {
				opened++
			}
		}
	}
	if trips := br.Metrics().Trips; opened > trips {
		t.Errorf("spans report %d changes to open, more than the breaker's %d trips", opened, trips)
	}
}
