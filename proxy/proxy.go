package proxy

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/dashboard"
	"github.com/resilience-go/resilience/health"
	"github.com/resilience-go/resilience/stats"
)

// DefaultDrainTimeout bounds Shutdown's wait for requests in flight when
// Options.DrainTimeout is zero.
const DefaultDrainTimeout = 10 * time.Second

// Options are the settings of a Proxy that are not in its config file.
type Options struct {
	// Registry receives the routes', clusters' and policies' stats. Nil
	// means a new registry of the proxy's own.
	Registry *stats.Registry
	// Logger logs reloads and server errors. Nil means slog.Default().
	Logger *slog.Logger
	// DrainTimeout bounds how long Shutdown waits for requests in flight
	// when its context has no deadline. Zero means DefaultDrainTimeout.
	DrainTimeout time.Duration
}

// Proxy serves a config.Config. Make one with New, then Start (or Serve);
// stop it with Shutdown.
type Proxy struct {
	opts   Options
	reg    *stats.Registry
	log    *slog.Logger
	health *health.Checker
	dash   *dashboard.Dashboard
	events dashEvents // state changes, to the dashboard once it exists

	mu     sync.Mutex // serialises Apply and Shutdown
	table  atomic.Pointer[table]
	closed bool

	servers []*server
	admin   *server
	wg      sync.WaitGroup
	errOnce sync.Once
	errc    chan error
}

type server struct {
	srv  *http.Server
	ln   net.Listener
	tls  bool
	name string
}

// New builds a proxy for cfg, binding its listeners and admin server at
// once (so Addr reports the port picked for ":0"); call Start to serve.
func New(cfg *config.Config, opts Options) (*Proxy, error) {
	if cfg == nil {
		return nil, errors.New("proxy: nil config")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p := &Proxy{opts: opts, reg: opts.Registry, log: opts.Logger, errc: make(chan error, 1)}
	if p.reg == nil {
		r, err := stats.NewRegistry(stats.DefaultConfig())
		if err != nil {
			return nil, err
		}
		p.reg = r
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	hc, err := health.New(health.Config{StartupPending: true})
	if err != nil {
		return nil, err
	}
	p.health = hc
	t, err := buildTable(cfg, nil, config.Diff(nil, cfg), p.reg, &p.events)
	if err != nil {
		return nil, err
	}
	p.table.Store(t)
	if err := p.listen(cfg); err != nil {
		p.closeAll()
		return nil, err
	}
	return p, nil
}

func (p *Proxy) listen(cfg *config.Config) error {
	for _, l := range cfg.Listeners {
		addr := l.Address
		if addr == "" {
			addr = config.DefaultListenAddress
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("proxy: listener %q: %w", l.Name, err)
		}
		s := &server{ln: ln, name: l.Name, srv: newServer(l, listenerHandler{p: p, name: l.Name})}
		if l.TLS != nil {
			cert, err := tls.LoadX509KeyPair(l.TLS.CertFile, l.TLS.KeyFile)
			if err != nil {
				ln.Close()
				return fmt.Errorf("proxy: listener %q: tls: %w", l.Name, err)
			}
			s.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
			s.tls = true
		}
		p.servers = append(p.servers, s)
	}
	if cfg.Admin.Enabled {
		addr := cfg.Admin.Address
		if addr == "" {
			addr = config.DefaultAdminAddress
		}
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("proxy: admin: %w", err)
		}
		h, err := p.adminHandler(cfg.Admin)
		if err != nil {
			ln.Close()
			return err
		}
		p.admin = &server{ln: ln, name: "admin", srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	}
	return nil
}

func newServer(l config.Listener, h http.Handler) *http.Server {
	if l.MaxBodyBytes > 0 {
		h = http.MaxBytesHandler(h, l.MaxBodyBytes)
	}
	s := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: l.Timeouts.ReadHeader,
		ReadTimeout:       l.Timeouts.Read,
		WriteTimeout:      l.Timeouts.Write,
		IdleTimeout:       l.Timeouts.Idle,
		MaxHeaderBytes:    l.MaxHeaderBytes,
	}
	if s.ReadHeaderTimeout == 0 {
		s.ReadHeaderTimeout = config.DefaultReadHeaderTimeout
	}
	if s.IdleTimeout == 0 {
		s.IdleTimeout = config.DefaultIdleTimeout
	}
	if s.MaxHeaderBytes == 0 {
		s.MaxHeaderBytes = config.DefaultMaxHeaderBytes
	}
	if len(l.Protocols) > 0 {
		var ps http.Protocols
		for _, v := range l.Protocols {
			switch v {
			case "http1":
				ps.SetHTTP1(true)
			case "h2c":
				ps.SetUnencryptedHTTP2(true)
			case "h2":
				ps.SetHTTP2(true)
			}
		}
		s.Protocols = &ps
	}
	return s
}

// Start serves every listener and the admin server in the background.
// Errors other than a clean shutdown are returned by Serve.
func (p *Proxy) Start() {
	run := func(s *server) {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			var err error
			if s.tls {
				err = s.srv.ServeTLS(s.ln, "", "")
			} else {
				err = s.srv.Serve(s.ln)
			}
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				p.errOnce.Do(func() { p.errc <- fmt.Errorf("proxy: %s: %w", s.name, err) })
			}
		}()
	}
	for _, s := range p.servers {
		run(s)
	}
	if p.admin != nil {
		run(p.admin)
	}
	p.health.MarkStarted()
}

// Serve starts the proxy and blocks until ctx is done, then shuts it down
// gracefully, or until a server fails.
func (p *Proxy) Serve(ctx context.Context) error {
	p.Start()
	select {
	case <-ctx.Done():
		return p.Shutdown(context.WithoutCancel(ctx))
	case err := <-p.errc:
		_ = p.Shutdown(context.WithoutCancel(ctx))
		return err
	}
}

// Addr returns the address of the first listener.
func (p *Proxy) Addr() string {
	if len(p.servers) == 0 {
		return ""
	}
	return p.servers[0].ln.Addr().String()
}

// ListenerAddr returns the address of the listener named name, or "".
func (p *Proxy) ListenerAddr(name string) string {
	for _, s := range p.servers {
		if s.name == name {
			return s.ln.Addr().String()
		}
	}
	return ""
}

// AdminAddr returns the admin server's address, or "" when it is off.
func (p *Proxy) AdminAddr() string {
	if p.admin == nil {
		return ""
	}
	return p.admin.ln.Addr().String()
}

// Registry returns the stats registry the proxy records into.
func (p *Proxy) Registry() *stats.Registry { return p.reg }

// Config returns the configuration in force.
func (p *Proxy) Config() *config.Config { return p.table.Load().cfg }

// Apply replaces the configuration: it validates newCfg, builds its routing
// table (keeping the clusters and policy instances config.Diff reports
// unchanged) and swaps it in atomically. Requests in flight finish on the
// old table. On error the old configuration keeps serving. Listener and
// admin changes need a restart; they are logged and ignored.
func (p *Proxy) Apply(newCfg *config.Config) error {
	if newCfg == nil {
		return errors.New("proxy: nil config")
	}
	if err := newCfg.Validate(); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("proxy: shut down")
	}
	old := p.table.Load()
	ch := config.Diff(old.cfg, newCfg)
	t, err := buildTable(newCfg, old, ch, p.reg, &p.events)
	if err != nil {
		return err
	}
	p.table.Store(t)
	old.closeUnused(t)
	p.forget(ch)
	if len(ch.Listeners.Added)+len(ch.Listeners.Removed)+len(ch.Listeners.Changed) > 0 || ch.Admin {
		p.log.Warn("proxy: listener and admin changes take effect on restart")
	}
	return nil
}

// Shutdown stops the proxy gracefully: readiness turns false, the
// listeners stop accepting, requests in flight get until ctx's deadline
// (or Options.DrainTimeout) to finish, then everything is closed.
func (p *Proxy) Shutdown(ctx context.Context) error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.mu.Unlock()
	p.health.Shutdown()
	if _, ok := ctx.Deadline(); !ok {
		d := p.opts.DrainTimeout
		if d <= 0 {
			d = DefaultDrainTimeout
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	var errs []error
	for _, s := range p.servers {
		if err := s.srv.Shutdown(ctx); err != nil {
			errs = append(errs, err)
			_ = s.srv.Close()
		}
	}
	if p.dash != nil {
		_ = p.dash.Close()
	}
	if p.admin != nil {
		if err := p.admin.srv.Shutdown(ctx); err != nil {
			_ = p.admin.srv.Close()
		}
	}
	p.wg.Wait()
	p.closeAll()
	return errors.Join(errs...)
}

func (p *Proxy) closeAll() {
	for _, s := range p.servers {
		s.ln.Close()
	}
	if p.admin != nil {
		p.admin.ln.Close()
	}
	if p.dash != nil {
		_ = p.dash.Close()
	}
	if t := p.table.Load(); t != nil {
		t.closeUnused(nil)
	}
}

// statsPolicy maps the policy kinds with a stats instance to its policy name.
var statsPolicy = map[config.PolicyKind]string{
	config.KindCircuitBreaker: "circuitbreaker",
	config.KindRateLimit:      "ratelimit",
	config.KindBulkhead:       "bulkhead",
	config.KindAdaptive:       "adaptive",
	config.KindShedder:        "shedder",
	config.KindChaos:          "chaos",
	config.KindHedge:          "hedge",
}

// forget removes from the stats registry the instances of the routes,
// clusters and policies a reload removed, so that /metrics and the dashboard
// stop showing them.
func (p *Proxy) forget(ch config.Changes) {
	for _, id := range ch.Policies.Removed {
		if name, ok := statsPolicy[id.Kind]; ok {
			p.reg.Remove(name, id.Route)
		}
	}
	for _, r := range ch.Routes.Removed {
		p.reg.Remove("route", r)
	}
	for _, c := range ch.Clusters.Removed {
		p.reg.Remove("cluster", c)
	}
}
