package balancer

import "sync"

// maxScheduleWork bounds the work of precomputing a smooth weighted round
// robin period: period length × endpoints. Beyond it the balancer runs
// nginx's algorithm live under a mutex instead.
const maxScheduleWork = 1 << 24

// maxSchedule bounds the length of a precomputed period (4 bytes each).
const maxSchedule = 1 << 18

// newSWRR prepares nginx's smooth weighted round robin for conns.
//
// nginx keeps a current weight per endpoint; each pick adds every
// endpoint's weight to its current weight, takes the endpoint with the
// largest current weight (the first on ties) and subtracts the total
// weight from it. The currents always sum to zero, and after total/gcd
// picks every endpoint has been taken weight/gcd times, so every current
// is zero again: the sequence is periodic. newSWRR runs the algorithm once
// over a period and returns it as a schedule, so that a pick is one atomic
// add and an index, exactly reproducing nginx's sequence (a a b a c a a for
// weights 5, 1, 1). When the period is too long to precompute it returns a
// live state instead.
func newSWRR(conns []*conn) ([]uint32, *swrr) {
	g := int64(0)
	for _, c := range conns {
		g = gcd(g, c.weight)
	}
	w := make([]int64, len(conns))
	var total int64
	for i, c := range conns {
		w[i] = c.weight / g
		total += w[i]
	}
	if total > maxSchedule || total*int64(len(conns)) > maxScheduleWork {
		return nil, &swrr{w: w, cur: make([]int64, len(w)), total: total}
	}
	s := swrr{w: w, cur: make([]int64, len(w)), total: total}
	sched := make([]uint32, total)
	for k := range sched {
		sched[k] = uint32(s.step())
	}
	return sched, nil
}

// swrr is nginx's smooth weighted round robin, live.
type swrr struct {
	mu    sync.Mutex
	w     []int64
	cur   []int64
	total int64
}

// next returns the index of the next endpoint.
func (s *swrr) next() int {
	s.mu.Lock()
	i := s.step()
	s.mu.Unlock()
	return i
}

func (s *swrr) step() int {
	best := 0
	for i, w := range s.w {
		s.cur[i] += w
		if s.cur[i] > s.cur[best] {
			best = i
		}
	}
	s.cur[best] -= s.total
	return best
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
