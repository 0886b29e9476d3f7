package health_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"time"

	"github.com/resilience-go/resilience/health"
)

func probe(c *health.Checker, path string) {
	rec := httptest.NewRecorder()
	c.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	body, _ := io.ReadAll(rec.Body)
	fmt.Printf("%s %d %q\n", path, rec.Code, body)
}

func ExampleChecker() {
	dbErr := errors.New("dial tcp 10.0.0.5:5432: connection refused")
	checker, err := health.New(health.Config{Checks: []health.Check{
		{Name: "db", Func: func(ctx context.Context) error { return dbErr }, Timeout: time.Second, Critical: true},
		{Name: "cache", Func: func(ctx context.Context) error { return nil }},
	}})
	if err != nil {
		panic(err)
	}
	probe(checker, "/livez")
	probe(checker, "/readyz")
	probe(checker, "/readyz?exclude=db")
	// Output:
	// /livez 200 "ok"
	// /readyz 503 "[+]startup ok\n[+]shutdown ok\n[-]db failed: reason withheld\n[+]cache ok\nreadyz check failed\n"
	// /readyz?exclude=db 200 "ok"
}

// On SIGTERM, readiness fails at once so load balancers drain the process,
// while liveness passes so it is not restarted.
func ExampleChecker_Shutdown() {
	checker, _ := health.New(health.Config{})
	checker.Shutdown()
	probe(checker, "/readyz")
	probe(checker, "/livez")
	// Output:
	// /readyz 503 "[+]startup ok\n[-]shutdown failed: reason withheld\nreadyz check failed\n"
	// /livez 200 "ok"
}

func ExampleChecker_Status() {
	checker, _ := health.New(health.Config{Checks: []health.Check{
		{Name: "db", Func: func(context.Context) error { return nil }, Critical: true},
	}})
	ctx := context.Background()
	fmt.Println(checker.Status(ctx, ""), checker.Status(ctx, "db"), checker.Status(ctx, "queue"))
	// Output:
	// SERVING SERVING SERVICE_UNKNOWN
}
