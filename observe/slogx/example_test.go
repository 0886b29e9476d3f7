package slogx_test

import (
	"log/slog"
	"os"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/observe/slogx"
)

func ExampleListener() {
	clk := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: noTime}))
	l, _ := slogx.New(slogx.Config{Logger: logger, Burst: 2, SampleEvery: 1000, Interval: 10 * time.Second, Clock: clk})
	defer l.Close()

	l.OnEvent(resilience.Event{Kind: resilience.EventStateChange, Policy: "circuitbreaker", Name: "db", From: "closed", To: "open"})
	for range 500 { // a rejection storm
		l.OnEvent(resilience.Event{Kind: resilience.EventRejected, Policy: "circuitbreaker", Name: "db", Delay: 30 * time.Second})
	}
	clk.Advance(10 * time.Second)
	// Output:
	// {"level":"WARN","msg":"resilience state_change","resilience":{"policy":"circuitbreaker","name":"db","kind":"state_change","from":"closed","to":"open"}}
	// {"level":"WARN","msg":"resilience rejected","resilience":{"policy":"circuitbreaker","name":"db","kind":"rejected","delay":30000000000}}
	// {"level":"WARN","msg":"resilience rejected","resilience":{"policy":"circuitbreaker","name":"db","kind":"rejected","delay":30000000000}}
	// {"level":"WARN","msg":"resilience events suppressed","resilience":{"policy":"circuitbreaker","name":"db","kind":"rejected","suppressed":498,"interval":10000000000}}
}
