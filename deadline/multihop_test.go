package deadline_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience/deadline"
)

// hopRecord is what one server saw of one request.
type hopRecord struct {
	budgetMs int64     // the Resilience-Deadline-Ms value received
	hops     int       // the hop count in the handler's context
	deadline time.Time // the handler's context deadline
}

// TestMultiHopHTTP chains three real HTTP servers on loopback, A → B → C,
// each deriving its context from the incoming request and stamping the
// call to the next. It checks that the budget decays hop by hop by at least
// the configured decay, and that C's context is cancelled by the time the
// first caller's deadline has passed. It uses the real clock, so it only
// asserts orderings and generous bounds.
func TestMultiHopHTTP(t *testing.T) {
	const budget = 300 * time.Millisecond
	srv := mustServer(t, deadline.ServerConfig{Max: 10 * time.Second})
	prop := mustNew(t, deadline.Config{})
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	var mu sync.Mutex
	seen := map[string]hopRecord{}
	record := func(name string, r *http.Request) {
		ms, _ := strconv.ParseInt(r.Header.Get(deadline.HeaderDeadlineMs), 10, 64)
		dl, _ := r.Context().Deadline()
		mu.Lock()
		seen[name] = hopRecord{budgetMs: ms, hops: deadline.HopsFromContext(r.Context()), deadline: dl}
		mu.Unlock()
	}
	call := func(ctx context.Context, url string) (int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return 0, err
		}
		if err := prop.Stamp(req); err != nil {
			return 0, err
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}

	cDone := make(chan error, 1)
	c := httptest.NewServer(srv.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("C", r)
		<-r.Context().Done() // bounded: C's context has the decayed deadline
		cDone <- r.Context().Err()
		w.WriteHeader(http.StatusGatewayTimeout)
	})))
	defer c.Close()
	forward := func(name, next string) http.Handler {
		return srv.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			record(name, r)
			code, err := call(r.Context(), next)
			if err != nil {
				code = http.StatusBadGateway
			}
			w.WriteHeader(code)
		}))
	}
	b := httptest.NewServer(forward("B", c.URL))
	defer b.Close()
	a := httptest.NewServer(forward("A", b.URL))
	defer a.Close()

	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	callerDeadline, _ := ctx.Deadline()
	_, _ = call(ctx, a.URL) // fails or returns 504: either way the chain ran out of time

	select {
	case err := <-cDone:
		if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			t.Errorf("C's context ended with %v want a deadline or a cancellation", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("C's context was not cancelled within 5s of a 300ms budget")
	}
	if time.Now().Before(callerDeadline) && ctx.Err() == nil {
		// C gave up no later than the first caller: that is the point.
		t.Logf("C was cancelled %v before the caller's deadline", time.Until(callerDeadline))
	}

	mu.Lock()
	defer mu.Unlock()
	ra, rb, rc := seen["A"], seen["B"], seen["C"]
	if ra.hops != 1 || rb.hops != 2 || rc.hops != 3 {
		t.Errorf("hops A, B, C = %d, %d, %d want 1, 2, 3", ra.hops, rb.hops, rc.hops)
	}
	// Each hop received at most prev × (1 − α(hops of sender)) − Reserve.
	checks := []struct {
		name       string
		prev, got  int64
		senderHops int
	}{
		{"A", budget.Milliseconds(), ra.budgetMs, 0},
		{"B", ra.budgetMs, rb.budgetMs, 1},
		{"C", rb.budgetMs, rc.budgetMs, 2},
	}
	for _, c := range checks {
		limit := float64(c.prev)*(1-prop.Alpha(c.senderHops)) - float64(deadline.DefaultReserve/time.Millisecond)
		if c.got <= 0 || float64(c.got) > limit {
			t.Errorf("%s received %dms want (0, %.2f]ms: %dms decayed by α=%.2f and a %v reserve", c.name, c.got, limit, c.prev, prop.Alpha(c.senderHops), deadline.DefaultReserve)
		}
	}
	if !(rc.budgetMs < rb.budgetMs && rb.budgetMs < ra.budgetMs && ra.budgetMs < budget.Milliseconds()) {
		t.Errorf("budgets C < B < A < %v violated: %d, %d, %d", budget, rc.budgetMs, rb.budgetMs, ra.budgetMs)
	}
	if rc.deadline.IsZero() || rc.deadline.After(rb.deadline) || rb.deadline.After(ra.deadline) || ra.deadline.After(callerDeadline) {
		t.Errorf("deadlines C <= B <= A <= caller violated: %v, %v, %v, %v", rc.deadline, rb.deadline, ra.deadline, callerDeadline)
	}
}
