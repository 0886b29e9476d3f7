package discovery

import (
	"sync"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// poller calls fn every interval on a clock's AfterFunc timer. No goroutine
// waits between calls: the real clock runs fn in a timer goroutine that
// ends with it, the manual clock runs it inside Advance. stop waits for a
// running fn to return, so nothing outlives Close.
type poller struct {
	every time.Duration
	fn    func()

	mu      sync.Mutex
	idle    sync.Cond
	t       clock.Timer
	stopped bool
	running int
}

func startPoller(c clock.Clock, every time.Duration, fn func()) *poller {
	p := &poller{every: every, fn: fn}
	p.idle.L = &p.mu
	p.mu.Lock()
	p.t = c.AfterFunc(every, p.tick)
	p.mu.Unlock()
	return p
}

func (p *poller) tick() {
	p.mu.Lock()
	if p.stopped {
		p.mu.Unlock()
		return
	}
	p.running++
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.running--
		if !p.stopped {
			p.t.Reset(p.every)
		}
		p.idle.Broadcast()
		p.mu.Unlock()
	}()
	p.fn()
}

// stop cancels the timer and waits for a running fn. fn must not call it.
func (p *poller) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stopped = true
	p.t.Stop()
	for p.running > 0 {
		p.idle.Wait()
	}
}
