package main

// The soak's upstreams: HTTP servers that count the pool's requests by
// phase and can be killed and restarted on the same port.

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// soakUpstream is one upstream server that can be killed (every connection
// closed at once) and restarted on the same address. It answers "ok NAME";
// ?slow=1 sleeps past any per-try timeout, ?hold=D sleeps D.
type soakUpstream struct {
	name  string
	addr  string
	phase *atomic.Int32
	mu    sync.Mutex
	srv   *http.Server
	pool  [soakPhases]atomic.Int64 // requests of the pool's routes, by phase
	held  atomic.Int32             // ?hold requests in progress
}

func (u *soakUpstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/healthz" {
		return
	}
	if strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/limited/") {
		u.pool[u.phase.Load()].Add(1)
	}
	q := r.URL.Query()
	var d time.Duration
	if q.Has("slow") {
		d = 5 * time.Second
	} else if h := q.Get("hold"); h != "" {
		d, _ = time.ParseDuration(h)
		u.held.Add(1)
		defer u.held.Add(-1)
	}
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	io.WriteString(w, "ok "+u.name)
}

// start serves on addr ("127.0.0.1:0" the first time, then the same port).
func (u *soakUpstream) start(addr string) error {
	var ln net.Listener
	var err error
	for range 50 { // the port may be briefly taken after a kill; retry
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("upstream %s: %w", u.name, err)
	}
	srv := &http.Server{Handler: u, ReadHeaderTimeout: 5 * time.Second}
	u.mu.Lock()
	u.addr, u.srv = ln.Addr().String(), srv
	u.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	return nil
}

// kill closes the listener and every connection, without draining.
func (u *soakUpstream) kill() {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.srv != nil {
		_ = u.srv.Close()
		u.srv = nil
	}
}
