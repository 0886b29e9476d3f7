package window

import (
	"sync/atomic"
	"unsafe"
)

// numStripes is how many cache lines a striped word spreads over.
const numStripes = 8

// stripeSlot is one stripe's word. It spans 128 bytes, so that two
// stripes never share a cache line (nor an adjacent-line prefetch pair)
// however the array is aligned.
type stripeSlot struct {
	n atomic.Uint64
	_ [120]byte
}

// stripes is a word per stripe. Goroutines that run at the same time
// usually pick different stripes (see stripe), so they do not fight over
// one cache line.
type stripes [numStripes]stripeSlot

// Striped is a counter that many goroutines can increment at once without
// contention; Load sums the stripes. The zero value is a counter at zero.
type Striped struct {
	s stripes
}

// Inc adds one.
func (c *Striped) Inc() { c.s[stripe()].n.Add(1) }

// Load returns the sum of the stripes.
func (c *Striped) Load() uint64 {
	var n uint64
	for i := range c.s {
		n += c.s[i].n.Load()
	}
	return n
}

// stripe picks a stripe from the caller's stack address: the address in
// 2 KiB units (the smallest goroutine stack), modulo the stripe count.
// Goroutines that run at the same time have distinct stacks, so two of
// them land on different stripes unless their stacks are a multiple of
// 16 KiB apart, which is rare for goroutines started close together; a
// goroutine calling from the same depth keeps its stripe. Any hash of the
// address collides for 1 pair in 8 on average: this one is the cheapest and
// never collides for stacks less than 16 KiB apart. It is only a hint: a
// moved or grown stack just moves the stripe.
func stripe() uint64 {
	var x byte
	return uint64(uintptr(unsafe.Pointer(&x))) >> 11 & (numStripes - 1)
}
