package proxy

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/stats"
)

func TestAdminEndpoints(t *testing.T) {
	up := upstream(t, "a", nil)
	p := start(t, parse(t, base+`
routes:
  - name: all
    cluster: b
    policies:
      circuit_breaker: {}
      fallback: {static: {status: 503, headers: {Authorization: "Bearer secret-value"}}}
clusters: [{name: b, discovery: {static: [%s]}}]
redis: {url: "redis://user:hunter2@127.0.0.1:6379"}
`, addr(up)))
	get(t, "http://"+p.Addr()+"/")
	admin := "http://" + p.AdminAddr()
	tests := []struct {
		path, want, notWant string
		code                int
	}{
		{"/metrics", "resilience_", "", 200},
		{"/metrics", "go_goroutines", "", 200},
		{"/metrics", "process_resident_memory_bytes", "", 200},
		{"/livez", "", "", 200},
		{"/readyz", "", "", 200},
		{"/config", "REDACTED", "hunter2", 200},
		{"/config?format=json", `"listeners"`, "secret-value", 200},
		{"/dashboard", "<html", "", 200},
	}
	for _, tt := range tests {
		code, body, _ := get(t, admin+tt.path)
		if code != tt.code || !strings.Contains(body, tt.want) || (tt.notWant != "" && strings.Contains(body, tt.notWant)) {
			t.Errorf("GET %s = %d, body contains %q: %v, %q: %v; want %d, true, false", tt.path, code,
				tt.want, strings.Contains(body, tt.want), tt.notWant, tt.notWant != "" && strings.Contains(body, tt.notWant), tt.code)
		}
	}
}

func TestShutdownDrainsAndReadiness(t *testing.T) {
	entered, release := make(chan struct{}), make(chan struct{})
	up := upstream(t, "a", func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		w.Write([]byte("drained"))
	})
	p, err := New(parse(t, base+`
routes: [{name: all, cluster: b}]
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	admin := "http://" + p.AdminAddr()
	if code, _, _ := get(t, admin+"/readyz"); code != 200 {
		t.Fatalf("/readyz before shutdown = %d want 200", code)
	}
	type result struct {
		code int
		body string
	}
	res := make(chan result, 1)
	go func() {
		resp, err := client.Get("http://" + p.Addr() + "/")
		if err != nil {
			res <- result{}
			return
		}
		defer resp.Body.Close()
		b := make([]byte, 64)
		n, _ := resp.Body.Read(b)
		res <- result{resp.StatusCode, string(b[:n])}
	}()
	<-entered
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- p.Shutdown(ctx)
	}()
	// Readiness turns false as soon as shutdown starts; the admin server
	// stays up until the listeners have drained.
	for i := 0; ; i++ {
		code, _, _ := get(t, admin+"/readyz")
		if code == http.StatusServiceUnavailable {
			break
		}
		if i > 200 {
			t.Fatalf("/readyz during shutdown = %d want 503", code)
		}
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	if r := <-res; r.code != 200 || r.body != "drained" {
		t.Fatalf("in-flight request = %d %q want 200 drained", r.code, r.body)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown = %v", err)
	}
	client.CloseIdleConnections()
}

// TestDashboardRecordsStateChanges checks that a breaker tripping by itself
// (not from a dashboard button) reaches the dashboard's recent events.
func TestDashboardRecordsStateChanges(t *testing.T) {
	up := upstream(t, "a", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	})
	p := start(t, parse(t, base+`
routes:
  - name: failing
    cluster: b
    policies:
      circuit_breaker: {consecutive_failures: 2, open_duration: 1h}
clusters: [{name: b, discovery: {static: [%s]}}]
`, addr(up)))
	for range 3 {
		get(t, "http://"+p.Addr()+"/")
	}
	var details []string
	for _, e := range p.dash.Events() {
		details = append(details, e.Name+": "+e.From+" -> "+e.To)
		if e.Name == "failing" && e.Policy == "circuitbreaker" && e.From == "closed" && e.To == "open" {
			return
		}
	}
	t.Fatalf("dashboard events %q; want the route's breaker opening", details)
}

// TestClusterHealthOnDashboard checks that an ejection shows as the
// cluster's state and gauges, and in the dashboard's recent events.
func TestClusterHealthOnDashboard(t *testing.T) {
	good := upstream(t, "good", nil)
	bad := upstream(t, "bad", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	})
	p := start(t, parse(t, base+`
routes: [{name: all, cluster: pool}]
clusters:
  - name: pool
    discovery: {static: [%s, %s]}
    load_balancing: round_robin
    outlier_detection: {consecutive_failures: 2, base_ejection_time: 1m, max_ejection_percent: 50}
`, addr(good), addr(bad)))
	for range 8 {
		get(t, "http://"+p.Addr()+"/")
	}
	var snap *stats.InstanceSnapshot
	for _, s := range p.reg.Snapshot() {
		if s.Policy == "cluster" && s.Name == "pool" {
			snap = &s
		}
	}
	if snap == nil {
		t.Fatal(`no "cluster" instance named "pool" in the stats registry`)
	}
	if v := snap.Gauges.Values; snap.State != "degraded" || v["ejected_endpoints"] != 1 || v["available_endpoints"] != 1 || v["endpoints"] != 2 {
		t.Errorf("cluster pool: state %q, gauges %v; want degraded with 1 of 2 endpoints ejected", snap.State, v)
	}
	found := false
	for _, e := range p.dash.Events() {
		if e.Policy == "balancer" && e.Name == "pool" && e.To == "ejected" && strings.Contains(e.Detail, addr(bad)) {
			found = true
		}
	}
	if !found {
		t.Errorf("dashboard events %+v; want the ejection of %s", p.dash.Events(), addr(bad))
	}
}
