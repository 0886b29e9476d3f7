package demo

import (
	"math/rand/v2"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// Phase is what the scripted upstream does at a moment of the demo.
type Phase uint8

const (
	// PhaseHealthy answers 200 quickly.
	PhaseHealthy Phase = iota
	// PhaseFailing answers most requests with 500 and some slowly.
	PhaseFailing
	// PhaseRecovered is healthy again.
	PhaseRecovered
)

// String names the phase for the timeline.
func (p Phase) String() string {
	switch p {
	case PhaseHealthy:
		return "healthy"
	case PhaseFailing:
		return "failing"
	case PhaseRecovered:
		return "recovered"
	}
	return "unknown"
}

// Script says when the upstream fails: between FailFrom and FailUntil after
// the start, a request fails with probability ErrorRate, and otherwise, with
// probability SlowRate, takes SlowDelay.
type Script struct {
	FailFrom, FailUntil time.Duration
	ErrorRate           float64
	SlowRate            float64
	SlowDelay           time.Duration
}

// scriptFor spreads the phases over the demo: healthy for the first 30%,
// failing until 60%, then recovered.
func scriptFor(d time.Duration) Script {
	return Script{
		FailFrom:  d * 3 / 10,
		FailUntil: d * 6 / 10,
		ErrorRate: 0.7,
		SlowRate:  0.5,
		SlowDelay: min(d/20, 400*time.Millisecond),
	}
}

// upstream is a scripted HTTP server on a free loopback port.
type upstream struct {
	script Script
	start  time.Time
	srv    *http.Server
	ln     net.Listener
	served atomic.Int64
}

func startUpstream(s Script) (*upstream, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	u := &upstream{script: s, start: time.Now(), ln: ln}
	u.srv = &http.Server{Handler: u, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = u.srv.Serve(ln) }()
	return u, nil
}

func (u *upstream) URL() string { return "http://" + u.ln.Addr().String() }

func (u *upstream) phase(now time.Time) Phase {
	since := now.Sub(u.start)
	switch {
	case since < u.script.FailFrom:
		return PhaseHealthy
	case since < u.script.FailUntil:
		return PhaseFailing
	}
	return PhaseRecovered
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.served.Add(1)
	if u.phase(time.Now()) == PhaseFailing {
		if rand.Float64() < u.script.ErrorRate {
			http.Error(w, "upstream failure (scripted)", http.StatusInternalServerError)
			return
		}
		if rand.Float64() < u.script.SlowRate {
			select {
			case <-time.After(u.script.SlowDelay):
			case <-r.Context().Done():
				return
			}
		}
	}
	_, _ = w.Write([]byte("ok\n"))
}

func (u *upstream) Close() error { return u.srv.Close() }
