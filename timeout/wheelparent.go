package timeout

import "context"

// A reg is one registration on a wheelCtx, kept in the doubly-linked list
// at its ext, guarded by flagLocked: a function from AfterFunc, a wheelCtx
// child to end with it, or the stop function of its own registration with
// a parent of another type. One allocation each.
type reg struct {
	prev, next *reg
	c          *wheelCtx // the context it is registered on
	f          func()
	child      *wheelCtx
	pstop      func() bool
	linked     bool
}

// addLocked links r into c's list.
func (c *wheelCtx) addLocked(r *reg) {
	r.c, r.prev, r.next, r.linked = c, nil, c.ext, true
	if c.ext != nil {
		c.ext.prev = r
	}
	c.ext = r
}

// removeLocked unlinks r, and reports whether it was linked.
func (r *reg) removeLocked() bool {
	if !r.linked {
		return false
	}
	if r.prev != nil {
		r.prev.next = r.next
	} else {
		r.c.ext = r.next
	}
	if r.next != nil {
		r.next.prev = r.prev
	}
	r.prev, r.next, r.linked = nil, nil, false
	return true
}

// stop is the stop function AfterFunc returns.
func (r *reg) stop() bool {
	r.c.lock()
	defer r.c.unlock()
	return r.removeLocked()
}

// watchParent registers c with its parent, once, so that the parent's end
// ends c even when nobody asks c: AfterFunc calls it, since its functions
// must run when the parent ends, and so does Done under a wheelCtx parent.
// A parent that can never end (Done nil) needs nothing.
func (c *wheelCtx) watchParent() {
	p, isWheel := c.parent.(*wheelCtx)
	if !isWheel && c.pdone == nil || c.flags.Load()&flagWatching != 0 ||
		c.flags.Or(flagWatching|flagExt)&flagWatching != 0 {
		return
	}
	if isWheel {
		if !p.addChild(c) {
			c.finish(ctxParentDone, 0)
		}
		return
	}
	select {
	case <-c.pdone:
		c.finish(ctxParentDone, 0)
		return
	default:
	}
	r := &reg{pstop: context.AfterFunc(c.parent, c.parentDone)}
	c.lock()
	active := c.state.Load() == ctxActive
	if active {
		c.addLocked(r)
	}
	c.unlock()
	if !active {
		r.pstop() // c ended meanwhile: finish did not see r
	}
}

// parentDone is run by context.AfterFunc when a parent of another type
// ends.
func (c *wheelCtx) parentDone() { c.finish(ctxParentDone, 0) }

// addChild makes child, a wheelCtx derived from p, end when p ends. It
// returns false when p has already ended.
func (p *wheelCtx) addChild(child *wheelCtx) bool {
	p.watchParent() // p's parent's end must reach p, then child
	p.flags.Or(flagExt)
	r := &reg{child: child}
	p.lock()
	defer p.unlock()
	if p.state.Load() != ctxActive {
		return false
	}
	// A child that ended meanwhile already tried to remove itself.
	if child.state.Load() == ctxActive {
		p.addLocked(r)
	}
	return true
}

// removeChild forgets child, which ended before p.
func (p *wheelCtx) removeChild(child *wheelCtx) {
	p.lock()
	defer p.unlock()
	for r := p.ext; r != nil; r = r.next {
		if r.child == child {
			r.removeLocked()
			return
		}
	}
}

// finishExt completes finish for a context with registrations. On the
// wheel's goroutine, unregistering from a parent of another type, which
// may run that type's code, is left to a goroutine of its own.
func (c *wheelCtx) finishExt(onWheel bool) {
	c.lock()
	list := c.ext
	c.ext = nil
	for r := list; r != nil; r = r.next {
		r.linked = false // stop functions now report false
	}
	c.unlock()
	if p, ok := c.parent.(*wheelCtx); ok && c.flags.Load()&flagWatching != 0 {
		p.removeChild(c)
	}
	for r := list; r != nil; r = r.next {
		switch {
		case r.pstop != nil && onWheel:
			go r.pstop()
		case r.pstop != nil:
			r.pstop()
		case r.child != nil:
			how := 0 // its own timer is still armed
			if onWheel {
				how = finOnWheel
			}
			r.child.finish(ctxParentDone, how)
		default:
			go r.f()
		}
	}
}

// AfterFunc arranges for f to run in its own goroutine once c has ended, as
// context.AfterFunc(c, f) documents. Package context calls it for the
// contexts derived from c, which then need no goroutine of their own, and
// end with c's own error (DeadlineExceeded at its expiry).
func (c *wheelCtx) AfterFunc(f func()) (stop func() bool) {
	r := &reg{f: f}
	c.watchParent()
	c.flags.Or(flagExt)
	c.lock()
	if c.state.Load() != ctxActive {
		c.unlock()
		go f()
		return func() bool { return false }
	}
	c.addLocked(r)
	c.unlock()
	return r.stop
}
