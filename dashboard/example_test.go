package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/dashboard"
	"github.com/resilience-go/resilience/stats"
)

// Example wires a breaker to a dashboard and presses the page's Force open
// button the way this host's browser does.
func Example() {
	clk := clock.NewManual(time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC))
	reg, _ := stats.NewRegistry(stats.Config{Clock: clk})
	ctl := dashboard.NewRegistry()
	d, _ := dashboard.New(dashboard.Config{Registry: reg, Controls: ctl, Clock: clk})
	defer d.Close()

	br, _ := circuitbreaker.New(circuitbreaker.Config{
		Name: "db", ConsecutiveFailures: 2, Clock: clk,
		Listener: resilience.Listeners(reg.Listener("circuitbreaker", "db"), d.Listener()),
	})
	reg.Instance("circuitbreaker", "db").SetSource(stats.BreakerSource(br))
	_ = ctl.AddBreaker(br)

	press := func(remote string) int {
		req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080/dashboard/api/breakers/db/force-open", nil)
		req.RemoteAddr = remote
		req.Header.Set(dashboard.TokenHeader, d.Token())
		w := httptest.NewRecorder()
		d.Handler().ServeHTTP(w, req) // mount d.Handler() on a server instead
		return w.Code
	}
	fmt.Println("from another host:", press("10.0.0.1:1234"), br.State())
	fmt.Println("from this host:", press("127.0.0.1:50000"), br.State())
	for _, e := range d.Events() {
		fmt.Printf("%d %s %s: %q -> %q %q\n", e.Seq, e.Policy, e.Name, e.From, e.To, e.Detail)
	}
	// Output:
	// from another host: 403 closed
	// from this host: 200 forced_open
	// 1 circuitbreaker db: "closed" -> "forced_open" ""
	// 2 circuitbreaker db: "" -> "forced_open" "manual: force-open by dashboard"
}

// ExampleDashboard_Snapshot reads what the page would draw.
func ExampleDashboard_Snapshot() {
	clk := clock.NewManual(time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC))
	reg, _ := stats.NewRegistry(stats.Config{Clock: clk})
	d, _ := dashboard.New(dashboard.Config{Registry: reg, Clock: clk})
	defer d.Close()
	br, _ := circuitbreaker.New(circuitbreaker.Config{
		Name: "db", ConsecutiveFailures: 1, Clock: clk,
		Listener: resilience.Listeners(reg.Listener("circuitbreaker", "db"), d.Listener()),
	})
	reg.Instance("circuitbreaker", "db").SetSource(stats.BreakerSource(br))

	p, _ := br.Acquire(context.Background())
	clk.Advance(20 * time.Millisecond)
	p.Done(fmt.Errorf("db down"))

	s := d.Snapshot()
	in := s.Instances[0]
	fmt.Println(in.Policy, in.Name, in.State, in.Counts["failure"], in.Latency.Max)
	fmt.Println(len(s.Events), s.Events[0].From, "->", s.Events[0].To)
	// Output:
	// circuitbreaker db open 1 20ms
	// 1 closed -> open
}
