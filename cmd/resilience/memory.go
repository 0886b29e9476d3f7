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
// logging the limit whenever it changes.
type memoryLimiter struct {
	log    *slog.Logger
	in     memlimit.Inputs // all but Configured, read once
	mu     sync.Mutex
	last   memlimit.Choice
	logged bool
}

func newMemoryLimiter(log *slog.Logger) *memoryLimiter {
	return &memoryLimiter{log: log, in: memlimit.Inputs{
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
	memlimit.Apply(c)
	if m.logged && c == m.last {
		return
	}
	m.last, m.logged = c, true
	if c.Limit == math.MaxInt64 {
		m.log.Info("memory limit", "limit", "none", "source", c.Source)
		return
	}
	m.log.Info("memory limit", "limit", config.ByteSize(c.Limit).String(), "source", c.Source)
}
