package chaos_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/chaos"
	"github.com/resilience-go/resilience/clock"
)

// A seeded injector makes the same decisions in every run.
func ExampleInjector() {
	inj, err := chaos.New(chaos.Config{
		Name:    "inventory",
		Enabled: true,
		Seed:    2,
		Faults: []chaos.Fault{
			{Name: "inventory-down", Kind: chaos.KindError, Probability: 0.3},
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 10 {
		_, err := inj.Acquire(context.Background())
		if errors.Is(err, chaos.ErrInjected) {
			fmt.Print("x")
		} else {
			fmt.Print(".")
		}
	}
	fmt.Println()
	_, err = inj.Acquire(chaos.WithFault(context.Background(), "inventory-down"))
	var fe *chaos.FaultError
	errors.As(err, &fe)
	fmt.Println(err, fe.HTTPStatus(), fe.GRPCCode(), errors.Is(err, resilience.ErrRejected))
	// Output:
	// .x....x..x
	// chaos: injected error fault "inventory-down" 503 14 false
}

// Latency faults wait on the injector's clock; tests drive it by hand.
func ExampleInjector_latency() {
	m := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	inj, _ := chaos.New(chaos.Config{Enabled: true, Seed: 1, Clock: m, Faults: []chaos.Fault{
		{Name: "slow-db", Kind: chaos.KindLatency, Latency: 2 * time.Second, Probability: 1},
	}})
	done := make(chan struct{})
	go func() {
		_, _ = inj.Acquire(context.Background())
		close(done)
	}()
	m.WaitForTimers(1)
	m.Advance(2 * time.Second)
	<-done
	fmt.Println("admitted after", m.Now().Format(time.TimeOnly), inj.Stats().Delayed, "delayed")
	// Output: admitted after 00:00:02 1 delayed
}

// On a server, a request naming a fault in X-Chaos-Fault gets it.
func ExampleMiddleware() {
	inj, _ := chaos.New(chaos.Config{Enabled: true, Faults: []chaos.Fault{
		{Name: "maintenance", Kind: chaos.KindAbort, HTTPStatus: 503, Message: "down for maintenance"},
	}})
	h := chaos.Middleware(inj)(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "hello")
	}))
	for _, trigger := range []string{"", "maintenance"} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if trigger != "" {
			req.Header.Set(chaos.DefaultTriggerHeader, trigger)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Print(rec.Code, " ", rec.Body)
	}
	// Output:
	// 200 hello
	// 503 chaos: injected abort fault "maintenance": down for maintenance
}

// On a client, an abort fault answers without sending the request.
func ExampleRoundTripper() {
	inj, _ := chaos.New(chaos.Config{Enabled: true, Faults: []chaos.Fault{
		{Name: "rate-limited", Kind: chaos.KindAbort, HTTPStatus: 429},
	}})
	client := &http.Client{Transport: chaos.RoundTripper(inj, nil)}
	req, _ := http.NewRequestWithContext(chaos.WithFault(context.Background(), "rate-limited"),
		http.MethodGet, "http://payments.invalid/charge", nil)
	resp, err := client.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.Status, ": ", string(body))
	// Output: 429 Too Many Requests: chaos: injected abort fault "rate-limited"
}
