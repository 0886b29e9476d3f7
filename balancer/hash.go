package balancer

import "math/bits"

// golden is 2^64 divided by the golden ratio, splitmix64's increment.
const golden = 0x9e3779b97f4a7c15

// mix64 is splitmix64's finaliser: a bijection of uint64 whose outputs
// look independent of each other even for consecutive inputs.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// hashString hashes s with FNV-1a, then mixes the result. It is stable
// across processes and releases (keys must land on the same endpoints on
// every proxy) and does not allocate.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix64(h)
}

// fastrange maps a uniform 32-bit x onto [0, n) without a division
// (Lemire's multiply-shift reduction).
func fastrange(x, n uint32) uint32 {
	return uint32(uint64(x) * uint64(n) >> 32)
}

// fastmodM returns the multiplier with which fastmod computes x % n,
// n > 0: ceil(2^64 / n), which wraps to 0 for n = 1.
func fastmodM(n uint32) uint64 {
	return ^uint64(0)/uint64(n) + 1
}

// fastmod returns x % n with two multiplications instead of a division,
// given m = fastmodM(n) (Lemire, Kaser and Kurz, "Faster Remainder by
// Direct Computation", 2019). It is exact for every 32-bit x and n.
func fastmod(x uint32, m uint64, n uint32) uint32 {
	hi, _ := bits.Mul64(m*uint64(x), uint64(n))
	return uint32(hi)
}
