package dashboard

import (
	"net/http"
	"time"
)

// writeTimeout bounds each write to an event stream, so a client that
// stops reading cannot hold its goroutine forever. It is real time: it is
// a network deadline.
const writeTimeout = 10 * time.Second

// retryHint tells EventSource to reconnect 2s after losing the stream.
const retryHint = "retry: 2000\n\n"

// heartbeat is the comment line that keeps an idle stream open.
const heartbeat = ": ping\n\n"

// serveEvents streams server-sent events: a full snapshot at once, then a
// snapshot every Interval, each recorded event as it happens, a snapshot
// after each manual control, and a heartbeat comment every Heartbeat. It
// returns, ending the stream's goroutine, when the client goes away, a
// write fails or Close is called.
func (d *Dashboard) serveEvents(w http.ResponseWriter, r *http.Request) {
	if d.closed() {
		http.Error(w, "dashboard: closed", http.StatusServiceUnavailable)
		return
	}
	c, ok := d.feed.subscribe()
	if !ok {
		w.Header().Set("Retry-After", "5")
		http.Error(w, "dashboard: too many event streams", http.StatusServiceUnavailable)
		return
	}
	defer d.feed.unsubscribe(c)

	rc := http.NewResponseController(w)
	h := w.Header()
	secure(h)
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("X-Accel-Buffering", "no") // tell buffering proxies to pass it on
	w.WriteHeader(http.StatusOK)
	send := func(b []byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout)) // unsupported by some writers
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(append([]byte(retryHint), d.snapshotMessage(true)...)) {
		return
	}

	clk := d.cfg.Clock
	tick := clk.NewTimer(d.cfg.Interval)
	defer tick.Stop()
	beat := clk.NewTimer(d.cfg.Heartbeat)
	defer beat.Stop()
	for {
		var msg []byte
		select {
		case <-r.Context().Done():
			return
		case <-d.done:
			return
		case msg = <-c.msgs:
		case <-c.kick:
			msg = d.snapshotMessage(c.full.Swap(false))
		case <-tick.C():
			msg = d.snapshotMessage(false)
			tick.Reset(d.cfg.Interval)
		case <-beat.C():
			msg = []byte(heartbeat)
			beat.Reset(d.cfg.Heartbeat)
		}
		if !send(msg) {
			return
		}
	}
}
