package timeout

import (
	"bytes"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/resilience-go/resilience"
)

var t0 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// recorder is a Listener that keeps every event.
type recorder struct {
	mu     sync.Mutex
	events []resilience.Event
}

func (r *recorder) OnEvent(e resilience.Event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

func (r *recorder) Events() []resilience.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]resilience.Event(nil), r.events...)
}

// goid returns the current goroutine's id, parsed from its stack header.
func goid() int {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	b = b[:bytes.IndexByte(b, ' ')]
	n, _ := strconv.Atoi(string(b))
	return n
}
