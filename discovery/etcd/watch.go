package etcd

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

// Watch lists service (bounded by OpTimeout; an etcd that does not answer
// gives ErrUnavailable) and returns a Watcher whose first Next returns that
// set. One goroutine then follows the prefix from the next revision,
// publishing a snapshot after each batch of changes. A watch that breaks
// (etcd unreachable or restarted, a compacted revision, a member that lost
// its leader, a closed stream) is replaced by a new listing every
// RetryInterval until one succeeds, and a new watch from there; meanwhile
// the watcher keeps its last set. The goroutine ends on Close, when ctx
// ends, or when the Registry is closed.
func (r *Registry) Watch(ctx context.Context, service string) (discovery.Watcher, error) {
	if err := r.check(service); err != nil {
		return nil, err
	}
	set, rev, err := r.list(ctx, service)
	if err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(r.ctx, cancel) // Close ends the watcher too
	feed := discovery.NewFeed(service)
	feed.Publish(sorted(set))
	w := &watcher{Watcher: feed.Watch(wctx), cancel: cancel, done: make(chan struct{})}
	if !r.track() {
		stop()
		cancel()
		return nil, discovery.ErrClosed
	}
	go func() {
		defer r.wg.Done()
		defer close(w.done)
		defer feed.Close()
		defer stop()
		r.follow(wctx, service, feed, set, rev)
	}()
	return w, nil
}

type watcher struct {
	discovery.Watcher
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
}

func (w *watcher) Close() error {
	w.once.Do(func() {
		w.cancel()
		<-w.done
		w.Watcher.Close()
	})
	return nil
}

// follow applies the changes after rev to set and publishes each new
// snapshot, listing again whenever the watch breaks, until ctx ends.
func (r *Registry) follow(ctx context.Context, service string, feed *discovery.Feed, set map[string]discovery.Instance, rev int64) {
	for {
		err := r.watchFrom(ctx, service, feed, set, &rev)
		if ctx.Err() != nil {
			return
		}
		r.emit(resilience.EventFailure, err, "watch of "+service+" broke; listing again")
		for {
			if clock.Sleep(ctx, r.clk, r.cfg.RetryInterval) != nil {
				return
			}
			fresh, frev, lerr := r.list(ctx, service)
			if lerr == nil {
				set, rev = fresh, frev
				feed.Publish(sorted(set))
				r.emit(resilience.EventSuccess, nil, "watch of "+service+" restored")
				break
			}
			if ctx.Err() != nil {
				return
			}
			r.emit(resilience.EventFailure, lerr, "listing "+service+" failed; retrying")
		}
	}
}

// watchFrom watches service from *rev+1 and applies the changes until the
// watch breaks, and says why.
func (r *Registry) watchFrom(ctx context.Context, service string, feed *discovery.Feed, set map[string]discovery.Instance, rev *int64) error {
	st, err := r.openWatch(ctx, service, *rev+1)
	if err != nil {
		return err
	}
	defer st.close()
	return r.apply(service, feed, set, rev, st)
}

// openWatch opens a watch of service's prefix from rev; etcd must confirm
// it within OpTimeout. The stream then lives until ctx ends or it is
// closed.
func (r *Registry) openWatch(ctx context.Context, service string, rev int64) (*watchStream, error) {
	sctx, cancel := context.WithCancelCause(ctx)
	t := r.clk.AfterFunc(r.cfg.OpTimeout, func() { cancel(errLimit) })
	st, err := r.cli.watch(sctx, r.servicePrefix(service), rev)
	if !t.Stop() && err == nil { // confirmed too late: the timer cut it
		st.close()
		st, err = nil, context.Cause(sctx)
	}
	if err != nil {
		err = r.wrap(ctx, sctx, "watch "+service, err)
		cancel(nil)
		return nil, err
	}
	st.stop = func() { cancel(nil) }
	return st, nil
}

// apply consumes st until it fails or ends, and says why.
func (r *Registry) apply(service string, feed *discovery.Feed, set map[string]discovery.Instance, rev *int64, st *watchStream) error {
	for {
		resp, err := st.next()
		switch {
		case errors.Is(err, errStreamEnded):
			return fmt.Errorf("etcd: watch of %s closed", service)
		case err != nil:
			return fmt.Errorf("etcd: watch of %s: %w", service, err)
		case resp.CompactRevision != 0:
			return fmt.Errorf("etcd: watch of %s: revision %d was compacted", service, resp.CompactRevision)
		case resp.Canceled:
			return fmt.Errorf("etcd: watch of %s was cancelled: %s", service, resp.CancelReason)
		}
		for _, ev := range resp.Events {
			key := string(ev.Kv.Key)
			switch ev.Type {
			case "", "PUT":
				if inst, ok := r.decode(service, ev.Kv.Key, ev.Kv.Value); ok {
					set[key] = inst
				} else {
					delete(set, key)
				}
			case "DELETE":
				delete(set, key)
			}
		}
		if rv := int64(resp.Header.Revision); rv > *rev {
			*rev = rv
		}
		if len(resp.Events) > 0 {
			feed.Publish(sorted(set))
		}
	}
}
