package dashboard

import (
	"crypto/rand"
	"net/http"
	"sync"

	"github.com/resilience-go/resilience"
)

// Dashboard serves a live web page of a stats.Registry: the page itself,
// its assets (embedded: it works offline), a stream of server-sent events
// with a snapshot every Config.Interval and every state change as it
// happens, a JSON snapshot, and the manual controls of Config.Controls.
//
// Make one with New, mount Handler, and add Listener to the policies whose
// state changes should show up at once. Close ends the open streams. The
// zero Dashboard is not usable. A Dashboard is safe for concurrent use.
type Dashboard struct {
	cfg   Config
	feed  *feed
	token string // per-process CSRF token embedded in the page
	mux   *http.ServeMux

	done      chan struct{}
	closeOnce sync.Once
}

// New returns a Dashboard for cfg, or cfg.Validate's error.
func New(cfg Config) (*Dashboard, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	d := &Dashboard{
		cfg:   cfg,
		feed:  newFeed(cfg.Clock, cfg.MaxEvents, cfg.MaxClients),
		token: rand.Text(),
		done:  make(chan struct{}),
	}
	d.mux = d.routes()
	return d, nil
}

// Handler returns the handler of every dashboard path: /dashboard (the
// page), /dashboard/app.js, /dashboard/style.css, /dashboard/favicon.png,
// /dashboard/events (server-sent events), /dashboard/api/snapshot (JSON)
// and the control endpoints
//
//	POST /dashboard/api/breakers/{name}/force-open
//	POST /dashboard/api/breakers/{name}/force-close
//	POST /dashboard/api/breakers/{name}/reset
//	POST /dashboard/api/chaos/{name}/enable
//	POST /dashboard/api/chaos/{name}/disable
//
// Mount it at the root of a mux for both "/dashboard" and "/dashboard/",
// or serve it alone. Controls are carried out only for requests from a
// loopback address to a loopback host name, carrying the page's token, and
// not cross-site (see the package documentation).
func (d *Dashboard) Handler() http.Handler { return d.mux }

// Listener returns a resilience.Listener that shows state changes on the
// page at once and lists them among the recent events (it also keeps
// events whose Detail starts with "manual:"). Every other event costs one
// comparison. Add it to each policy beside its stats listener:
//
//	Listener: resilience.Listeners(reg.Listener("circuitbreaker", "db"), d.Listener())
func (d *Dashboard) Listener() resilience.Listener { return listener{d.feed} }

// Events returns the recent events, oldest first: state changes reported
// through Listener and manual controls, at most Config.MaxEvents.
func (d *Dashboard) Events() []EventRecord { return d.feed.recent() }

// Clients returns how many event streams are open.
func (d *Dashboard) Clients() int { return int(d.feed.count.Load()) }

// Token returns the per-process token that control requests carry in the
// X-Dashboard-Token header. The page embeds it; scripts on this host can
// read it from there or from here.
func (d *Dashboard) Token() string { return d.token }

// Close ends every open event stream and refuses new ones with 503; the
// page, snapshot and controls go on being served. It is idempotent and
// returns nil.
func (d *Dashboard) Close() error {
	d.closeOnce.Do(func() { close(d.done) })
	return nil
}

func (d *Dashboard) closed() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

func (d *Dashboard) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /dashboard", d.servePage)
	m.HandleFunc("GET /dashboard/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/dashboard", http.StatusMovedPermanently)
	})
	for name, a := range assets {
		m.HandleFunc("GET /dashboard/"+name, func(w http.ResponseWriter, r *http.Request) { serveAsset(w, a) })
	}
	m.HandleFunc("GET /dashboard/events", d.serveEvents)
	m.HandleFunc("GET /dashboard/api/snapshot", d.serveSnapshot)
	for _, a := range actions {
		m.HandleFunc("POST /dashboard/api/"+a.path, func(w http.ResponseWriter, r *http.Request) { d.control(w, r, a) })
	}
	return m
}
