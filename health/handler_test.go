package health_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/resilience-go/resilience/health"
)

// fixture: ping (live+ready, critical), db (ready, critical, switchable),
// cache (ready, non-critical, failing), warm (startup, critical).
func fixture(t *testing.T) (*health.Checker, *atomic.Bool) {
	var dbDown atomic.Bool
	c := mustNew(t, health.Config{Clock: manual(), Checks: []health.Check{
		{Name: "ping", Func: ok, Critical: true, Probes: health.ProbeLive | health.ProbeReady},
		{Name: "db", Func: func(context.Context) error {
			if dbDown.Load() {
				return errDown
			}
			return nil
		}, Critical: true},
		{Name: "cache", Func: down},
		{Name: "warm", Func: ok, Critical: true, Probes: health.ProbeStartup},
	}})
	return c, &dbDown
}

func TestHandlerStatusAndBody(t *testing.T) {
	const readyzFailed = "[+]startup ok\n[+]shutdown ok\n[+]ping ok\n[-]db failed: reason withheld\n[-]cache failed: reason withheld\nreadyz check failed\n"
	tests := []struct {
		name     string
		method   string
		target   string
		dbDown   bool
		wantCode int
		wantBody string
	}{
		{"readyz-ok-despite-noncritical", "GET", "/readyz", false, 200, "ok"},
		{"readyz-db-down", "GET", "/readyz", true, 503, readyzFailed},
		{"readyz-exclude-db", "GET", "/readyz?exclude=db", true, 200, "ok"},
		{"readyz-exclude-list", "GET", "/readyz?exclude=db,cache", true, 200, "ok"},
		{"readyz-exclude-repeated", "GET", "/readyz?exclude=cache&exclude=ping", true, 503,
			"[+]startup ok\n[+]shutdown ok\n[+]ping excluded: ok\n[-]db failed: reason withheld\n[+]cache excluded: ok\nreadyz check failed\n"},
		{"readyz-trailing-slash", "GET", "/readyz/", false, 200, "ok"},
		{"livez-ignores-db", "GET", "/livez", true, 200, "ok"},
		{"startupz", "GET", "/startupz", true, 200, "ok"},
		{"mounted-under-prefix", "GET", "/healthz/readyz", true, 503, readyzFailed},
		{"one-check-ok", "GET", "/readyz/ping", true, 200, "ok"},
		{"one-check-failed", "GET", "/readyz/db", true, 503, "[-]db failed: reason withheld\n"},
		{"one-noncritical-check-failed", "GET", "/readyz/cache", false, 503, "[-]cache failed: reason withheld\n"},
		{"one-builtin-check", "GET", "/readyz/shutdown", false, 200, "ok"},
		{"check-of-other-probe", "GET", "/livez/db", false, 404, "404 page not found\n"},
		{"unknown-check", "GET", "/readyz/nope", false, 404, "404 page not found\n"},
		{"unknown-path", "GET", "/metrics", false, 404, "404 page not found\n"},
		{"post", "POST", "/readyz", false, 405, "method not allowed\n"},
		{"head", "HEAD", "/readyz", true, 503, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, dbDown := fixture(t)
			dbDown.Store(tt.dbDown)
			code, body, hdr := get(t, c.Handler(), tt.method, tt.target)
			if code != tt.wantCode || (tt.method != "HEAD" && body != tt.wantBody) {
				t.Fatalf("%s %s = %d %q want %d %q", tt.method, tt.target, code, body, tt.wantCode, tt.wantBody)
			}
			if code == 405 && hdr.Get("Allow") != "GET, HEAD" {
				t.Fatalf("405 Allow = %q", hdr.Get("Allow"))
			}
			if code == 200 && hdr.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Fatalf("Content-Type = %q", hdr.Get("Content-Type"))
			}
		})
	}
}

type wireCheck struct {
	Name     string `json:"name"`
	Status   string `json:"status"`
	Error    string `json:"error"`
	Critical bool   `json:"critical"`
	Duration string `json:"duration"`
	Cached   bool   `json:"cached"`
}

type wire struct {
	Probe  string      `json:"probe"`
	Status string      `json:"status"`
	Checks []wireCheck `json:"checks"`
}

func TestHandlerVerboseJSON(t *testing.T) {
	tests := []struct {
		name   string
		target string
		code   int
		want   wire
	}{
		{"readyz", "/readyz?verbose&exclude=ping", 503, wire{Probe: "readyz", Status: "fail", Checks: []wireCheck{
			{Name: "startup", Status: "ok", Critical: true, Duration: "0s"},
			{Name: "shutdown", Status: "ok", Critical: true, Duration: "0s"},
			{Name: "ping", Status: "excluded", Critical: true, Duration: "0s"},
			{Name: "db", Status: "fail", Error: "connection refused", Critical: true, Duration: "0s"},
			{Name: "cache", Status: "fail", Error: "connection refused", Duration: "0s"},
		}}},
		{"livez", "/livez?verbose=1", 200, wire{Probe: "livez", Status: "ok", Checks: []wireCheck{
			{Name: "ping", Status: "ok", Critical: true, Duration: "0s"},
		}}},
		{"one-check", "/readyz/db?verbose", 503, wire{Probe: "readyz", Status: "fail", Checks: []wireCheck{
			{Name: "db", Status: "fail", Error: "connection refused", Critical: true, Duration: "0s"},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, dbDown := fixture(t)
			dbDown.Store(true)
			code, body, hdr := get(t, c.Handler(), "GET", tt.target)
			if code != tt.code || hdr.Get("Content-Type") != "application/json" {
				t.Fatalf("GET %s = %d %s want %d application/json", tt.target, code, hdr.Get("Content-Type"), tt.code)
			}
			var got wire
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("body %q: %v", body, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("GET %s = %+v want %+v", tt.target, got, tt.want)
			}
		})
	}
	c, _ := fixture(t)
	if _, body, _ := get(t, c.Handler(), "GET", "/livez?verbose=false"); body != "ok" {
		t.Fatalf("?verbose=false body %q want ok", body)
	}
}

func TestRegisterServesOverHTTP(t *testing.T) {
	c, dbDown := fixture(t)
	mux := http.NewServeMux()
	c.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	dbDown.Store(true)
	for path, want := range map[string]int{"/livez": 200, "/readyz": 503, "/startupz": 200, "/readyz/ping": 200, "/other": 404} {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d want %d", path, resp.StatusCode, want)
		}
	}
	srv.Client().CloseIdleConnections()
}
