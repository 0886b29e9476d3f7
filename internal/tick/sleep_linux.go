package tick

import (
	"syscall"
	"time"
)

// Sleep pauses the calling goroutine for at least d, in a nanosleep system
// call: no runtime timer is involved.
func Sleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	for {
		var left syscall.Timespec
		if err := syscall.Nanosleep(&ts, &left); err != syscall.EINTR {
			return
		}
		ts = left // interrupted by a signal: sleep the rest
	}
}
