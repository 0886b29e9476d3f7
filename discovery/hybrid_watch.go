package discovery

import (
	"context"
	"fmt"
	"strconv"
	"sync"
)

// Watch watches both sources and publishes the set chosen by Lookup's rules
// whenever either changes. It fails only when neither source can be
// watched; a source that cannot be watched is left out (wrap it in a Cache
// to have it watched again). Two goroutines per watcher, one per source,
// end when the watcher is closed or ctx is done.
func (h *HybridSource) Watch(ctx context.Context, service string) (Watcher, error) {
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	pctx, cancel := context.WithCancel(ctx)
	dw, derr := h.cfg.Direct.Watch(pctx, service)
	rw, rerr := h.cfg.Registry.Watch(pctx, service)
	if derr != nil && rerr != nil {
		cancel()
		return nil, fmt.Errorf("discovery: hybrid: watch %s: direct: %w; registry: %w", strconv.Quote(service), derr, rerr)
	}
	m := &hybridMerge{h: h, service: service, feed: NewFeed(service)}
	w := &hybridWatcher{Watcher: m.feed.Watch(ctx), feed: m.feed, cancel: cancel}
	for i, src := range []Watcher{dw, rw} {
		if src == nil {
			continue
		}
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			defer src.Close()
			for {
				u, err := src.Next(pctx)
				if err != nil {
					return
				}
				m.update(i == 0, u.Instances)
			}
		}()
	}
	return w, nil
}

type hybridMerge struct {
	h       *HybridSource
	service string
	feed    *Feed

	mu                  sync.Mutex
	direct, reg         []Instance
	haveDirect, haveReg bool
}

func (m *hybridMerge) update(direct bool, set []Instance) {
	m.mu.Lock()
	if direct {
		m.direct, m.haveDirect = set, true
	} else {
		m.reg, m.haveReg = set, true
	}
	chosen, mode, ok := m.h.choose(m.direct, m.reg, m.haveDirect, m.haveReg)
	old := ModeNone
	if ok {
		old = m.h.swapMode(m.service, mode) // before watchers can see the set
		m.feed.Publish(chosen)
	}
	m.mu.Unlock()
	if ok {
		m.h.reportSwitch(m.service, old, mode)
	}
}

type hybridWatcher struct {
	Watcher
	feed   *Feed
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

func (w *hybridWatcher) Close() error {
	w.once.Do(func() {
		w.cancel()
		w.wg.Wait()
		w.Watcher.Close()
		w.feed.Close()
	})
	return nil
}
