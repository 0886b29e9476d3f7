//go:build !linux

package tick

import "time"

// Sleep pauses the calling goroutine for at least d.
func Sleep(d time.Duration) { time.Sleep(d) }
