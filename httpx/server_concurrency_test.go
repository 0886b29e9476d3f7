package httpx

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/bulkhead"
	"github.com/resilience-go/resilience/ratelimit"
)

func TestConcurrencyBulkheadFull(t *testing.T) {
	sem, err := bulkhead.New(bulkhead.Config{MaxConcurrent: 1})
	if err != nil {
		t.Fatal(err)
	}
	mw, err := Concurrency(ConcurrencyConfig{Guard: sem})
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}), make(chan struct{})
	srv, c := serve(t, mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(entered)
			<-release
		}
		status(w, 200, "ok")
	})))
	first := goDo(c, mustGet(t, srv.URL+"/slow"))
	<-entered
	resp, body := get(t, c, srv.URL)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("second request = %d Retry-After %q, want 503 and 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if p := problem(t, resp, body); p.Status != 503 || p.Detail != "server overloaded: try again later" {
		t.Errorf("problem = %+v", p)
	}
	close(release)
	if r := <-first; r.err != nil || r.resp.StatusCode != 200 {
		t.Errorf("first request = %v, %v; want 200", r.resp, r.err)
	}
	if sem.InFlight() != 0 {
		t.Errorf("InFlight = %d after both requests, want 0", sem.InFlight())
	}
}

type recordingGuard struct {
	mu         sync.Mutex
	priorities []adaptive.Priority
	outcomes   []error
	reject     error
}

func (g *recordingGuard) Acquire(ctx context.Context) (resilience.Permit, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.priorities = append(g.priorities, adaptive.PriorityFromContext(ctx))
	if g.reject != nil {
		return resilience.Permit{}, g.reject
	}
	return resilience.NewPermit(g, 0, 0), nil
}

func (g *recordingGuard) Release(_ resilience.Permit, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.outcomes = append(g.outcomes, err)
}

func TestConcurrencyPriorityAndOutcomes(t *testing.T) {
	g := &recordingGuard{}
	mw, err := Concurrency(ConcurrencyConfig{Guard: g})
	if err != nil {
		t.Fatal(err)
	}
	srv, c := serve(t, Recover(RecoverConfig{})(mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/fail":
			status(w, 502, "bad gateway")
		case "/missing":
			status(w, 404, "no")
		case "/panic":
			panic("boom")
		default:
			status(w, 200, "ok")
		}
	}))))
	steps := []struct {
		path, priority string
		wantPriority   adaptive.Priority
		wantOutcome    resilience.Outcome
		wantStatus     int // of the outcome's StatusError, 0 for none
	}{
		{path: "/", priority: "critical", wantPriority: adaptive.PriorityCritical, wantOutcome: resilience.OutcomeSuccess},
		{path: "/fail", priority: "sheddable", wantPriority: adaptive.PrioritySheddable, wantOutcome: resilience.OutcomeFailure, wantStatus: 502},
		{path: "/missing", priority: "nonsense", wantPriority: adaptive.PriorityNormal, wantOutcome: resilience.OutcomeSuccess},
		{path: "/panic", wantPriority: adaptive.PriorityNormal, wantOutcome: resilience.OutcomeFailure},
	}
	for _, s := range steps {
		if s.priority != "" {
			get(t, c, srv.URL+s.path, "X-Priority", s.priority)
		} else {
			get(t, c, srv.URL+s.path)
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	for i, s := range steps {
		if g.priorities[i] != s.wantPriority {
			t.Errorf("%s: priority in context = %v, want %v", s.path, g.priorities[i], s.wantPriority)
		}
		err := g.outcomes[i]
		if got := resilience.Classify(err); got != s.wantOutcome {
			t.Errorf("%s: outcome %v (%v), want %v", s.path, got, err, s.wantOutcome)
		}
		if s.wantStatus != 0 && StatusFor(err) != s.wantStatus {
			t.Errorf("%s: outcome status = %d, want %d", s.path, StatusFor(err), s.wantStatus)
		}
	}
	if g.outcomes[3] != resilience.ErrPanicked {
		t.Errorf("/panic outcome = %v, want ErrPanicked", g.outcomes[3])
	}
}

func TestConcurrencyRejectionStatus(t *testing.T) {
	tests := []struct {
		name       string
		reject     error
		retryAfter time.Duration
		wantCode   int
		wantRetry  string
	}{
		{name: "shed", reject: adaptive.ErrShed, wantCode: 503, wantRetry: "1"},
		{name: "limited", reject: ratelimit.ErrLimited, retryAfter: 5 * time.Second, wantCode: 429, wantRetry: "5"},
		{name: "no retry-after", reject: adaptive.ErrLimitExceeded, retryAfter: -1, wantCode: 503, wantRetry: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mw, err := Concurrency(ConcurrencyConfig{Guard: &recordingGuard{reject: tt.reject}, RetryAfter: tt.retryAfter, PriorityHeader: "-"})
			if err != nil {
				t.Fatal(err)
			}
			called := false
			srv, c := serve(t, mw(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { called = true })))
			resp, body := get(t, c, srv.URL)
			if resp.StatusCode != tt.wantCode || resp.Header.Get("Retry-After") != tt.wantRetry {
				t.Errorf("= %d Retry-After %q, want %d %q", resp.StatusCode, resp.Header.Get("Retry-After"), tt.wantCode, tt.wantRetry)
			}
			if p := problem(t, resp, body); p.Status != tt.wantCode {
				t.Errorf("problem status = %d, want %d", p.Status, tt.wantCode)
			}
			if called {
				t.Error("handler called for a refused request")
			}
		})
	}
}

func TestConcurrencyConfigValidate(t *testing.T) {
	if err := (ConcurrencyConfig{}).Validate(); err == nil || err.Error() != "httpx: Concurrency needs a Guard" {
		t.Errorf("Validate(zero) = %v", err)
	}
	err := ConcurrencyConfig{Guard: &recordingGuard{}, PriorityHeader: "bad header"}.Validate()
	if err == nil || err.Error() != `httpx: PriorityHeader "bad header" is not a valid header name` {
		t.Errorf("Validate(bad header) = %v", err)
	}
}

func TestConcurrencyAdaptivePriority(t *testing.T) {
	lim, err := adaptive.New(adaptive.Config{InitialLimit: 4, MinLimit: 4, MaxLimit: 4, Clock: manual()})
	if err != nil {
		t.Fatal(err)
	}
	mw, err := Concurrency(ConcurrencyConfig{Guard: lim})
	if err != nil {
		t.Fatal(err)
	}
	entered, release := make(chan struct{}, 2), make(chan struct{})
	srv, c := serve(t, mw(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hold" {
			entered <- struct{}{}
			<-release
		}
		status(w, 200, "ok")
	})))
	var held []<-chan result
	for range 2 {
		req := mustGet(t, srv.URL+"/hold")
		req.Header.Set("X-Priority", "critical")
		held = append(held, goDo(c, req))
		<-entered
	}
	for _, s := range []struct {
		priority string
		want     int
	}{{"sheddable", 503}, {"SHEDDABLE_PLUS", 503}, {"high", 200}, {"", 200}} {
		resp, _ := get(t, c, srv.URL, "X-Priority", s.priority)
		if resp.StatusCode != s.want {
			t.Errorf("priority %q: %d, want %d", s.priority, resp.StatusCode, s.want)
		}
	}
	close(release)
	for _, h := range held {
		if r := <-h; r.err != nil {
			t.Errorf("held request: %v", r.err)
		}
	}
}
