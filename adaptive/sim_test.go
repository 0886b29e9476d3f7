package adaptive_test

import (
	"context"
	"slices"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// The simulated dependency is a processor-sharing server: Capacity workers
// share their time among the calls in flight, so a call takes Service while
// at most Capacity run, and Service × n/Capacity when n > Capacity do. Its
// throughput is capped at Capacity/Service; concurrency beyond Capacity
// only adds latency. Everything is driven by one goroutine in fixed steps
// of a manual clock: no timing dependence.
type simServer struct {
	capacity float64
	service  float64 // ns of service a call needs
	progress float64 // service every call in flight has received so far
	calls    []simCall
}

type simCall struct {
	finish float64 // progress at which the call completes
	start  time.Duration
	permit resilience.Permit
	class  *simClass
}

// simClass is one stream of arrivals at a fixed rate.
type simClass struct {
	name     string
	ctx      context.Context
	rate     float64 // arrivals per second
	acc      float64
	arrived  int
	rejected int
	done     int
	timedOut int
	lat      []time.Duration // latencies of completed calls while measuring
}

type simulation struct {
	clk       *clock.Manual
	guard     resilience.Guard // nil: admit everything
	server    simServer
	now       time.Duration
	step      time.Duration
	timeout   time.Duration // client timeout; 0 = none
	classes   []*simClass
	measuring bool
	limits    []int // sampled while measuring
	sampleAt  time.Duration
	limitOf   func() int
}

const (
	simCapacity = 50
	simService  = 10 * time.Millisecond
	simStep     = 500 * time.Microsecond
	simMaxRate  = simCapacity * float64(time.Second/simService) // 5000 calls/s
)

func newSimulation(clk *clock.Manual, guard resilience.Guard, classes ...*simClass) *simulation {
	for _, c := range classes {
		if c.ctx == nil {
			c.ctx = context.Background()
		}
	}
	return &simulation{
		clk:     clk,
		guard:   guard,
		server:  simServer{capacity: simCapacity, service: float64(simService)},
		step:    simStep,
		classes: classes,
	}
}

// run advances the simulation by d.
func (s *simulation) run(d time.Duration) {
	for end := s.now + d; s.now < end; {
		s.arrive()
		s.clk.Advance(s.step)
		s.now += s.step
		n := float64(len(s.server.calls))
		if n > 0 {
			s.server.progress += float64(s.step) * min(1, s.server.capacity/n)
		}
		s.complete()
		if s.measuring && s.limitOf != nil && s.now >= s.sampleAt {
			s.limits = append(s.limits, s.limitOf())
			s.sampleAt = s.now + 50*time.Millisecond
		}
	}
}

func (s *simulation) arrive() {
	for _, c := range s.classes {
		c.acc += c.rate * s.step.Seconds()
		for ; c.acc >= 1; c.acc-- {
			c.arrived++
			var p resilience.Permit
			if s.guard != nil {
				var err error
				if p, err = s.guard.Acquire(c.ctx); err != nil {
					c.rejected++
					continue
				}
			}
			s.server.calls = append(s.server.calls, simCall{
				finish: s.server.progress + s.server.service,
				start:  s.now,
				permit: p,
				class:  c,
			})
		}
	}
}

// complete finishes calls in FIFO order: under processor sharing every
// call progresses at the same rate, so the oldest finishes (or times out)
// first.
func (s *simulation) complete() {
	i := 0
	for ; i < len(s.server.calls); i++ {
		c := s.server.calls[i]
		lat := s.now - c.start
		switch {
		case c.finish <= s.server.progress+1e-6:
			c.permit.Done(nil)
			c.class.done++
		case s.timeout > 0 && lat >= s.timeout:
			c.permit.Done(context.DeadlineExceeded)
			c.class.timedOut++
		default:
			s.server.calls = s.server.calls[i:]
			return
		}
		if s.measuring {
			c.class.lat = append(c.class.lat, lat)
		}
	}
	s.server.calls = s.server.calls[:0]
}

// measure resets the counters and starts recording latencies and limits.
func (s *simulation) measure() {
	s.measuring = true
	s.sampleAt = s.now
	for _, c := range s.classes {
		c.arrived, c.rejected, c.done, c.timedOut, c.lat = 0, 0, 0, 0, nil
	}
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func medianInt(xs []int) int {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func (c *simClass) rejectedShare() float64 {
	if c.arrived == 0 {
		return 0
	}
	return float64(c.rejected) / float64(c.arrived)
}
