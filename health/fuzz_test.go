package health_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/health"
)

// FuzzHandler: any path and query gets a well-formed answer: 200 or 503 for
// a probe or one of its checks, 404 otherwise, never a panic; and a
// request that excludes every failing check passes.
func FuzzHandler(f *testing.F) {
	for _, s := range []string{"/readyz", "/livez?verbose", "/readyz?exclude=db,cache", "/x/readyz/db?verbose=0", "/startupz/", "//", "/readyz/startup?exclude=", "/readyz?exclude=%2C%2C"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		u, err := url.Parse(target)
		if err != nil || !strings.HasPrefix(u.Path, "/") {
			return
		}
		c := mustNew(t, health.Config{Checks: []health.Check{
			{Name: "db", Func: down, Critical: true},
			{Name: "ping", Func: ok, Critical: true, Probes: health.ProbeLive | health.ProbeReady},
		}})
		req := httptest.NewRequest("GET", "/", nil)
		req.URL = u
		rec := httptest.NewRecorder()
		c.Handler().ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 503, 404:
		default:
			t.Fatalf("GET %q = %d", target, rec.Code)
		}
		if rec.Code == 200 && !u.Query().Has("verbose") && rec.Body.String() != "ok" {
			t.Fatalf("GET %q = 200 %q want ok", target, rec.Body.String())
		}
	})
}

// FuzzConfigValidate: New accepts exactly the configurations Validate
// accepts, and an accepted passing check serves under its own name.
func FuzzConfigValidate(f *testing.F) {
	f.Add("db", int64(0), int64(0), uint8(0), int64(0))
	f.Add("a/b", int64(-1), int64(5), uint8(9), int64(-3))
	f.Add("shutdown", int64(1), int64(1), uint8(7), int64(1))
	f.Fuzz(func(t *testing.T, name string, timeout, interval int64, probes uint8, def int64) {
		cfg := health.Config{DefaultTimeout: durationOf(def), Checks: []health.Check{
			{Name: name, Func: ok, Timeout: durationOf(timeout), Interval: durationOf(interval), Probes: health.Probe(probes), Critical: true},
		}}
		c, err := health.New(cfg)
		verr := cfg.Validate()
		if (err == nil) != (verr == nil) || (err != nil && err.Error() != verr.Error()) {
			t.Fatalf("New() = %v, Validate() = %v", err, verr)
		}
		if err != nil {
			return
		}
		effective := cfg.Checks[0].Timeout
		if effective == 0 {
			effective = cfg.DefaultTimeout
		}
		got := c.Status(context.Background(), name)
		// A passing check fails only by timing out, which a tiny Timeout
		// may do on the real clock.
		if got != health.StatusServing && !(got == health.StatusNotServing && effective != 0 && effective < time.Second) {
			t.Fatalf("Status(%q) = %v want SERVING (timeout %v)", name, got, effective)
		}
	})
}

// durationOf keeps fuzzed durations under 1000s, so a real run stays short.
func durationOf(n int64) time.Duration { return time.Duration(n % 1e12) }
