package dashboard

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/resilience-go/resilience"
)

func TestControlEffects(t *testing.T) {
	tests := []struct {
		name        string
		path        string
		before      func(*env)
		wantBreaker string
		wantChaos   bool
		wantKind    resilience.EventKind
		wantPolicy  string
		wantTo      string
		wantDetail  string
	}{
		{"force-open", "/dashboard/api/breakers/db/force-open", nil, "forced_open", false,
			resilience.EventStateChange, "circuitbreaker", "forced_open", "manual: force-open by dashboard"},
		{"force-close", "/dashboard/api/breakers/db/force-close", func(e *env) { e.breaker.ForceOpen() }, "closed", false,
			resilience.EventStateChange, "circuitbreaker", "closed", "manual: force-close by dashboard"},
		{"reset-open", "/dashboard/api/breakers/db/reset", func(e *env) { e.call(errBoom); e.call(errBoom) }, "closed", false,
			resilience.EventStateChange, "circuitbreaker", "closed", "manual: reset by dashboard"},
		{"chaos-enable", "/dashboard/api/chaos/db/enable", nil, "closed", true,
			resilience.EventFault, "chaos", "enabled", "manual: chaos enable by dashboard"},
		{"chaos-disable", "/dashboard/api/chaos/db/disable", func(e *env) { e.inj.Enable() }, "closed", false,
			resilience.EventFault, "chaos", "disabled", "manual: chaos disable by dashboard"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			if tt.before != nil {
				tt.before(e)
			}
			w := e.serve(e.controlRequest(tt.path))
			if w.Code != http.StatusOK {
				t.Fatalf("POST %s = %d %s want 200", tt.path, w.Code, w.Body)
			}
			if got := e.breaker.State().String(); got != tt.wantBreaker {
				t.Errorf("breaker state = %s want %s", got, tt.wantBreaker)
			}
			if got := e.inj.Enabled(); got != tt.wantChaos {
				t.Errorf("injector enabled = %v want %v", got, tt.wantChaos)
			}
			var res controlResult
			if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
				t.Fatalf("decoding %s: %v", w.Body, err)
			}
			if !res.OK || res.Target.Name != "db" || res.Target.Kind != tt.wantPolicy || res.Target.State != tt.wantTo {
				t.Errorf("result = %+v want ok, target %s/db in %s", res, tt.wantPolicy, tt.wantTo)
			}
			// The manual event is recorded, listed and passed on.
			events := e.d.Events()
			last := events[len(events)-1]
			if last.Kind != tt.wantKind.String() || last.Policy != tt.wantPolicy || last.Name != "db" || last.To != tt.wantTo || last.Detail != tt.wantDetail {
				t.Errorf("last event = %+v want %s %s/db to %s %q", last, tt.wantKind, tt.wantPolicy, tt.wantTo, tt.wantDetail)
			}
			if res.Event != last {
				t.Errorf("result event = %+v want %+v", res.Event, last)
			}
			got := e.manual.all()
			want := resilience.Event{Kind: tt.wantKind, Policy: tt.wantPolicy, Name: "db", To: tt.wantTo, Detail: tt.wantDetail}
			if len(got) != 1 || got[0] != want {
				t.Errorf("Config.Listener got %+v want [%+v]", got, want)
			}
		})
	}
}

func TestControlRefused(t *testing.T) {
	const path = "/dashboard/api/breakers/db/force-open"
	tests := []struct {
		name   string
		edit   func(*http.Request)
		method string
		want   int
	}{
		{"accepted", func(r *http.Request) {}, "", http.StatusOK},
		{"ipv6-loopback", func(r *http.Request) { r.RemoteAddr = "[::1]:5000"; r.Host = "[::1]:8080"; r.Header.Del("Origin") }, "", http.StatusOK},
		{"ipv4-mapped-loopback", func(r *http.Request) { r.RemoteAddr = "[::ffff:127.0.0.1]:5000" }, "", http.StatusOK},
		{"localhost-host", func(r *http.Request) { r.Host = "localhost:8080"; r.Header.Set("Origin", "http://localhost:8080") }, "", http.StatusOK},
		{"no-browser-headers", func(r *http.Request) { r.Header.Del("Origin"); r.Header.Del("Sec-Fetch-Site") }, "", http.StatusOK},
		{"remote-client", func(r *http.Request) { r.RemoteAddr = "10.0.0.1:1234" }, "", http.StatusForbidden},
		{"remote-ipv6", func(r *http.Request) { r.RemoteAddr = "[2001:db8::1]:1234" }, "", http.StatusForbidden},
		{"unix-socket", func(r *http.Request) { r.RemoteAddr = "@" }, "", http.StatusForbidden},
		{"rebound-host", func(r *http.Request) {
			r.Host = "evil.example:8080"
			r.Header.Set("Origin", "http://evil.example:8080")
		}, "", http.StatusForbidden},
		{"cross-origin", func(r *http.Request) { r.Header.Set("Origin", "http://evil.example") }, "", http.StatusForbidden},
		{"null-origin", func(r *http.Request) { r.Header.Set("Origin", "null") }, "", http.StatusForbidden},
		{"other-port-origin", func(r *http.Request) { r.Header.Set("Origin", "http://127.0.0.1:9999") }, "", http.StatusForbidden},
		{"cross-site-fetch", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "cross-site") }, "", http.StatusForbidden},
		{"same-site-fetch", func(r *http.Request) { r.Header.Set("Sec-Fetch-Site", "same-site") }, "", http.StatusForbidden},
		{"no-token", func(r *http.Request) { r.Header.Del(TokenHeader) }, "", http.StatusForbidden},
		{"wrong-token", func(r *http.Request) { r.Header.Set(TokenHeader, "guess") }, "", http.StatusForbidden},
		{"get", func(r *http.Request) {}, http.MethodGet, http.StatusMethodNotAllowed},
		{"put", func(r *http.Request) {}, http.MethodPut, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			r := e.controlRequest(path)
			if tt.method != "" {
				r.Method = tt.method
			}
			tt.edit(r)
			w := e.serve(r)
			if w.Code != tt.want {
				t.Fatalf("POST %s from %s to %s = %d %s want %d", path, r.RemoteAddr, r.Host, w.Code, w.Body, tt.want)
			}
			opened := e.breaker.State().String() == "forced_open"
			if opened != (tt.want == http.StatusOK) {
				t.Errorf("breaker forced open = %v after %d", opened, w.Code)
			}
			if tt.want != http.StatusOK && len(e.d.Events()) != 0 {
				t.Errorf("refused control recorded events %+v", e.d.Events())
			}
		})
	}
}

// failingControls fails every control with err.
type failingControls struct{ err error }

func (f failingControls) Targets() []Target                  { return nil }
func (f failingControls) ForceOpen(string) error             { return f.err }
func (f failingControls) ForceClose(string) error            { return f.err }
func (f failingControls) Reset(string) error                 { return f.err }
func (f failingControls) SetChaos(name string, _ bool) error { return f.err }

func TestControlErrors(t *testing.T) {
	tests := []struct {
		name     string
		controls Controls
		path     string
		want     int
	}{
		{"unknown-breaker", nil, "/dashboard/api/breakers/nope/reset", http.StatusNotFound},
		{"unknown-injector", nil, "/dashboard/api/chaos/nope/enable", http.StatusNotFound},
		{"escaped-name", nil, "/dashboard/api/breakers/a%2Fb/reset", http.StatusNotFound},
		{"controls-fail", failingControls{errors.New("proxy: busy")}, "/dashboard/api/breakers/db/reset", http.StatusInternalServerError},
		{"wrapped-unknown", failingControls{errors.Join(ErrUnknownTarget)}, "/dashboard/api/chaos/db/enable", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{Controls: tt.controls})
			w := e.serve(e.controlRequest(tt.path))
			if w.Code != tt.want {
				t.Errorf("POST %s = %d %s want %d", tt.path, w.Code, w.Body, tt.want)
			}
			if len(e.d.Events()) != 0 {
				t.Errorf("failed control recorded events %+v", e.d.Events())
			}
		})
	}
	t.Run("no-controls", func(t *testing.T) {
		e := newEnv(t, Config{})
		e.d.cfg.Controls = nil
		w := e.serve(e.controlRequest("/dashboard/api/breakers/db/reset"))
		if w.Code != http.StatusNotFound {
			t.Errorf("POST without Controls = %d want 404", w.Code)
		}
		w = e.serve(httptest.NewRequest(http.MethodGet, "/dashboard/api/snapshot", nil))
		var s Snapshot
		if err := json.Unmarshal(w.Body.Bytes(), &s); err != nil || s.Targets == nil || len(s.Targets) != 0 {
			t.Errorf("snapshot without Controls: targets %v, %v want []", s.Targets, err)
		}
	})
}

// TestControlPushesToPages checks that a control shows on open pages at
// once: its event, then a fresh snapshot, without waiting for the clock.
func TestControlPushesToPages(t *testing.T) {
	e := newEnv(t, Config{})
	s := openStream(t, e.d.Handler())
	s.expect("snapshot", nil)
	if w := e.serve(e.controlRequest("/dashboard/api/breakers/db/force-open")); w.Code != http.StatusOK {
		t.Fatalf("force-open = %d %s", w.Code, w.Body)
	}
	// The breaker's own change (through Listener), the dashboard's manual
	// record, and a fresh snapshot: the stream sends whichever is ready
	// first, but the events keep their order.
	var events []EventRecord
	var snap *Snapshot
	for range 3 {
		ev := s.next()
		switch ev.Event {
		case "event":
			var rec EventRecord
			if err := json.Unmarshal([]byte(ev.Data), &rec); err != nil {
				t.Fatal(err)
			}
			events = append(events, rec)
		case "snapshot":
			snap = new(Snapshot)
			if err := json.Unmarshal([]byte(ev.Data), snap); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("unexpected %+v", ev)
		}
	}
	if len(events) != 2 || events[0].From != "closed" || events[0].To != "forced_open" || events[1].Detail != "manual: force-open by dashboard" {
		t.Errorf("events = %+v want closed→forced_open then the manual one", events)
	}
	if snap == nil {
		t.Fatal("no snapshot pushed after the control")
	}
	if in, _ := instance(*snap, "circuitbreaker", "db"); in.State != "forced_open" {
		t.Errorf("pushed snapshot's db state = %q want forced_open", in.State)
	}
	for _, tg := range snap.Targets {
		if tg.Kind == KindBreaker && tg.State != "forced_open" {
			t.Errorf("pushed snapshot's target = %+v want forced_open", tg)
		}
	}
}

func TestSnapshotAPI(t *testing.T) {
	e := newEnv(t, Config{})
	e.call(nil)
	e.call(errBoom)
	e.breaker.ForceOpen()
	w := e.serve(httptest.NewRequest(http.MethodGet, "/dashboard/api/snapshot", nil))
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /dashboard/api/snapshot = %d %q want 200 application/json", w.Code, w.Header().Get("Content-Type"))
	}
	var s Snapshot
	if err := json.Unmarshal(w.Body.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	in, ok := instance(s, "circuitbreaker", "db")
	if !ok || in.State != "forced_open" || in.Counts["success"] != 1 || in.Counts["failure"] != 1 {
		t.Errorf("db = %+v want forced_open with 1 success and 1 failure", in)
	}
	wantTargets := []Target{{KindBreaker, "db", "forced_open"}, {KindChaos, "db", "disabled"}}
	if len(s.Targets) != 2 || s.Targets[0] != wantTargets[0] || s.Targets[1] != wantTargets[1] {
		t.Errorf("targets = %+v want %+v", s.Targets, wantTargets)
	}
	if len(s.Events) != 1 || s.Events[0].To != "forced_open" {
		t.Errorf("events = %+v want the forced_open change", s.Events)
	}
}
