package proxy

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
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
