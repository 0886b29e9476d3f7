package discovery

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/resilience-go/resilience/clock"
)

// Watch returns a Watcher of service that survives the source's failures.
// It watches the source (bounded by Timeout) and forwards its sets, which
// also become the last known good set of Lookup. When the source's watcher
// fails, or the source cannot be watched, the last good set stays
// published, the service turns stale, and the source is watched again
// every RetryInterval. Watch fails only when the source cannot be watched
// now and no good set is known.
//
// One goroutine per watcher forwards the sets; it ends when the watcher is
// closed or ctx is done.
func (c *Cache) Watch(ctx context.Context, service string) (Watcher, error) {
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	pctx, cancel := context.WithCancel(ctx)
	feed := NewFeed(service)
	src, srcCancel, err := c.watchSource(pctx, service)
	if err != nil {
		c.mu.RLock()
		e := c.entries[service]
		known := e != nil && c.servableLocked(e, c.clk.Nanotime())
		var lkg []Instance
		if known {
			lkg = e.set
		}
		c.mu.RUnlock()
		if !known {
			cancel()
			return nil, fmt.Errorf("discovery: cache: watch %s: %w", strconv.Quote(service), err)
		}
		c.failWatch(service, err)
		feed.Publish(lkg)
	}
	w := &cacheWatcher{Watcher: feed.Watch(ctx), feed: feed, cancel: cancel, done: make(chan struct{})}
	go c.pump(pctx, service, feed, src, srcCancel, w.done)
	return w, nil
}

type cacheWatcher struct {
	Watcher
	feed   *Feed
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func (w *cacheWatcher) Close() error {
	w.once.Do(func() {
		w.cancel()
		<-w.done
		w.Watcher.Close()
		w.feed.Close()
	})
	return nil
}

// pump forwards the source's sets into feed, watching again after failures,
// until ctx ends.
func (c *Cache) pump(ctx context.Context, service string, feed *Feed, src Watcher, srcCancel context.CancelFunc, done chan struct{}) {
	defer close(done)
	defer feed.Close()
	for {
		if src != nil {
			err := c.forward(ctx, service, feed, src)
			src.Close()
			srcCancel()
			if ctx.Err() != nil {
				return
			}
			c.failWatch(service, err)
		}
		if clock.Sleep(ctx, c.clk, c.cfg.RetryInterval) != nil {
			return
		}
		var err error
		if src, srcCancel, err = c.watchSource(ctx, service); err != nil {
			src = nil
			c.failWatch(service, err)
		}
	}
}

// forward copies src's sets into feed until src or ctx fails.
func (c *Cache) forward(ctx context.Context, service string, feed *Feed, src Watcher) error {
	for {
		u, err := src.Next(ctx)
		if err != nil {
			if errors.Is(err, ErrClosed) {
				return fmt.Errorf("discovery: cache: the watch of %s ended: %w", strconv.Quote(service), err)
			}
			return err
		}
		e := c.entry(service)
		set, err := c.record(service, e, u.Instances, nil)
		if err != nil {
			continue // KeepOnEmpty refused an empty set and nothing is known
		}
		feed.Publish(set)
	}
}

func (c *Cache) entry(service string) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[service]
	if e == nil {
		e = &cacheEntry{}
		c.entries[service] = e
	}
	return e
}

func (c *Cache) failWatch(service string, err error) {
	_, _ = c.record(service, c.entry(service), nil, err)
}

// watchSource calls the source's Watch with a context that outlives the
// call (it is the watcher's lifetime) but abandons the call after Timeout.
func (c *Cache) watchSource(ctx context.Context, service string) (Watcher, context.CancelFunc, error) {
	wctx, cancel := context.WithCancel(ctx)
	type result struct {
		w   Watcher
		err error
	}
	ch := make(chan result, 1)
	var mu sync.Mutex
	abandoned := false
	go func() {
		w, err := c.cfg.Source.Watch(wctx, service)
		mu.Lock()
		defer mu.Unlock()
		if abandoned {
			if w != nil {
				w.Close()
			}
			return
		}
		ch <- result{w, err}
	}()
	t := c.clk.NewTimer(c.cfg.Timeout)
	defer t.Stop()
	select {
	case r := <-ch:
		if r.err != nil {
			cancel()
			return nil, nil, r.err
		}
		return r.w, cancel, nil
	case <-t.C():
	case <-ctx.Done():
	}
	mu.Lock()
	select {
	case r := <-ch: // it answered at the same moment
		mu.Unlock()
		if r.err != nil {
			cancel()
			return nil, nil, r.err
		}
		return r.w, cancel, nil
	default:
	}
	abandoned = true
	mu.Unlock()
	cancel()
	if ctx.Err() != nil {
		return nil, nil, context.Cause(ctx)
	}
	return nil, nil, fmt.Errorf("discovery: cache: watch of %s gave no answer within %v: %w", strconv.Quote(service), c.cfg.Timeout, ErrTimeout)
}
