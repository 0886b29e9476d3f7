package stats

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// recentWindow is the least time RecentLatency covers once the instance is
// that old and snapshots are taken regularly.
const recentWindow = int64(time.Minute)

// Instance records what one named policy instance reports: event counts by
// kind, their rates over the last 10 seconds and minute, and the latencies
// of calls. It implements resilience.Listener: set it as the policy's
// Config.Listener. Get one from Registry.Instance; the zero value is not
// usable.
//
// Recording (OnEvent, Record) takes no lock and allocates nothing: one
// atomic add for the count, one for the latency's histogram bin. An
// Instance is safe for concurrent use; Snapshot may run beside recording.
type Instance struct {
	policy, name string
	clk          clock.Clock
	created      int64

	c    counters
	hist Histogram

	source atomic.Pointer[Source]
	state  atomic.Pointer[string]

	rmu        sync.Mutex // guards the checkpoints, read side only
	ckpt, prev checkpoint
}

var _ resilience.Listener = (*Instance)(nil)

// checkpoint is a copy of the histogram taken by Snapshot, the base of
// RecentLatency.
type checkpoint struct {
	h  HistogramSnapshot
	at int64
	ok bool
}

func newInstance(policy, name string, clk clock.Clock) *Instance {
	return &Instance{policy: policy, name: name, clk: clk, created: clk.Nanotime()}
}

// Policy returns the policy kind the instance was registered under.
func (in *Instance) Policy() string { return in.policy }

// Name returns the instance's name.
func (in *Instance) Name() string { return in.name }

// OnEvent records e: its kind's count, its latency for EventSuccess and
// EventFailure, and the new state of an EventStateChange. The event's
// Policy and Name are not consulted: the Instance is bound to one policy.
func (in *Instance) OnEvent(e resilience.Event) {
	if e.Kind == resilience.EventStateChange {
		to := e.To
		in.state.Store(&to)
	}
	in.Record(e.Kind, e.Latency)
}

// Record counts one event of kind k, and for EventSuccess and
// EventFailure (call outcomes) records latency in the histogram; latency
// is ignored for other kinds. It is the hot path of OnEvent, for code
// that counts without an Event.
func (in *Instance) Record(k resilience.EventKind, latency time.Duration) {
	in.c.add(kindIndex(k), in.clk.Nanotime())
	if k == resilience.EventSuccess || k == resilience.EventFailure {
		in.hist.Record(latency)
	}
}

// SetSource registers the function that reads the policy's gauges at
// snapshot time (see BreakerSource and friends); nil removes it.
func (in *Instance) SetSource(s Source) {
	if s == nil {
		in.source.Store(nil)
		return
	}
	in.source.Store(&s)
}

// Histogram returns a copy of the latency histogram since the instance was
// made, for exporters that publish buckets.
func (in *Instance) Histogram() HistogramSnapshot { return in.hist.Snapshot() }

// Snapshot returns what the instance has seen so far, and calls its
// Source. It allocates; call it at scrape or refresh time, not per call.
func (in *Instance) Snapshot() InstanceSnapshot {
	s, _ := in.SnapshotWithHistogram()
	return s
}

// SnapshotWithHistogram is Snapshot that also returns the lifetime
// histogram it summarised, so exporters copy it once.
func (in *Instance) SnapshotWithHistogram() (InstanceSnapshot, HistogramSnapshot) {
	now := in.clk.Nanotime()
	total, short, long := in.c.read(now)
	h := in.hist.Snapshot()
	base := in.checkpoint(h, now)

	s := InstanceSnapshot{
		Policy:  in.policy,
		Name:    in.name,
		Counts:  make(map[string]uint64),
		Rate10s: make(map[string]float64),
		Rate1m:  make(map[string]float64),
		Latency: latencyOf(h, time.Duration(now-in.created), true),
	}
	since := in.created
	if base.ok {
		since = base.at
	}
	s.RecentLatency = latencyOf(h.Sub(base.h), time.Duration(now-since), false)
	spanShort, spanLong := span(rateShort, now, in.created), span(rateLong, now, in.created)
	for k, n := range total {
		if n == 0 {
			continue
		}
		name := resilience.EventKind(k).String()
		s.Counts[name] = n
		s.Rate10s[name] = float64(short[k]) / spanShort
		s.Rate1m[name] = float64(long[k]) / spanLong
	}
	if src := in.source.Load(); src != nil {
		s.Gauges = (*src)()
	}
	s.State = s.Gauges.State
	if s.State == "" {
		if st := in.state.Load(); st != nil {
			s.State = *st
		}
	}
	return s, h
}

// checkpoint keeps a copy of the histogram at most every recentWindow and
// returns the one RecentLatency starts from: the newest at least
// recentWindow old, if any.
func (in *Instance) checkpoint(h HistogramSnapshot, now int64) checkpoint {
	in.rmu.Lock()
	defer in.rmu.Unlock()
	if !in.ckpt.ok {
		in.ckpt = checkpoint{h: h, at: now, ok: true}
		return in.prev
	}
	if now-in.ckpt.at >= recentWindow {
		in.prev, in.ckpt = in.ckpt, checkpoint{h: h, at: now, ok: true}
	}
	return in.prev
}
