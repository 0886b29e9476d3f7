package etcd

import (
	"context"
	"fmt"
	"sync"

	"go.etcd.io/etcd/api/v3/mvccpb"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

// Watch lists service (bounded by OpTimeout; an etcd that does not answer
// gives ErrUnavailable) and returns a Watcher whose first Next returns that
// set. One goroutine then follows the prefix from the next revision,
// publishing a snapshot after each batch of changes. When etcd is down the
// watcher keeps its last set, and the etcd client resumes the watch from
// where it stopped once etcd is back; a watch that breaks (compacted
// revision, lost leader, closed stream) is replaced by a new listing every
// RetryInterval until one succeeds. The goroutine ends on Close, when ctx
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
	prefix := r.servicePrefix(service)
	for {
		wch := r.cli.Watch(clientv3.WithRequireLeader(ctx), prefix, clientv3.WithPrefix(), clientv3.WithRev(rev+1))
		err := r.apply(service, feed, set, &rev, wch)
		if ctx.Err() != nil || r.cli.Ctx().Err() != nil {
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
			if ctx.Err() != nil || r.cli.Ctx().Err() != nil {
				return
			}
			r.emit(resilience.EventFailure, lerr, "listing "+service+" failed; retrying")
		}
	}
}

// apply consumes wch until it fails or closes, and says why.
func (r *Registry) apply(service string, feed *discovery.Feed, set map[string]discovery.Instance, rev *int64, wch clientv3.WatchChan) error {
	for resp := range wch {
		if resp.CompactRevision != 0 {
			return fmt.Errorf("etcd: watch of %s: revision %d was compacted", service, resp.CompactRevision)
		}
		if err := resp.Err(); err != nil {
			return fmt.Errorf("etcd: watch of %s: %w", service, err)
		}
		if resp.Canceled {
			return fmt.Errorf("etcd: watch of %s was cancelled", service)
		}
		for _, ev := range resp.Events {
			key := string(ev.Kv.Key)
			switch ev.Type {
			case mvccpb.PUT:
				if inst, ok := r.decode(service, ev.Kv); ok {
					set[key] = inst
				} else {
					delete(set, key)
				}
			case mvccpb.DELETE:
				delete(set, key)
			}
		}
		if resp.Header.Revision > *rev {
			*rev = resp.Header.Revision
		}
		if len(resp.Events) > 0 {
			feed.Publish(sorted(set))
		}
	}
	return fmt.Errorf("etcd: watch of %s closed", service)
}
