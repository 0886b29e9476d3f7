package dashboard

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
)

// TestHammer runs state changes, controls, snapshots, clock ticks and
// open streams at once, for the race detector, then checks the event log.
func TestHammer(t *testing.T) {
	e := newEnv(t, Config{Interval: time.Second, MaxEvents: 50})
	var streams []*stream
	for range 3 {
		s := openStream(t, e.d.Handler())
		streams = append(streams, s)
	}
	var readers, wg sync.WaitGroup
	for _, s := range streams {
		readers.Go(func() { _, _ = io.Copy(io.Discard, s.r) }) // until the stream ends
	}
	const n = 200
	for g := range 4 {
		wg.Go(func() {
			for i := range n {
				e.d.Listener().OnEvent(resilience.Event{Kind: resilience.EventStateChange, Policy: "p", Name: string(rune('a' + g)), To: string(rune('a' + i%26))})
				e.d.Listener().OnEvent(resilience.Event{Kind: resilience.EventSuccess, Policy: "p"})
			}
		})
	}
	for g := range 2 {
		wg.Go(func() {
			paths := []string{"/dashboard/api/breakers/db/force-open", "/dashboard/api/breakers/db/reset", "/dashboard/api/chaos/db/enable"}
			for i := range n / 4 {
				if w := e.serve(e.controlRequest(paths[(g+i)%len(paths)])); w.Code != http.StatusOK {
					t.Errorf("control = %d %s", w.Code, w.Body)
					return
				}
				e.call(errBoom)
			}
		})
	}
	wg.Go(func() {
		for range n / 4 {
			w := e.serve(httptest.NewRequest(http.MethodGet, "/dashboard/api/snapshot", nil))
			if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"instances":[`) {
				t.Errorf("snapshot = %d %s", w.Code, w.Body)
				return
			}
		}
	})
	wg.Go(func() {
		for range n / 4 {
			e.clk.Advance(time.Second)
		}
	})
	wg.Wait()
	for _, s := range streams {
		s.cancel()
		<-s.done
	}
	readers.Wait()
	if got := e.d.Clients(); got != 0 {
		t.Errorf("Clients() = %d want 0", got)
	}
	events := e.d.Events()
	if len(events) != 50 {
		t.Fatalf("Events() = %d want MaxEvents 50", len(events))
	}
	for i := 1; i < len(events); i++ {
		if events[i].Seq != events[i-1].Seq+1 {
			t.Fatalf("Events() seqs %d then %d: want consecutive", events[i-1].Seq, events[i].Seq)
		}
	}
	if last := events[len(events)-1].Seq; last < 4*n+n/2 {
		t.Errorf("last Seq = %d want at least %d (every state change and control)", last, 4*n+n/2)
	}
}
