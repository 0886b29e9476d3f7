package fulldemo

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/resilience-go/resilience/chaos"
)

// Phase is what the flaky upstream does at a moment of the demo.
type Phase uint8

const (
	// PhaseHealthy: every upstream answers quickly.
	PhaseHealthy Phase = iota
	// PhaseFlaky: the flaky upstream fails most requests and answers
	// others slowly.
	PhaseFlaky
	// PhaseRecovered: healthy again.
	PhaseRecovered
)

// String names the phase for the timeline.
func (p Phase) String() string {
	switch p {
	case PhaseHealthy:
		return "healthy"
	case PhaseFlaky:
		return "flaky"
	case PhaseRecovered:
		return "recovered"
	}
	return "unknown"
}

// Script says when and how the flaky upstream misbehaves, measured from the
// moment its injector is enabled (the start of the load).
type Script struct {
	FlakyFrom, FlakyUntil time.Duration
	// ErrorRate is the probability of a 503 answer while flaky.
	ErrorRate float64
	// SlowRate is the probability of SlowDelay extra latency while flaky.
	SlowRate  float64
	SlowDelay time.Duration
}

// scriptFor spreads the phases over the demo: healthy for the first 30%,
// flaky until 60%, then recovered. The slow answers stay under the demo
// config's 500ms per-try timeout.
func scriptFor(d time.Duration) Script {
	return Script{
		FlakyFrom:  d * 3 / 10,
		FlakyUntil: d * 6 / 10,
		ErrorRate:  0.9,
		SlowRate:   0.2,
		SlowDelay:  300 * time.Millisecond,
	}
}

func (s Script) phase(elapsed time.Duration) Phase {
	switch {
	case elapsed < s.FlakyFrom:
		return PhaseHealthy
	case elapsed < s.FlakyUntil:
		return PhaseFlaky
	}
	return PhaseRecovered
}

// faults are the chaos faults of the flaky upstream: latency first (every
// latency fault that fires adds its delay), then the 503.
func (s Script) faults() []chaos.Fault {
	sched := chaos.Schedule{From: s.FlakyFrom, Until: s.FlakyUntil}
	return []chaos.Fault{
		{Name: "slow", Kind: chaos.KindLatency, Probability: s.SlowRate, Latency: s.SlowDelay, Schedule: sched},
		{Name: "fail", Kind: chaos.KindAbort, Probability: s.ErrorRate, HTTPStatus: http.StatusServiceUnavailable,
			Message: "flaky upstream (chaos)", Schedule: sched},
	}
}

// upstreams are the demo cluster's servers; flaky is the injector of the
// first one.
type upstreams struct {
	srvs  []*http.Server
	addrs []string
	flaky *chaos.Injector
}

// startUpstreams starts n servers on free loopback ports; the first is
// wrapped in a disabled injector with s's faults (Enable starts its clock).
func startUpstreams(n int, s Script) (*upstreams, error) {
	inj, err := chaos.New(chaos.Config{Name: "upstream-1", Faults: s.faults(), TriggerHeader: "-"})
	if err != nil {
		return nil, err
	}
	u := &upstreams{flaky: inj}
	for i := range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			u.close()
			return nil, err
		}
		body := fmt.Sprintf("ok from upstream-%d\n", i+1)
		var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = w.Write([]byte(body))
		})
		if i == 0 {
			h = chaos.Middleware(inj)(h)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
		u.srvs = append(u.srvs, srv)
		u.addrs = append(u.addrs, ln.Addr().String())
		go func() { _ = srv.Serve(ln) }()
	}
	return u, nil
}

func (u *upstreams) close() {
	for _, s := range u.srvs {
		_ = s.Close()
	}
}
