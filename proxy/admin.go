package proxy

import (
	"crypto/subtle"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/dashboard"
	"github.com/resilience-go/resilience/errcode"
	"github.com/resilience-go/resilience/observe/prom"
)

// adminHandler serves /metrics, /livez, /readyz, /config and /dashboard.
func (p *Proxy) adminHandler(a config.Admin) (http.Handler, error) {
	mux := http.NewServeMux()
	col, err := prom.NewCollector(prom.Config{Registry: p.reg})
	if err != nil {
		return nil, err
	}
	// The Go and process collectors let operators watch the proxy's own
	// goroutines, heap, file descriptors and RSS next to its policies.
	preg := prometheus.NewRegistry()
	for _, c := range []prometheus.Collector{col, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		if err := preg.Register(c); err != nil {
			return nil, err
		}
	}
	mux.Handle("GET /metrics", promhttp.HandlerFor(preg, promhttp.HandlerOpts{}))
	p.health.Register(mux)
	mux.HandleFunc("GET /config", p.serveConfig)
	if a.Dashboard {
		d, err := dashboard.New(dashboard.Config{Registry: p.reg, Controls: controls{p}, Title: "resilience proxy"})
		if err != nil {
			return nil, err
		}
		p.dash = d
		p.events.d.Store(d)
		mux.Handle("/dashboard", d.Handler())
		mux.Handle("/dashboard/", d.Handler())
	}
	if a.Token == "" {
		return mux, nil
	}
	want := []byte("Bearer " + a.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			errcode.NewProblem(http.StatusUnauthorized, "", "admin token required").Write(w)
			return
		}
		mux.ServeHTTP(w, r)
	}), nil
}

// serveConfig prints the redacted configuration in force, as YAML or, with
// ?format=json or Accept: application/json, as JSON.
func (p *Proxy) serveConfig(w http.ResponseWriter, r *http.Request) {
	c := p.Config().Redacted()
	asJSON := r.URL.Query().Get("format") == "json" || r.Header.Get("Accept") == "application/json"
	var (
		b   []byte
		err error
	)
	if asJSON {
		b, err = c.JSON()
		w.Header().Set("Content-Type", "application/json")
	} else {
		b, err = c.YAML()
		w.Header().Set("Content-Type", "application/yaml")
	}
	if err != nil {
		errcode.NewProblem(http.StatusInternalServerError, "", err.Error()).Write(w)
		return
	}
	_, _ = w.Write(b)
}
