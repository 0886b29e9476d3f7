package balancer

// rebuildLocked builds a snapshot from the current endpoints and their
// availability and publishes it. A group whose endpoints are the same as in
// the published snapshot keeps its picker, so rings and schedules are only
// rebuilt when their endpoints change. Callers hold b.mu.
func (b *Balancer) rebuildLocked() {
	old := b.snap.Load()
	s := &snapshot{groups: make([]*picker, len(b.selectors))}
	for g, sel := range b.selectors {
		conns, panicked := b.candidatesLocked(sel)
		if len(conns) == 0 {
			continue
		}
		if p := old.groups[g]; p != nil && p.panic == panicked && sameConns(p.conns, conns) {
			s.groups[g] = p
			continue
		}
		p := b.newPicker(g, conns)
		p.panic = panicked
		s.groups[g] = p
	}
	if b.algo == algoRoundRobin && len(b.routes) == 0 {
		s.rr = s.groups[0]
	}
	b.snap.Store(s)
}

// candidatesLocked returns the endpoints a group picks from: the available
// members of its subset, narrowed to the local zone while enough of the
// zone is available; in panic mode, every member when none is available.
func (b *Balancer) candidatesLocked(sel selector) (conns []*conn, panicked bool) {
	var members, avail, local []*conn
	localTotal := 0
	zone := b.cfg.Zone.Local
	for _, c := range b.conns {
		if !sel.selects(&c.ep) {
			continue
		}
		members = append(members, c)
		inZone := zone != "" && c.ep.Zone == zone
		if inZone {
			localTotal++
		}
		if c.available() {
			avail = append(avail, c)
			if inZone {
				local = append(local, c)
			}
		}
	}
	if len(local) > 0 && float64(len(local)) >= b.cfg.Zone.minHealthyShare()*float64(localTotal)-1e-9 {
		return local, false
	}
	if len(avail) > 0 {
		return avail, false
	}
	if b.cfg.PanicMode && len(members) > 0 {
		return members, true
	}
	return nil, false
}

func sameConns(a, b []*conn) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
