package prom_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/observe/prom"
	"github.com/resilience-go/resilience/stats"
)

func ExampleCollector() {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	reg, _ := stats.NewRegistry(stats.Config{Clock: clk})
	br, _ := circuitbreaker.New(circuitbreaker.Config{
		Name: "db", ConsecutiveFailures: 2, OpenDuration: time.Minute, Clock: clk,
		Listener: reg.Listener("circuitbreaker", "db"),
	})
	reg.Instance("circuitbreaker", "db").SetSource(stats.BreakerSource(br))
	for range 3 {
		if p, err := br.Acquire(context.Background()); err == nil {
			p.Done(errors.New("down"))
		}
	}

	c, _ := prom.NewCollector(prom.Config{Registry: reg})
	out, err := testutil.CollectAndFormat(c, expfmt.TypeTextPlain, "resilience_calls_total", "resilience_circuitbreaker_state")
	if err != nil {
		fmt.Println(err)
	}
	os.Stdout.Write(out)
	// Output:
	// # HELP resilience_calls_total Calls seen by a resilience policy, by outcome.
	// # TYPE resilience_calls_total counter
	// resilience_calls_total{name="db",outcome="failure",policy="circuitbreaker"} 2
	// resilience_calls_total{name="db",outcome="rejected",policy="circuitbreaker"} 1
	// # HELP resilience_circuitbreaker_state Current state of the policy: 1 for the current state, 0 for the others.
	// # TYPE resilience_circuitbreaker_state gauge
	// resilience_circuitbreaker_state{name="db",state="closed"} 0
	// resilience_circuitbreaker_state{name="db",state="disabled"} 0
	// resilience_circuitbreaker_state{name="db",state="forced_open"} 0
	// resilience_circuitbreaker_state{name="db",state="half_open"} 0
	// resilience_circuitbreaker_state{name="db",state="metrics_only"} 0
	// resilience_circuitbreaker_state{name="db",state="open"} 1
}
