package etcd

import (
	"context"
	"fmt"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

// ensureLeaseLocked returns the current lease, granting one and starting
// its keep-alive if there is none. It runs under leaseMu.
func (r *Registry) ensureLeaseLocked(ctx context.Context) (clientv3.LeaseID, error) {
	if r.lease != 0 {
		return r.lease, nil
	}
	if r.ctx.Err() != nil {
		return 0, discovery.ErrClosed
	}
	opCtx, cancel := r.op(ctx)
	defer cancel()
	resp, err := r.cli.Grant(opCtx, r.cfg.ttlSeconds())
	if err != nil {
		return 0, r.wrap(ctx, opCtx, "grant lease", err)
	}
	kaCtx, kaCancel := context.WithCancel(r.ctx)
	ch, err := r.cli.KeepAlive(kaCtx, resp.ID)
	if err != nil {
		kaCancel()
		rctx, rcancel := r.op(context.Background())
		r.cli.Revoke(rctx, resp.ID) //nolint:errcheck // best effort; it expires anyway
		rcancel()
		return 0, fmt.Errorf("etcd: keep lease alive: %w", err)
	}
	if !r.track() { // closed meanwhile
		kaCancel()
		rctx, rcancel := r.op(context.Background())
		r.cli.Revoke(rctx, resp.ID) //nolint:errcheck // best effort; it expires anyway
		rcancel()
		return 0, discovery.ErrClosed
	}
	r.lease, r.leaseCancel = resp.ID, kaCancel
	go r.keepAlive(kaCtx, resp.ID, ch)
	return resp.ID, nil
}

// keepAlive drains the lease's keep-alive responses. When the channel
// closes while the lease is still wanted, the lease was lost (etcd did not
// confirm a renewal within TTL): restore grants a new one and registers
// every instance again.
func (r *Registry) keepAlive(ctx context.Context, lease clientv3.LeaseID, ch <-chan *clientv3.LeaseKeepAliveResponse) {
	defer r.wg.Done()
	for range ch {
	}
	if ctx.Err() != nil || r.cli.Ctx().Err() != nil {
		return // Close, or a caller closed the client
	}
	r.emit(resilience.EventFailure, fmt.Errorf("etcd: lease %x lost", int64(lease)), "lease lost; registering again")
	for {
		err := r.restore(lease)
		if err == nil {
			return
		}
		r.emit(resilience.EventFailure, err, "restoring the lease failed; retrying")
		if clock.Sleep(r.ctx, r.clk, r.cfg.RetryInterval) != nil || r.cli.Ctx().Err() != nil {
			return
		}
	}
}

// restore replaces the lost lease with a new one and puts every
// registration under it. A registration's key is overwritten: it is ours.
func (r *Registry) restore(lost clientv3.LeaseID) error {
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
		_, err := r.cli.Put(opCtx, reg.key, reg.value, clientv3.WithLease(lease))
		cancel()
		if err != nil {
			// The new lease's keep-alive runs; try again with it.
			r.leaseCancel()
			r.lease = 0
			return r.wrap(r.ctx, opCtx, "register again "+reg.key, err)
		}
	}
	r.emit(resilience.EventSuccess, nil, fmt.Sprintf("lease restored; %d instances registered again", len(regs)))
	return nil
}
