package health_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/health"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

var errDown = errors.New("connection refused")

func ok(context.Context) error   { return nil }
func down(context.Context) error { return errDown }

func mustNew(t testing.TB, cfg health.Config) *health.Checker {
	t.Helper()
	c, err := health.New(cfg)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	return c
}

// get serves one request to h and returns the status and body.
func get(t testing.TB, h http.Handler, method, target string) (int, string, http.Header) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(body), rec.Header()
}

func manual() *clock.Manual { return clock.NewManual(t0) }
