package chaos_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/chaos"
)

func TestScheduleWindows(t *testing.T) {
	m := newManual()
	inj := mustNew(t, chaos.Config{Clock: m, Seed: 5, Faults: []chaos.Fault{
		// Active for the first 10s of every minute, from 1m to 4m after Enable.
		{Name: "flaky", Kind: chaos.KindError, Probability: 1, Schedule: chaos.Schedule{
			From: time.Minute, Until: 4 * time.Minute, Every: time.Minute, For: 10 * time.Second}},
	}})
	m.Advance(time.Hour) // time before Enable does not count
	inj.Enable()
	steps := []struct {
		advance time.Duration
		fires   bool
	}{
		{0, false},
		{59 * time.Second, false},
		{time.Second, true}, // 1m
		{9 * time.Second, true},
		{time.Second, false}, // 1m10s
		{50 * time.Second, true},
		{2 * time.Minute, false}, // 4m: Until
		{time.Hour, false},
	}
	for i, s := range steps {
		m.Advance(s.advance)
		_, err := inj.Acquire(context.Background())
		if fired := errors.Is(err, chaos.ErrInjected); fired != s.fires {
			t.Errorf("step %d (+%v): fired = %v want %v", i, s.advance, fired, s.fires)
		}
	}
	// Triggers bypass the schedule.
	if _, err := inj.Acquire(chaos.WithFault(context.Background(), "flaky")); !errors.Is(err, chaos.ErrInjected) {
		t.Errorf("triggered outside the schedule: Acquire() = %v want the fault", err)
	}
	// Re-enabling restarts the schedule.
	inj.Disable()
	inj.Enable()
	m.Advance(time.Minute)
	if _, err := inj.Acquire(context.Background()); !errors.Is(err, chaos.ErrInjected) {
		t.Errorf("1m after re-enabling: Acquire() = %v want the fault", err)
	}
}

func TestContextTriggers(t *testing.T) {
	inj := mustNew(t, chaos.Config{Enabled: true, Seed: 1, Faults: []chaos.Fault{
		{Name: "timeout", Kind: chaos.KindError, GRPCCode: 4},
		{Name: "denied", Kind: chaos.KindAbort, HTTPStatus: 403},
		{Name: "never", Kind: chaos.KindError, Probability: 0.0},
	}})
	tests := []struct {
		name  string
		ctx   context.Context
		fault string
	}{
		{"untriggered", context.Background(), ""},
		{"one name", chaos.WithFault(context.Background(), "denied"), "denied"},
		{"unknown name", chaos.WithFault(context.Background(), "nope"), ""},
		{"first in fault order wins", chaos.WithFault(chaos.WithFault(context.Background(), "denied"), "timeout"), "timeout"},
		{"no names", chaos.WithFault(context.Background()), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 100 {
				_, err := inj.Acquire(tt.ctx)
				var fe *chaos.FaultError
				got := ""
				if errors.As(err, &fe) {
					got = fe.Fault
				}
				if got != tt.fault {
					t.Fatalf("Acquire() fired %q want %q", got, tt.fault)
				}
			}
		})
	}
	ctx := chaos.WithFault(chaos.WithFault(context.Background(), "a"), "b", "c")
	if got := chaos.FaultsFromContext(ctx); !reflect.DeepEqual(got, []string{"a", "b", "c"}) {
		t.Errorf("FaultsFromContext() = %v want [a b c]", got)
	}
}

func TestEventsAndStats(t *testing.T) {
	rec := &recorder{}
	inj := mustNew(t, chaos.Config{Name: "payments", Enabled: true, Seed: 1, Listener: rec, Clock: newManual(), Faults: []chaos.Fault{
		{Name: "boom", Kind: chaos.KindError},
		{Name: "teapot", Kind: chaos.KindAbort, HTTPStatus: 418},
	}})
	ctx := context.Background()
	_, _ = inj.Acquire(ctx)
	_, _ = inj.Acquire(chaos.WithFault(ctx, "boom"))
	_, _ = inj.Acquire(chaos.WithFault(ctx, "teapot"))
	_, _ = inj.Acquire(chaos.WithFault(ctx, "teapot", "boom"))
	if got, want := rec.details(), []string{"boom/error", "teapot/abort", "boom/error"}; !reflect.DeepEqual(got, want) {
		t.Errorf("event details = %v want %v", got, want)
	}
	for _, e := range rec.events {
		if e.Kind != resilience.EventFault || e.Policy != "chaos" || e.Name != "payments" || !errors.Is(e.Err, chaos.ErrInjected) {
			t.Errorf("event = %+v", e)
		}
	}
	if s := inj.Stats(); s != (chaos.Stats{Calls: 4, Errors: 2, Aborts: 1}) {
		t.Errorf("Stats() = %+v want 4 calls, 2 errors, 1 abort", s)
	}
}

func TestAcquireDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	faults := []chaos.Fault{
		{Name: "rare", Kind: chaos.KindError, Probability: 0.01},
		{Name: "windowed", Kind: chaos.KindAbort, HTTPStatus: 503, Probability: 0.5, Schedule: chaos.Schedule{Every: time.Minute, For: time.Second}},
		{Name: "always", Kind: chaos.KindError, Probability: 1, Header: "X-Canary"},
	}
	ctx := chaos.WithFault(context.Background(), "other")
	tests := []struct {
		name string
		cfg  chaos.Config
		ctx  context.Context
	}{
		{"disabled", chaos.Config{Faults: faults}, ctx},
		{"enabled, no faults", chaos.Config{Enabled: true}, ctx},
		{"enabled, mostly passing", chaos.Config{Enabled: true, Faults: faults, Clock: newManual()}, ctx},
		{"enabled, injecting", chaos.Config{Enabled: true, Faults: faults, Listener: resilience.ListenerFunc(func(resilience.Event) {})}, chaos.WithFault(ctx, "rare")},
	}
	for _, tt := range tests {
		inj := mustNew(t, tt.cfg)
		if n := testing.AllocsPerRun(1000, func() { _, _ = inj.Acquire(tt.ctx) }); n != 0 {
			t.Errorf("%s: Acquire allocates %v times per call; want 0", tt.name, n)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	m := newManual()
	inj := mustNew(t, chaos.Config{Enabled: true, Seed: 11, Clock: m, Faults: []chaos.Fault{
		{Name: "e", Kind: chaos.KindError, Probability: 0.2},
		{Name: "a", Kind: chaos.KindAbort, HTTPStatus: 500, Probability: 0.2},
	}})
	const workers, calls = 8, 2000
	var wg sync.WaitGroup
	var mu sync.Mutex
	injected := 0
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for range calls {
				if _, err := inj.Acquire(context.Background()); err != nil {
					if !errors.Is(err, chaos.ErrInjected) {
						t.Errorf("Acquire() = %v", err)
						return
					}
					n++
				}
			}
			mu.Lock()
			injected += n
			mu.Unlock()
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 200 {
			if i%2 == 0 {
				inj.Disable()
			} else {
				inj.Enable()
			}
			_ = inj.SetFaults(inj.Faults())
			_ = inj.Stats()
		}
		inj.Enable()
	}()
	wg.Wait()
	s := inj.Stats()
	if got := int(s.Errors + s.Aborts); got != injected {
		t.Errorf("Stats() counts %d injected faults; callers saw %d", got, injected)
	}
	if s.Calls > workers*calls {
		t.Errorf("Stats().Calls = %d > %d calls made", s.Calls, workers*calls)
	}
}
