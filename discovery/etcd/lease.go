package etcd

import (
	"context"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

// ensureLeaseLocked returns the current lease, granting one and starting
// its keep-alive if there is none. It runs under leaseMu.
func (r *Registry) ensureLeaseLocked(ctx context.Context) (int64, error) {
	if r.lease != 0 {
		return r.lease, nil
	}
	if r.ctx.Err() != nil {
		return 0, discovery.ErrClosed
	}
	opCtx, cancel := r.op(ctx)
	defer cancel()
	id, ttl, err := r.cli.grant(opCtx, r.cfg.ttlSeconds())
	if err != nil {
		return 0, r.wrap(ctx, opCtx, "grant lease", err)
	}
	if !r.track() { // closed meanwhile
		rctx, rcancel := context.WithTimeout(context.Background(), r.cfg.OpTimeout)
		r.cli.revoke(rctx, id) //nolint:errcheck // best effort; it expires anyway
		rcancel()
		return 0, discovery.ErrClosed
	}
	kaCtx, kaCancel := context.WithCancel(r.ctx)
	r.lease, r.leaseCancel = id, kaCancel
	go r.keepAlive(kaCtx, id, time.Duration(ttl)*time.Second)
	return id, nil
}

// keepAlive renews the lease every TTL/3 (on real time, like the lease's
// expiry). A failed renewal is tried again every RetryInterval; when etcd
// says it no longer knows the lease, or when no renewal succeeded before
// the lease's expiry, the lease is lost: restore grants a new one and
// registers every instance again.
func (r *Registry) keepAlive(ctx context.Context, lease int64, ttl time.Duration) {
	defer r.wg.Done()
	expiry := time.Now().Add(ttl)
	wait := ttl / 3
	for {
		if left := time.Until(expiry); left <= 0 {
			break
		} else if clock.Sleep(ctx, clock.Real(), min(wait, left)) != nil {
			return // Close, or the lease was replaced
		}
		sent := time.Now()
		opCtx, cancel := r.op(ctx)
		granted, err := r.cli.keepAliveOnce(opCtx, lease)
		cancel()
		if ctx.Err() != nil {
			return
		}
		if err == nil && granted <= 0 {
			break // etcd does not know it any more
		}
		if err == nil {
			ttl = time.Duration(granted) * time.Second
			expiry, wait = sent.Add(ttl), ttl/3
			continue
		}
		wait = min(r.cfg.RetryInterval, ttl/3)
	}
	r.emit(resilience.EventFailure, fmt.Errorf("etcd: lease %x lost", lease), "lease lost; registering again")
	for {
		err := r.restore(lease)
		if err == nil {
			return
		}
		r.emit(resilience.EventFailure, err, "restoring the lease failed; retrying")
		if clock.Sleep(r.ctx, r.clk, r.cfg.RetryInterval) != nil {
			return
		}
	}
}

// restore replaces the lost lease with a new one and puts every
// registration under it. A registration's key is overwritten: it is ours.
func (r *Registry) restore(lost int64) error {
	r.leaseMu.Lock()
	defer r.leaseMu.Unlock()
	if r.ctx.Err() != nil {
		return nil
	}
	if r.lease == lost {
		r.leaseCancel()
		r.lease = 0
	}
	r.mu.Lock()
	regs := make([]*registration, 0, len(r.regs))
	for _, reg := range r.regs {
		if reg != nil {
			regs = append(regs, reg)
		}
	}
	r.mu.Unlock()
	if len(regs) == 0 {
		return nil // nothing to keep alive; the next Register grants a lease
	}
	lease, err := r.ensureLeaseLocked(r.ctx)
	if err != nil {
		return err
	}
	for _, reg := range regs {
		opCtx, cancel := r.op(r.ctx)
		err := r.cli.put(opCtx, reg.key, reg.value, lease)
		cancel()
		if err != nil {
			// Drop the new lease too (etcd expires it) and start over.
			r.leaseCancel()
			r.lease = 0
			return r.wrap(r.ctx, opCtx, "register again "+reg.key, err)
		}
	}
	r.emit(resilience.EventSuccess, nil, fmt.Sprintf("lease restored; %d instances registered again", len(regs)))
	return nil
}
