package prom_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/observe/prom"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/stats"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// scenario drives real policies through scripted calls and returns the
// stats Registry they report to.
func scenario(t *testing.T) *stats.Registry {
	t.Helper()
	clk := clock.NewManual(t0)
	reg := must(stats.NewRegistry(stats.Config{Clock: clk}))
	ctx := context.Background()

	br := must(circuitbreaker.New(circuitbreaker.Config{
		Name: "db", ConsecutiveFailures: 3, OpenDuration: time.Minute, Clock: clk,
		Listener: reg.Listener("circuitbreaker", "db"),
	}))
	reg.Instance("circuitbreaker", "db").SetSource(stats.BreakerSource(br))
	for i := range 10 {
		p, err := br.Acquire(ctx)
		if err != nil {
			continue
		}
		clk.Advance(20 * time.Millisecond)
		if i >= 5 {
			err = errors.New("down")
		}
		p.Done(err)
	}

	sem := must(bulkhead.New(bulkhead.Config{Name: "pool", MaxConcurrent: 2, Clock: clk, Listener: reg.Listener("bulkhead", "pool")}))
	reg.Instance("bulkhead", "pool").SetSource(stats.SemaphoreSource(sem))
	held := []interface{ Done(error) }{}
	for range 3 {
		if p, err := sem.Acquire(ctx); err == nil {
			held = append(held, p)
		}
	}
	t.Cleanup(func() {
		for _, p := range held {
			p.Done(nil)
		}
	})

	lim := must(ratelimit.New(ratelimit.Config{Name: "api", Rate: 10, Burst: 10, Clock: clk, Listener: reg.Listener("ratelimit", "api")}))
	reg.Instance("ratelimit", "api").SetSource(stats.LimiterSource(lim))
	for range 12 {
		lim.Allow()
	}

	// A keyed bulkhead reports "tenants/<key>" names; bound to one
	// Instance, its keys never become labels.
	keyed := must(bulkhead.NewKeyed(bulkhead.KeyedConfig{Semaphore: bulkhead.Config{
		Name: "tenants", MaxConcurrent: 1, Clock: clk, Listener: reg.Listener("bulkhead", "tenants"),
	}}))
	for _, k := range []string{"alice", "bob", "alice"} {
		if p, err := keyed.Acquire(ctx, k); err == nil {
			t.Cleanup(func() { p.Done(nil) })
		}
	}
	clk.Advance(time.Second)
	return reg
}

// scrape serves c on a real loopback HTTP server, scrapes /metrics and
// parses the text format.
func scrape(t *testing.T, c prometheus.Collector) map[string]*dto.MetricFamily {
	t.Helper()
	preg := prometheus.NewPedanticRegistry()
	preg.MustRegister(c)
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(preg, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}))
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	defer srv.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	resp, err := client.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

// find returns the metric of family name whose labels include want.
func find(fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	f := fams[name]
	if f == nil {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		return m
	}
	return nil
}

func value(m *dto.Metric) float64 {
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	}
	return -1
}

func TestScrape(t *testing.T) {
	reg := scenario(t)
	c := must(prom.NewCollector(prom.Config{Registry: reg}))
	fams := scrape(t, c)

	tests := []struct {
		metric string
		labels map[string]string
		want   float64
	}{
		{"resilience_calls_total", map[string]string{"policy": "circuitbreaker", "name": "db", "outcome": "success"}, 5},
		{"resilience_calls_total", map[string]string{"policy": "circuitbreaker", "name": "db", "outcome": "failure"}, 3},
		{"resilience_calls_total", map[string]string{"policy": "circuitbreaker", "name": "db", "outcome": "rejected"}, 2},
		{"resilience_events_total", map[string]string{"policy": "circuitbreaker", "name": "db", "kind": "state_change"}, 1},
		{"resilience_circuitbreaker_state", map[string]string{"name": "db", "state": "open"}, 1},
		{"resilience_circuitbreaker_state", map[string]string{"name": "db", "state": "closed"}, 0},
		{"resilience_circuitbreaker_state", map[string]string{"name": "db", "state": "half_open"}, 0},
		{"resilience_circuitbreaker_remaining_open_seconds", map[string]string{"name": "db"}, 59},
		{"resilience_bulkhead_in_flight", map[string]string{"name": "pool"}, 2},
		{"resilience_bulkhead_max_concurrent", map[string]string{"name": "pool"}, 2},
		{"resilience_calls_total", map[string]string{"policy": "bulkhead", "name": "pool", "outcome": "rejected"}, 1},
		{"resilience_calls_total", map[string]string{"policy": "ratelimit", "name": "api", "outcome": "rejected"}, 2},
		{"resilience_ratelimit_limit", map[string]string{"name": "api"}, 10},
		{"resilience_calls_total", map[string]string{"policy": "bulkhead", "name": "tenants", "outcome": "rejected"}, 1},
	}
	for _, tt := range tests {
		m := find(fams, tt.metric, tt.labels)
		if m == nil {
			t.Errorf("%s%v missing", tt.metric, tt.labels)
			continue
		}
		if got := value(m); got != tt.want {
			t.Errorf("%s%v = %v want %v", tt.metric, tt.labels, got, tt.want)
		}
	}

	h := find(fams, "resilience_call_duration_seconds", map[string]string{"policy": "circuitbreaker", "name": "db"})
	if h == nil || h.GetHistogram() == nil {
		t.Fatal("resilience_call_duration_seconds{circuitbreaker,db} missing")
	}
	hist := h.GetHistogram()
	if hist.GetSampleCount() != 8 {
		t.Errorf("duration count = %d want 8", hist.GetSampleCount())
	}
	if s := hist.GetSampleSum(); s < 8*0.02*(1-stats.RelativeError) || s > 8*0.02*(1+stats.RelativeError) {
		t.Errorf("duration sum = %v want 0.16 ± %.2f%%", s, stats.RelativeError*100)
	}
	for _, b := range hist.GetBucket() {
		want := uint64(0)
		if b.GetUpperBound() >= 0.02 {
			want = 8
		}
		if b.GetCumulativeCount() != want {
			t.Errorf("bucket le=%v = %d want %d", b.GetUpperBound(), b.GetCumulativeCount(), want)
		}
	}

	// Keys of keyed policies never become label values.
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetValue(), "alice") || strings.Contains(l.GetValue(), "bob") {
					t.Errorf("%s has a key as a label: %s=%q", name, l.GetName(), l.GetValue())
				}
			}
		}
	}
}

func TestScrapeNamespaceAndBuckets(t *testing.T) {
	clk := clock.NewManual(t0)
	reg := must(stats.NewRegistry(stats.Config{Clock: clk}))
	in := reg.Instance("my-policy", "x")
	in.Record(1, 3*time.Millisecond) // EventSuccess
	in.SetSource(func() stats.Gauges { return stats.Gauges{State: "busy", Values: map[string]float64{"queue.depth": 4}} })
	c := must(prom.NewCollector(prom.Config{Registry: reg, Namespace: "app", Buckets: []time.Duration{time.Millisecond, 5 * time.Millisecond}}))
	fams := scrape(t, c)
	if m := find(fams, "app_my_policy_queue_depth", map[string]string{"name": "x"}); m == nil || value(m) != 4 {
		t.Errorf("app_my_policy_queue_depth = %v want 4", m)
	}
	if m := find(fams, "app_my_policy_state", map[string]string{"name": "x", "state": "busy"}); m == nil || value(m) != 1 {
		t.Errorf("app_my_policy_state{state=busy} = %v want 1", m)
	}
	h := find(fams, "app_call_duration_seconds", map[string]string{"policy": "my-policy"})
	if h == nil || len(h.GetHistogram().GetBucket()) != 3 || h.GetHistogram().GetBucket()[0].GetCumulativeCount() != 0 ||
		h.GetHistogram().GetBucket()[1].GetCumulativeCount() != 1 {
		t.Errorf("app_call_duration_seconds = %v want buckets le=0.001:0 le=0.005:1 le=+Inf:1", h)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     prom.Config
		wantErr string
	}{
		{"zero", prom.Config{}, ""},
		{"default", prom.DefaultConfig(), ""},
		{"bad-namespace", prom.Config{Namespace: "1abc"}, "Namespace"},
		{"dash-namespace", prom.Config{Namespace: "a-b"}, "Namespace"},
		{"zero-bucket", prom.Config{Buckets: []time.Duration{0}}, "Buckets[0]"},
		{"unsorted-buckets", prom.Config{Buckets: []time.Duration{2, 1}}, "Buckets[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate() = %v want an error naming %s", err, tt.wantErr)
			}
			if _, nerr := prom.NewCollector(tt.cfg); nerr == nil {
				t.Fatal("NewCollector accepted an invalid Config")
			}
		})
	}
}

func FuzzConfigValidate(f *testing.F) {
	f.Add("resilience", int64(1), int64(2))
	f.Add("9x", int64(0), int64(-1))
	f.Add("", int64(5), int64(5))
	f.Fuzz(func(t *testing.T, ns string, b0, b1 int64) {
		cfg := prom.Config{Namespace: ns, Buckets: []time.Duration{time.Duration(b0), time.Duration(b1)}}
		if err := cfg.Validate(); err != nil {
			return
		}
		// A valid Config must make a Collector whose metrics register and
		// gather without error.
		reg := must(stats.NewRegistry(stats.Config{Clock: clock.NewManual(t0)}))
		reg.Instance("p", "n").Record(1, time.Duration(b0))
		c, err := prom.NewCollector(cfg)
		if err != nil {
			t.Fatalf("NewCollector(%+v) = %v after Validate passed", cfg, err)
		}
		cfg.Registry = reg
		c = must(prom.NewCollector(cfg))
		preg := prometheus.NewPedanticRegistry()
		preg.MustRegister(c)
		if _, err := preg.Gather(); err != nil {
			t.Fatalf("Gather with %+v: %v", cfg, err)
		}
	})
}
