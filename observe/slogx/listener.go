package slogx

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// OverflowName is the name events are logged under once Config.MaxKeys
// keys are tracked.
const OverflowName = "_overflow"

// Listener is a resilience.Listener that writes one structured slog line
// per notable event, attributes under a "resilience" group: policy, name,
// kind, and where set from, to, attempt, delay, latency, err, detail.
//
// Lines are sampled per (policy, name, kind) so that a rejection storm
// cannot flood the log: in every Interval the first Burst events are
// logged, then 1 in SampleEvery (those lines carry sampled=N), and the rest
// are counted and reported in one "resilience events suppressed" line when
// the Interval ends (suppressed=K). Levels come from Config.Level; events
// whose level the logger does not enable cost one Enabled call.
//
// Make one with New. A Listener is safe for concurrent use; call Close to
// flush suppressed counts and stop its timers.
type Listener struct {
	logger      *slog.Logger
	level       func(resilience.Event) slog.Level
	clk         clock.Clock
	logSuccess  bool
	burst       int64
	every       int64
	interval    int64
	maxKeys     int64
	keys        sync.Map // key → *entry
	nkeys       atomic.Int64
	mu          sync.Mutex // guards timers and closed
	timers      map[*entry]clock.Timer
	closed      bool
	suppression atomic.Uint64 // total suppressed, for tests and metrics
}

var _ resilience.Listener = (*Listener)(nil)

type key struct {
	policy, name string
	kind         resilience.EventKind
}

// entry is the sampling state of one key.
type entry struct {
	key        key
	start      atomic.Int64 // the interval's start, Nanotime
	count      atomic.Int64 // events in the interval
	suppressed atomic.Int64 // events not logged and not yet reported
	level      atomic.Int64 // slog.Level of the last suppressed event
}

// New returns a Listener configured by cfg, or cfg.Validate's error.
func New(cfg Config) (*Listener, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := cfg.withDefaults()
	return &Listener{
		logger: c.Logger, level: c.Level, clk: c.Clock, logSuccess: c.LogSuccess,
		burst: int64(c.Burst), every: int64(c.SampleEvery), interval: int64(c.Interval),
		maxKeys: int64(c.MaxKeys), timers: map[*entry]clock.Timer{},
	}, nil
}

// OnEvent logs e, subject to its level and to sampling.
func (l *Listener) OnEvent(e resilience.Event) {
	if e.Kind == resilience.EventSuccess && !l.logSuccess {
		return
	}
	level := l.level(e)
	ctx := context.Background()
	if !l.logger.Enabled(ctx, level) {
		return
	}
	ent := l.entry(e)
	now := l.clk.Nanotime()
	if start := ent.start.Load(); now-start >= l.interval && ent.start.CompareAndSwap(start, now) {
		ent.count.Store(0)
		l.flush(ent)
	}
	n := ent.count.Add(1)
	if n <= l.burst {
		l.logger.LogAttrs(ctx, level, "resilience "+e.Kind.String(), eventAttr(e, 0))
		return
	}
	if (n-l.burst)%l.every == 0 {
		l.logger.LogAttrs(ctx, level, "resilience "+e.Kind.String(), eventAttr(e, l.every))
		return
	}
	ent.level.Store(int64(level))
	l.suppression.Add(1)
	if ent.suppressed.Add(1) == 1 {
		l.schedule(ent, time.Duration(ent.start.Load()+l.interval-now))
	}
}

// entry returns key's sampling state, making it if need be.
func (l *Listener) entry(e resilience.Event) *entry {
	k := key{e.Policy, e.Name, e.Kind}
	if v, ok := l.keys.Load(k); ok {
		return v.(*entry)
	}
	if l.nkeys.Load() >= l.maxKeys {
		k.name = OverflowName
		if v, ok := l.keys.Load(k); ok {
			return v.(*entry)
		}
	}
	v, loaded := l.keys.LoadOrStore(k, &entry{key: k})
	if !loaded {
		l.nkeys.Add(1)
	}
	return v.(*entry)
}

// schedule reports ent's suppressed events after d, at its interval's end.
func (l *Listener) schedule(ent *entry, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	if t := l.timers[ent]; t != nil {
		t.Reset(d)
		return
	}
	l.timers[ent] = l.clk.AfterFunc(d, func() { l.flush(ent) })
}

// flush logs one line for ent's suppressed events, if any.
func (l *Listener) flush(ent *entry) {
	k := ent.suppressed.Swap(0)
	if k == 0 {
		return
	}
	l.logger.LogAttrs(context.Background(), slog.Level(ent.level.Load()), "resilience events suppressed",
		slog.Attr{Key: "resilience", Value: slog.GroupValue(
			slog.String("policy", ent.key.policy),
			slog.String("name", ent.key.name),
			slog.String("kind", ent.key.kind.String()),
			slog.Int64("suppressed", k),
			slog.Duration("interval", time.Duration(l.interval)),
		)})
}

// Suppressed returns how many events sampling has kept out of the log so
// far, reported or not.
func (l *Listener) Suppressed() uint64 { return l.suppression.Load() }

// Close stops the Listener's timers and logs the suppressed counts not yet
// reported. Events after Close are still logged and sampled, but their
// suppressed counts are reported only by the next interval's first event.
func (l *Listener) Close() error {
	l.mu.Lock()
	l.closed = true
	timers := l.timers
	l.timers = map[*entry]clock.Timer{}
	l.mu.Unlock()
	for _, t := range timers {
		t.Stop()
	}
	l.keys.Range(func(_, v any) bool {
		l.flush(v.(*entry))
		return true
	})
	return nil
}

// eventAttr is the "resilience" group of e's line; sampled > 0 marks a
// line that stands for that many events.
func eventAttr(e resilience.Event, sampled int64) slog.Attr {
	attrs := make([]slog.Attr, 0, 11)
	attrs = append(attrs, slog.String("policy", e.Policy), slog.String("name", e.Name), slog.String("kind", e.Kind.String()))
	if e.From != "" || e.To != "" {
		attrs = append(attrs, slog.String("from", e.From), slog.String("to", e.To))
	}
	if e.Attempt != 0 {
		attrs = append(attrs, slog.Int("attempt", e.Attempt))
	}
	if e.Delay != 0 {
		attrs = append(attrs, slog.Duration("delay", e.Delay))
	}
	if e.Latency != 0 {
		attrs = append(attrs, slog.Duration("latency", e.Latency))
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("err", e.Err.Error()))
	}
	if e.Detail != "" {
		attrs = append(attrs, slog.String("detail", e.Detail))
	}
	if sampled > 0 {
		attrs = append(attrs, slog.Int64("sampled", sampled))
	}
	return slog.Attr{Key: "resilience", Value: slog.GroupValue(attrs...)}
}
