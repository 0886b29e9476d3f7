package config_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/config"
)

func ExampleParse() {
	c, err := config.Parse("proxy.yaml", []byte(`
listeners: [{name: public}]
routes:
  - name: api
    cluster: backend
    policies:
      timeout: 2s
      circuit_breaker: {failure_rate_threshold: 25}
clusters:
  - name: backend
    discovery: {static: ["127.0.0.1:9001", "127.0.0.1:9002;weight=3"]}
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	cb := c.Routes[0].Policies.CircuitBreaker
	fmt.Println("listen:", c.Listeners[0].Address)
	fmt.Println("timeout:", c.Routes[0].Policies.Timeout.Timeout)
	// Written in the file:
	fmt.Println("failure rate:", cb.FailureRateThreshold)
	// Left out, so circuitbreaker.DefaultConfig's:
	fmt.Println("window:", cb.WindowSize, "calls, open for", cb.OpenDuration)
	// Output:
	// listen: 127.0.0.1:8080
	// timeout: 2s
	// failure rate: 25
	// window: 100 calls, open for 5s
}

func ExampleParse_errors() {
	_, err := config.Parse("proxy.yaml", []byte(`
listeners: [{name: public}]
routes:
  - name: api
    cluster: backnd
    policies:
      circuit_breaker:
        failure_rate_threshold: 150
        window_sise: 10
clusters:
  - name: backend
    discovery: {static: ["127.0.0.1:9001"]}
`))
	fmt.Println(err)
	var errs *config.Errors
	if errors.As(err, &errs) {
		fmt.Println(len(errs.List), "problems; the first is at line", errs.List[0].Line)
	}
	// Output:
	// proxy.yaml:5:14: routes[0].cluster: unknown cluster "backnd", did you mean "backend"?
	// proxy.yaml:8:33: routes[0].policies.circuit_breaker.failure_rate_threshold: 150 must be in (0, 100] or 0 (off)
	// proxy.yaml:9:9: routes[0].policies.circuit_breaker.window_sise: unknown field, did you mean "window_size"?
	// 3 problems; the first is at line 5
}

func ExampleDiff() {
	const file = `
listeners: [{name: public}]
routes:
  - name: api
    cluster: backend
    policies:
      circuit_breaker: {failure_rate_threshold: %d}
      rate_limit: {local: {rate: 100}}
clusters: [{name: backend, discovery: {static: ["127.0.0.1:9001"]}}]
`
	before, _ := config.Parse("v1.yaml", fmt.Appendf(nil, file, 50))
	after, _ := config.Parse("v2.yaml", fmt.Appendf(nil, file, 60))
	changes := config.Diff(before, after)
	fmt.Println("changed:", changes.Policies.Changed)
	fmt.Println("keep the limiter and its state:", changes.Keep("api", config.KindRateLimit))
	// Output:
	// changed: [api/circuit_breaker]
	// keep the limiter and its state: true
}

func ExampleWatcher() {
	dir, _ := os.MkdirTemp("", "config-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "proxy.yaml")
	write := func(rate string, mtime time.Time) {
		_ = os.WriteFile(path, []byte(`
listeners: [{name: public}]
routes: [{name: api, cluster: b, policies: {rate_limit: {local: {rate: `+rate+`}}}}]
clusters: [{name: b, discovery: {static: ["127.0.0.1:9001"]}}]
`), 0o600)
		_ = os.Chtimes(path, mtime, mtime)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	write("100", t0)

	clk := clock.NewManual(t0)
	w, err := config.NewWatcher(config.WatcherConfig{
		Path:  path,
		Clock: clk,
		OnChange: func(u config.Update) {
			fmt.Println("version", u.Version, "rate", u.Config.Routes[0].Policies.RateLimit.Local.Rate)
		},
		OnError: func(err error) {
			var errs *config.Errors
			errors.As(err, &errs)
			fmt.Println("rejected:", errs.List[0].Path, errs.List[0].Msg)
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()

	write("200", t0.Add(time.Minute))
	clk.Advance(time.Second) // the poll sees the change
	write("-1", t0.Add(2*time.Minute))
	clk.Advance(time.Second) // an invalid file is reported, not applied
	_, version := w.Current()
	fmt.Println("still version", version)
	// Output:
	// version 2 rate 200
	// rejected: routes[0].policies.rate_limit.local.rate -1 must be a finite number > 0
	// still version 2
}
