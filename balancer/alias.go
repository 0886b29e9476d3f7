package balancer

import "math/bits"

// aliasTable is Vose's alias method for weighted random choice in O(1):
// draw a column uniformly, then keep it with probability keep[i]/total or
// take its alias. It is built in O(n) with integer arithmetic, so the
// probabilities are exact.
type aliasTable struct {
	keep  []uint64 // out of total
	alias []uint32
	total uint64 // sum of the weights
}

func newAliasTable(conns []*conn) *aliasTable {
	n := uint64(len(conns))
	t := &aliasTable{keep: make([]uint64, n), alias: make([]uint32, n)}
	scaled := make([]uint64, n) // weight × n, compared with total
	for _, c := range conns {
		t.total += uint64(c.weight)
	}
	var small, large []uint32
	for i, c := range conns {
		scaled[i] = uint64(c.weight) * n
		t.alias[i] = uint32(i)
		if scaled[i] < t.total {
			small = append(small, uint32(i))
		} else {
			large = append(large, uint32(i))
		}
	}
	for len(small) > 0 && len(large) > 0 {
		s, l := small[len(small)-1], large[len(large)-1]
		small, large = small[:len(small)-1], large[:len(large)-1]
		t.keep[s], t.alias[s] = scaled[s], l
		scaled[l] -= t.total - scaled[s]
		if scaled[l] < t.total {
			small = append(small, l)
		} else {
			large = append(large, l)
		}
	}
	for _, i := range append(small, large...) {
		t.keep[i] = t.total
	}
	return t
}

// pick returns column i or its alias, using the uniform 32 bits u.
func (t *aliasTable) pick(i, u uint32) uint32 {
	hi, _ := bits.Mul64(uint64(u)<<32, t.total) // u/2^32 × total
	// Select without a branch: the comparison is random, and a branch on
	// it would mispredict often. hi and keep are below total < 2^63, so
	// hi - keep is negative exactly when hi < keep.
	keep := uint32(int64(hi-t.keep[i]) >> 63) // all ones to keep column i
	return i&keep | t.alias[i]&^keep
}
