package demo

import (
	"fmt"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience/chaos"
)

// numUpstreams is the size of the demo cluster.
const numUpstreams = 3

// upstreams are the demo cluster's servers. Every one is wrapped in the
// outage injector; upstream-1 also in the flaky one. Both are disabled
// until enable, which starts their schedules.
type upstreams struct {
	srvs          []*http.Server
	addrs         []string
	arrived       [numUpstreams]atomic.Int64 // requests received since the last take
	failed        atomic.Int64               // 5xx answers since the last take
	flaky, outage *chaos.Injector
}

// startUpstreams starts the servers on free loopback ports.
func startUpstreams(s Script) (*upstreams, error) {
	// The trigger header is off ("-"): only the schedules inject.
	flaky, err := chaos.New(chaos.Config{Name: "upstream-1", TriggerHeader: "-",
		Faults: s.Flaky.faults(s.FlakyFrom, s.OutageFrom, "upstream-1 is flaky (chaos)")})
	if err != nil {
		return nil, err
	}
	outage, err := chaos.New(chaos.Config{Name: "dependency", TriggerHeader: "-",
		Faults: s.Outage.faults(s.OutageFrom, s.RecoverAt, "dependency outage (chaos)")})
	if err != nil {
		return nil, err
	}
	u := &upstreams{flaky: flaky, outage: outage}
	for i := range numUpstreams {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			u.close()
			return nil, err
		}
		name := fmt.Sprintf("upstream-%d", i+1)
		var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = fmt.Fprintf(w, "%s: %s\n", name, r.URL.Path)
		})
		if i == 0 {
			h = chaos.Middleware(flaky)(h)
		}
		h = chaos.Middleware(outage)(h)
		arrived := &u.arrived[i]
		counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			arrived.Add(1)
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			h.ServeHTTP(sw, r)
			if sw.status >= 500 {
				u.failed.Add(1)
			}
		})
		srv := &http.Server{Handler: counted, ReadHeaderTimeout: 5 * time.Second}
		u.srvs = append(u.srvs, srv)
		u.addrs = append(u.addrs, ln.Addr().String())
		go func() { _ = srv.Serve(ln) }()
	}
	return u, nil
}

// enable switches the injectors on: the script's times count from now.
func (u *upstreams) enable() {
	u.flaky.Enable()
	u.outage.Enable()
}

// take returns how many requests each upstream received since the last
// take, and how many of them all answered with a 5xx.
func (u *upstreams) take() (arrived [numUpstreams]int64, failed int64) {
	for i := range arrived {
		arrived[i] = u.arrived[i].Swap(0)
	}
	return arrived, u.failed.Swap(0)
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (u *upstreams) close() {
	u.flaky.Disable()
	u.outage.Disable()
	for _, s := range u.srvs {
		_ = s.Close()
	}
}
