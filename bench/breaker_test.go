package bench

// Circuit breaker benchmarks: ours beside gobreaker v2, failsafe-go,
// go-resiliency, aegis (SRE) and hystrix-go.
//
// Areas:
//   - BreakerClosedSuccess: a closed breaker admits a no-op call that
//     succeeds. Ours runs a failure-rate count window (50% over the last 100
//     calls); each peer runs its nearest equivalent, configured below.
//   - BreakerOpenReject: an open breaker refuses a call. Each breaker is
//     opened the way its users would see it open: ours, gobreaker,
//     go-resiliency and hystrix trip on failures with a wait long enough
//     to stay open; failsafe-go is opened with its Open method; aegis is fed
//     failures until it throttles (it still admits ~1 call in 1000).
//   - BreakerMixed50: every other call fails and nobody may trip, so every
//     library records both outcomes on its closed path. Thresholds are set
//     to 100% (ours, gobreaker, failsafe-go, hystrix), out of reach
//     (go-resiliency, which counts errors, not rates) or K = 2.5 (aegis,
//     which throttles only below 1/K = 40% accepted).
//
// Each area has a <Area>Parallel twin that runs under b.RunParallel.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"github.com/afex/hystrix-go/hystrix"
	resiliency "github.com/eapache/go-resiliency/breaker"
	"github.com/failsafe-go/failsafe-go"
	fscb "github.com/failsafe-go/failsafe-go/circuitbreaker"
	aegiscb "github.com/go-kratos/aegis/circuitbreaker"
	"github.com/go-kratos/aegis/circuitbreaker/sre"
	"github.com/sony/gobreaker/v2"

	"github.com/resilience-go/resilience/circuitbreaker"
)

var errBench = errors.New("bench: failure")

// outcome returns the error of call i: nil for the success areas, every
// other call failing for the mixed one.
func outcome(mixed bool, i int) error {
	if mixed && i&1 == 1 {
		return errBench
	}
	return nil
}

// area is one benchmark area: which scenario the breakers are set up for.
type area int

const (
	closedSuccess area = iota
	openReject
	mixed50
)

// breakerImpl sets up a breaker for an area and runs the benchmark loop.
type breakerImpl struct {
	name string
	run  func(b *testing.B, a area, parallel bool)
}

// caller makes call number i (within its goroutine) through a breaker.
// Each implementation is its own struct type, so loop is instantiated for
// each and calls it directly: the harness adds no indirect call.
type caller interface{ call(i int) error }

func loop[C caller](b *testing.B, c C, parallel bool) {
	b.ReportAllocs()
	b.ResetTimer()
	if parallel {
		b.RunParallel(func(pb *testing.PB) {
			for i := 0; pb.Next(); i++ {
				_ = c.call(i)
			}
		})
		return
	}
	for i := 0; i < b.N; i++ {
		_ = c.call(i)
	}
}

var hystrixSeq atomic.Int64

var breakerImpls = []breakerImpl{
	{"resilience", func(b *testing.B, a area, par bool) { loop(b, newOursAcquire(b, a), par) }},
	{"resilience-execute", func(b *testing.B, a area, par bool) { loop(b, newOursExecute(b, a), par) }},
	{"gobreaker", func(b *testing.B, a area, par bool) { loop(b, newGobreaker(b, a), par) }},
	{"failsafe", func(b *testing.B, a area, par bool) { loop(b, newFailsafe(a), par) }},
	{"resiliency", func(b *testing.B, a area, par bool) { loop(b, newResiliency(b, a), par) }},
	{"aegis", func(b *testing.B, a area, par bool) { loop(b, newAegis(a), par) }},
	{"hystrix", func(b *testing.B, a area, par bool) { loop(b, newHystrix(b, a), par) }},
}

func oursConfig(a area) circuitbreaker.Config {
	cfg := circuitbreaker.Config{FailureRateThreshold: 50, WindowSize: 100}
	switch a {
	case openReject:
		cfg.ConsecutiveFailures = 1
		cfg.OpenDuration = time.Hour
	case mixed50:
		cfg.FailureRateThreshold = 100
	}
	return cfg
}

func newOurs(b *testing.B, a area) *circuitbreaker.Breaker {
	br, err := circuitbreaker.New(oursConfig(a))
	if err != nil {
		b.Fatal(err)
	}
	if a == openReject {
		p, _ := br.Acquire(context.Background())
		p.Done(errBench)
		if br.State() != circuitbreaker.StateOpen {
			b.Fatal("resilience: did not open")
		}
	}
	return br
}

// oursAcquire uses the two-step Acquire / Permit.Done API, the path a
// Pipeline and the HTTP and gRPC adapters take.
type oursAcquire struct {
	br    *circuitbreaker.Breaker
	ctx   context.Context
	mixed bool
}

func newOursAcquire(b *testing.B, a area) oursAcquire {
	return oursAcquire{newOurs(b, a), context.Background(), a == mixed50}
}

func (c oursAcquire) call(i int) error {
	p, err := c.br.Acquire(c.ctx)
	if err != nil {
		return err
	}
	err = outcome(c.mixed, i)
	p.Done(err)
	return err
}

// oursExecute uses Execute with a function value.
type oursExecute struct {
	br      *circuitbreaker.Breaker
	ctx     context.Context
	ok, bad func(context.Context) error
	mixed   bool
}

func newOursExecute(b *testing.B, a area) oursExecute {
	return oursExecute{
		br: newOurs(b, a), ctx: context.Background(), mixed: a == mixed50,
		ok:  func(context.Context) error { return nil },
		bad: func(context.Context) error { return errBench },
	}
}

func (c oursExecute) call(i int) error {
	if c.mixed && i&1 == 1 {
		return c.br.Execute(c.ctx, c.bad)
	}
	return c.br.Execute(c.ctx, c.ok)
}

type gobreakerCaller struct {
	cb      *gobreaker.CircuitBreaker[struct{}]
	ok, bad func() (struct{}, error)
	mixed   bool
}

func (c gobreakerCaller) call(i int) error {
	fn := c.ok
	if c.mixed && i&1 == 1 {
		fn = c.bad
	}
	_, err := c.cb.Execute(fn)
	return err
}

func newGobreaker(b *testing.B, a area) gobreakerCaller {
	st := gobreaker.Settings{
		Name: "bench",
		// Failure ratio over the counts; Interval 0 keeps counting forever
		// (gobreaker has no count window).
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.Requests >= 10 && float64(c.TotalFailures) >= 0.5*float64(c.Requests)
		},
	}
	switch a {
	case openReject:
		st.Timeout = time.Hour
		st.ReadyToTrip = func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= 1 }
	case mixed50:
		st.ReadyToTrip = func(c gobreaker.Counts) bool {
			return c.Requests >= 10 && c.TotalFailures == c.Requests
		}
	}
	cb := gobreaker.NewCircuitBreaker[struct{}](st)
	ok := func() (struct{}, error) { return struct{}{}, nil }
	bad := func() (struct{}, error) { return struct{}{}, errBench }
	if a == openReject {
		_, _ = cb.Execute(bad)
		if cb.State() != gobreaker.StateOpen {
			b.Fatal("gobreaker: did not open")
		}
	}
	return gobreakerCaller{cb: cb, ok: ok, bad: bad, mixed: a == mixed50}
}

// buildFailsafe calls failsafe.With(cb).Get(fn) for each call, as
// failsafe-go's documentation shows (v0.9 has no package-level Get).
type failsafeCaller struct {
	cb      fscb.CircuitBreaker[struct{}]
	ok, bad func() (struct{}, error)
	mixed   bool
}

func (c failsafeCaller) call(i int) error {
	fn := c.ok
	if c.mixed && i&1 == 1 {
		fn = c.bad
	}
	_, err := failsafe.With[struct{}](c.cb).Get(fn)
	return err
}

func newFailsafe(a area) failsafeCaller {
	builder := fscb.NewBuilder[struct{}]().WithFailureThresholdRatio(50, 100).WithDelay(5 * time.Second)
	if a == mixed50 {
		builder = fscb.NewBuilder[struct{}]().WithFailureThresholdRatio(100, 100)
	}
	cb := builder.Build()
	if a == openReject {
		cb.Open()
	}
	ok := func() (struct{}, error) { return struct{}{}, nil }
	bad := func() (struct{}, error) { return struct{}{}, errBench }
	return failsafeCaller{cb: cb, ok: ok, bad: bad, mixed: a == mixed50}
}

type resiliencyCaller struct {
	br      *resiliency.Breaker
	ok, bad func() error
	mixed   bool
}

func (c resiliencyCaller) call(i int) error {
	if c.mixed && i&1 == 1 {
		return c.br.Run(c.bad)
	}
	return c.br.Run(c.ok)
}

func newResiliency(b *testing.B, a area) resiliencyCaller {
	threshold, timeout := 50, 5*time.Second
	switch a {
	case openReject:
		threshold, timeout = 1, time.Hour
	case mixed50:
		threshold = math.MaxInt // it counts errors, not a rate
	}
	br := resiliency.New(threshold, 1, timeout)
	ok := func() error { return nil }
	bad := func() error { return errBench }
	if a == openReject {
		_ = br.Run(bad)
		if br.GetState() != resiliency.Open {
			b.Fatal("resiliency: did not open")
		}
	}
	return resiliencyCaller{br: br, ok: ok, bad: bad, mixed: a == mixed50}
}

// buildAegis uses Allow then MarkSuccess or MarkFailed, as kratos'
// middleware does.
type aegisCaller struct {
	br    aegiscb.CircuitBreaker
	mixed bool
}

func (c aegisCaller) call(i int) error {
	if err := c.br.Allow(); err != nil {
		return err
	}
	if c.mixed && i&1 == 1 {
		c.br.MarkFailed()
		return errBench
	}
	c.br.MarkSuccess()
	return nil
}

func newAegis(a area) aegisCaller {
	opts := []sre.Option{}
	if a == mixed50 {
		opts = append(opts, sre.WithSuccess(0.4))
	}
	br := sre.NewBreaker(opts...)
	if a == openReject {
		for range 10000 {
			br.MarkFailed()
		}
	}
	return aegisCaller{br: br, mixed: a == mixed50}
}

// buildHystrix runs hystrix.Do with a concurrency limit high enough that
// tight loops are not rejected for concurrency.
type hystrixCaller struct {
	name    string
	ok, bad func() error
	mixed   bool
}

func (c hystrixCaller) call(i int) error {
	if c.mixed && i&1 == 1 {
		return hystrix.Do(c.name, c.bad, nil)
	}
	return hystrix.Do(c.name, c.ok, nil)
}

func newHystrix(b *testing.B, a area) hystrixCaller {
	hystrix.SetLogger(hystrix.NoopLogger{})
	name := fmt.Sprintf("bench-%d", hystrixSeq.Add(1))
	cfg := hystrix.CommandConfig{
		Timeout:                1000,
		MaxConcurrentRequests:  100000,
		RequestVolumeThreshold: 20,
		SleepWindow:            5000,
		ErrorPercentThreshold:  50,
	}
	switch a {
	case openReject:
		cfg.RequestVolumeThreshold = 1
		cfg.ErrorPercentThreshold = 1
		cfg.SleepWindow = int(time.Hour / time.Millisecond)
	case mixed50:
		cfg.ErrorPercentThreshold = 100
	}
	hystrix.ConfigureCommand(name, cfg)
	ok := func() error { return nil }
	bad := func() error { return errBench }
	if a == openReject {
		// Hystrix aggregates its metrics asynchronously: fail until it opens.
		deadline := time.Now().Add(10 * time.Second)
		for !errors.Is(hystrix.Do(name, bad, nil), hystrix.ErrCircuitOpen) {
			if time.Now().After(deadline) {
				b.Fatal("hystrix: did not open")
			}
			time.Sleep(time.Millisecond)
		}
	}
	return hystrixCaller{name: name, ok: ok, bad: bad, mixed: a == mixed50}
}

func runBreakers(b *testing.B, a area, parallel bool) {
	for _, impl := range breakerImpls {
		b.Run(impl.name, func(b *testing.B) { impl.run(b, a, parallel) })
	}
}

func BenchmarkBreakerClosedSuccess(b *testing.B)         { runBreakers(b, closedSuccess, false) }
func BenchmarkBreakerClosedSuccessParallel(b *testing.B) { runBreakers(b, closedSuccess, true) }
func BenchmarkBreakerOpenReject(b *testing.B)            { runBreakers(b, openReject, false) }
func BenchmarkBreakerOpenRejectParallel(b *testing.B)    { runBreakers(b, openReject, true) }
func BenchmarkBreakerMixed50(b *testing.B)               { runBreakers(b, mixed50, false) }
func BenchmarkBreakerMixed50Parallel(b *testing.B)       { runBreakers(b, mixed50, true) }
