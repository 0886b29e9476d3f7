package main

import (
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"sync"

	"github.com/resilience-go/resilience/cmd/resilience/internal/memlimit"
	"github.com/resilience-go/resilience/config"
)

// memoryLimiter applies process.memory_limit at start and on each reload,
// running a memlimit.Tuner while the limit is a target, and logs the
// choice whenever it changes. close stops the Tuner and restores the
// limit the process started with.
type memoryLimiter struct {
	log   *slog.Logger
	in    memlimit.Inputs // all but Configured, read once
	tuner *memlimit.Tuner

	mu     sync.Mutex
	last   memlimit.Choice
	logged bool
}

func newMemoryLimiter(log *slog.Logger) *memoryLimiter {
	return &memoryLimiter{log: log, tuner: memlimit.NewTuner(nil, nil), in: memlimit.Inputs{
		Env:      os.Getenv("GOMEMLIMIT"),
		EnvLimit: debug.SetMemoryLimit(-1), // what the runtime took from it
		Cgroup:   memlimit.CgroupLimit(os.DirFS("/")),
	}}
}

func (m *memoryLimiter) set(p config.Process) {
	m.mu.Lock()
	defer m.mu.Unlock()
	in := m.in
	in.Configured = p.MemoryLimit
	c := memlimit.Choose(in)
	if c.Tuned {
		m.tuner.SetTarget(c.Limit)
		m.tuner.Start()
	} else {
		m.tuner.Stop()
		memlimit.Apply(c)
	}
	if m.logged && c == m.last {
		return
	}
	m.last, m.logged = c, true
	limit := "none"
	if c.Limit != math.MaxInt64 {
		limit = config.ByteSize(c.Limit).String()
	}
	if c.Tuned {
		m.log.Info("memory limit", "target", limit, "source", c.Source, "min_gc_percent", memlimit.MinGCPercent)
		return
	}
	m.log.Info("memory limit", "limit", limit, "source", c.Source)
}

// close stops the Tuner and puts back the limit the process started with.
func (m *memoryLimiter) close() {
	m.tuner.Stop()
	debug.SetMemoryLimit(m.in.EnvLimit)
}
