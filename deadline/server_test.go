package deadline_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/deadline"
)

func mustServer(t testing.TB, cfg deadline.ServerConfig) *deadline.Server {
	t.Helper()
	s, err := deadline.NewServer(cfg)
	if err != nil {
		t.Fatalf("NewServer(%+v) = %v", cfg, err)
	}
	return s
}

func TestAdmitHTTP(t *testing.T) {
	cfg := deadline.ServerConfig{Default: 2 * time.Second, Max: 10 * time.Second, Min: 5 * time.Millisecond, MaxHops: 8}
	tests := []struct {
		name     string
		deadline string // "" means absent
		hops     string
		want     deadline.Incoming
		err      error
		stats    deadline.Stats
	}{
		{"propagated", "1500", "2", deadline.Incoming{Budget: 1500 * time.Millisecond, Bounded: true, Hops: 2}, nil, deadline.Stats{Propagated: 1}},
		{"missing", "", "", deadline.Incoming{Budget: 2 * time.Second, Bounded: true}, nil, deadline.Stats{Missing: 1}},
		{"day-clamped", "86400000", "1", deadline.Incoming{Budget: 10 * time.Second, Bounded: true, Hops: 1}, nil, deadline.Stats{Propagated: 1, Clamped: 1}},
		{"huge-clamped", "99999999999999999999999", "1", deadline.Incoming{Budget: 10 * time.Second, Bounded: true, Hops: 1}, nil, deadline.Stats{Propagated: 1, Clamped: 1}},
		{"negative-ignored", "-5", "1", deadline.Incoming{Budget: 2 * time.Second, Bounded: true, Hops: 1}, nil, deadline.Stats{Malformed: 1}},
		{"garbled-ignored", "1e9", "1", deadline.Incoming{Budget: 2 * time.Second, Bounded: true, Hops: 1}, nil, deadline.Stats{Malformed: 1}},
		{"garbled-hops", "100", "lots", deadline.Incoming{Budget: 100 * time.Millisecond, Bounded: true}, nil, deadline.Stats{Propagated: 1, MalformedHops: 1}},
		{"zero-refused", "0", "1", deadline.Incoming{Hops: 1}, deadline.ErrBudgetExhausted, deadline.Stats{Propagated: 1, Exhausted: 1}},
		{"below-min-refused", "4", "1", deadline.Incoming{Hops: 1}, deadline.ErrBudgetExhausted, deadline.Stats{Propagated: 1, Exhausted: 1}},
		{"at-min", "5", "1", deadline.Incoming{Budget: 5 * time.Millisecond, Bounded: true, Hops: 1}, nil, deadline.Stats{Propagated: 1}},
		{"max-hops", "100", "8", deadline.Incoming{Budget: 100 * time.Millisecond, Bounded: true, Hops: 8}, nil, deadline.Stats{Propagated: 1}},
		{"loop-refused", "100", "9", deadline.Incoming{Hops: 9}, deadline.ErrTooManyHops, deadline.Stats{Propagated: 1, TooManyHops: 1}},
		{"absurd-hops-refused", "100", "99999999999999", deadline.Incoming{Hops: 2147483647}, deadline.ErrTooManyHops, deadline.Stats{Propagated: 1, TooManyHops: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustServer(t, cfg)
			h := http.Header{}
			if tt.deadline != "" {
				h.Set(deadline.HeaderDeadlineMs, tt.deadline)
			}
			if tt.hops != "" {
				h.Set(deadline.HeaderHops, tt.hops)
			}
			got, err := s.AdmitHTTP(h)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Errorf("AdmitHTTP(%q, %q) = %+v, %v want %+v, %v", tt.deadline, tt.hops, got, err, tt.want, tt.err)
			}
			if st := s.Stats(); st != tt.stats {
				t.Errorf("Stats() = %+v want %+v", st, tt.stats)
			}
		})
	}
}

func TestAdmitHTTPNoDefault(t *testing.T) {
	s := mustServer(t, deadline.ServerConfig{Default: -1})
	got, err := s.AdmitHTTP(http.Header{deadline.HeaderDeadlineMs: {"soon"}})
	if err != nil || got.Bounded {
		t.Errorf("AdmitHTTP(garbled) with no Default = %+v, %v want unbounded", got, err)
	}
	got, err = s.AdmitHTTP(http.Header{deadline.HeaderDeadlineMs: {"86400000"}})
	if err != nil || got.Budget != deadline.DefaultServerMax {
		t.Errorf("AdmitHTTP(24h) = %+v, %v want the default Max %v", got, err, deadline.DefaultServerMax)
	}
}

func TestAdmitGRPC(t *testing.T) {
	clk := clock.NewManual(t0)
	cfg := deadline.ServerConfig{Max: 10 * time.Second, Default: time.Second, Clock: clk}
	bg := context.Background()
	ctxDeadline, cancel := context.WithDeadline(bg, t0.Add(3*time.Second))
	defer cancel()
	ctxLong, cancel2 := context.WithDeadline(bg, t0.Add(time.Hour))
	defer cancel2()
	tests := []struct {
		name  string
		ctx   context.Context
		md    map[string][]string
		want  deadline.Incoming
		err   error
		stats deadline.Stats
	}{
		{"metadata", bg, map[string][]string{"grpc-timeout": {"1500000u"}, "resilience-hops": {"3"}}, deadline.Incoming{Budget: 1500 * time.Millisecond, Bounded: true, Hops: 3}, nil, deadline.Stats{Propagated: 1}},
		{"grpc-go-context", ctxDeadline, map[string][]string{"resilience-hops": {"1"}}, deadline.Incoming{Budget: 3 * time.Second, Bounded: true, Hops: 1}, nil, deadline.Stats{Propagated: 1}},
		{"context-clamped", ctxLong, nil, deadline.Incoming{Budget: 10 * time.Second, Bounded: true}, nil, deadline.Stats{Propagated: 1, Clamped: 1}},
		{"hours-clamped", bg, map[string][]string{"grpc-timeout": {"99999999H"}}, deadline.Incoming{Budget: 10 * time.Second, Bounded: true}, nil, deadline.Stats{Propagated: 1, Clamped: 1}},
		{"garbled", bg, map[string][]string{"grpc-timeout": {"-1S"}}, deadline.Incoming{Budget: time.Second, Bounded: true}, nil, deadline.Stats{Malformed: 1}},
		{"missing", bg, map[string][]string{}, deadline.Incoming{Budget: time.Second, Bounded: true}, nil, deadline.Stats{Missing: 1}},
		{"expired", bg, map[string][]string{"grpc-timeout": {"0n"}}, deadline.Incoming{}, deadline.ErrBudgetExhausted, deadline.Stats{Propagated: 1, Exhausted: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustServer(t, cfg)
			got, err := s.AdmitGRPC(tt.ctx, tt.md)
			if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
				t.Errorf("AdmitGRPC(%v) = %+v, %v want %+v, %v", tt.md, got, err, tt.want, tt.err)
			}
			if st := s.Stats(); st != tt.stats {
				t.Errorf("Stats() = %+v want %+v", st, tt.stats)
			}
		})
	}
}

func TestFromRequestAndGRPC(t *testing.T) {
	clk := clock.NewManual(t0)
	s := mustServer(t, deadline.ServerConfig{Max: 5 * time.Second, Clock: clk})
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set(deadline.HeaderDeadlineMs, "86400000")
	r.Header.Set(deadline.HeaderHops, "2")
	ctx, cancel, err := s.FromRequest(r)
	if err != nil {
		t.Fatalf("FromRequest() = %v", err)
	}
	defer cancel()
	if dl, ok := ctx.Deadline(); !ok || !dl.Equal(t0.Add(5*time.Second)) {
		t.Errorf("FromRequest() deadline = %v, %v want %v (clamped to Max)", dl, ok, t0.Add(5*time.Second))
	}
	if got := deadline.HopsFromContext(ctx); got != 2 {
		t.Errorf("FromRequest() hops = %d want 2", got)
	}

	gctx, gcancel, err := s.FromGRPC(context.Background(), map[string][]string{"grpc-timeout": {"250m"}, "resilience-hops": {"4"}})
	if err != nil {
		t.Fatalf("FromGRPC() = %v", err)
	}
	defer gcancel()
	if dl, ok := gctx.Deadline(); !ok || !dl.Equal(t0.Add(250*time.Millisecond)) || deadline.HopsFromContext(gctx) != 4 {
		t.Errorf("FromGRPC() deadline = %v, %v hops %d want %v, 4", dl, ok, deadline.HopsFromContext(gctx), t0.Add(250*time.Millisecond))
	}

	if _, c, err := s.FromGRPC(context.Background(), map[string][]string{"grpc-timeout": {"0n"}}); !errors.Is(err, deadline.ErrBudgetExhausted) || c == nil {
		t.Errorf("FromGRPC(0n) = %v, cancel nil %v want ErrBudgetExhausted and a non-nil cancel", err, c == nil)
	}

	unbounded := mustServer(t, deadline.ServerConfig{Default: -1, Clock: clk})
	uctx, ucancel, err := unbounded.FromRequest(httptest.NewRequest(http.MethodGet, "/", nil))
	if err != nil {
		t.Fatalf("FromRequest(no budget, no default) = %v", err)
	}
	ucancel()
	if _, ok := uctx.Deadline(); ok {
		t.Errorf("FromRequest(no budget, no default) has a deadline want none")
	}
}

func TestMiddleware(t *testing.T) {
	clk := clock.NewManual(t0)
	s := mustServer(t, deadline.ServerConfig{Max: time.Minute, Min: 10 * time.Millisecond, MaxHops: 4, Clock: clk})
	var sawDeadline time.Time
	var sawHops int
	h := s.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sawDeadline, _ = r.Context().Deadline()
		sawHops = deadline.HopsFromContext(r.Context())
		w.WriteHeader(http.StatusNoContent)
	}))
	tests := []struct {
		name     string
		deadline string
		hops     string
		code     int
	}{
		{"served", "800", "1", http.StatusNoContent},
		{"exhausted", "3", "1", http.StatusGatewayTimeout},
		{"loop", "800", "5", http.StatusLoopDetected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sawDeadline, sawHops = time.Time{}, -1
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set(deadline.HeaderDeadlineMs, tt.deadline)
			r.Header.Set(deadline.HeaderHops, tt.hops)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.code {
				t.Fatalf("status = %d want %d", w.Code, tt.code)
			}
			if tt.code == http.StatusNoContent && (!sawDeadline.Equal(t0.Add(800*time.Millisecond)) || sawHops != 1) {
				t.Errorf("handler saw deadline %v hops %d want %v, 1", sawDeadline, sawHops, t0.Add(800*time.Millisecond))
			}
			if tt.code != http.StatusNoContent && sawHops != -1 {
				t.Errorf("handler ran for a refused request")
			}
		})
	}
}

// TestServerHammer admits requests from many goroutines and checks that
// every one is counted exactly once.
func TestServerHammer(t *testing.T) {
	s := mustServer(t, deadline.ServerConfig{Max: time.Second, MaxHops: 10})
	values := []http.Header{
		{deadline.HeaderDeadlineMs: {"500"}, deadline.HeaderHops: {"1"}},
		{deadline.HeaderDeadlineMs: {"86400000"}},
		{deadline.HeaderDeadlineMs: {"x"}, deadline.HeaderHops: {"y"}},
		{},
		{deadline.HeaderDeadlineMs: {"0"}},
		{deadline.HeaderHops: {"11"}},
	}
	const goroutines, each = 10, 600
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				in, err := s.AdmitHTTP(values[(g+i)%len(values)])
				if err == nil && (in.Budget <= 0 || in.Budget > time.Second) {
					t.Errorf("AdmitHTTP() = %+v outside (0, Max]", in)
					return
				}
			}
		}()
	}
	wg.Wait()
	st := s.Stats()
	total := uint64(goroutines * each)
	per := total / uint64(len(values))
	want := deadline.Stats{Propagated: 3 * per, Missing: 2 * per, Malformed: per, Clamped: per, MalformedHops: per, Exhausted: per, TooManyHops: per}
	if st != want {
		t.Errorf("Stats() = %+v want %+v", st, want)
	}
}

func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocations are not measured under -race")
	}
	s := mustServer(t, deadline.ServerConfig{})
	p := mustNew(t, deadline.Config{})
	h := http.Header{deadline.HeaderDeadlineMs: {"1500"}, deadline.HeaderHops: {"2"}}
	md := map[string][]string{deadline.GRPCTimeoutKey: {"1500000u"}, deadline.GRPCHopsKey: {"2"}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	buf := make([]byte, 0, 16)
	checks := map[string]func(){
		"AdmitHTTP":          func() { _, _ = s.AdmitHTTP(h) },
		"AdmitGRPC":          func() { _, _ = s.AdmitGRPC(ctx, md) },
		"ParseGRPCTimeout":   func() { _, _ = deadline.ParseGRPCTimeout("99999999n") },
		"AppendGRPCTimeout":  func() { buf = deadline.AppendGRPCTimeout(buf[:0], 1500*time.Millisecond) },
		"Next":               func() { _, _ = p.Next(ctx) },
		"ParseDeadlineMs":    func() { _, _ = deadline.ParseDeadlineMs(" 1500 ") },
		"ParseDeadlineMsBad": func() { _, _ = deadline.ParseDeadlineMs("garbage") },
	}
	for name, f := range checks {
		if n := testing.AllocsPerRun(100, f); n != 0 {
			t.Errorf("%s allocates %v times per call want 0", name, n)
		}
	}
}

func TestFromRequestWithin(t *testing.T) {
	clk := clock.NewManual(t0)
	s := mustServer(t, deadline.ServerConfig{Default: 30 * time.Second, Max: 60 * time.Second, Min: 10 * time.Millisecond, Clock: clk})
	tests := []struct {
		name, ms, hops string
		within         time.Duration
		wantDeadline   time.Duration // 0: none derived
		wantHops       int
		wantSame       bool // the request's own context comes back
		wantErr        error
	}{
		{name: "default budget covers the bound", within: 5 * time.Second, wantSame: true},
		{name: "long budget covers the bound", ms: "8000", within: 5 * time.Second, wantSame: true},
		{name: "equal budget covers the bound", ms: "5000", within: 5 * time.Second, wantSame: true},
		{name: "short budget is enforced", ms: "1500", within: 5 * time.Second, wantDeadline: 1500 * time.Millisecond},
		{name: "hops recorded without a deadline", ms: "8000", hops: "3", within: 5 * time.Second, wantHops: 3},
		{name: "hops and a short budget", ms: "100", hops: "1", within: time.Second, wantDeadline: 100 * time.Millisecond, wantHops: 1},
		{name: "no bound is FromRequest", within: 0, wantDeadline: 30 * time.Second},
		{name: "exhausted", ms: "5", within: time.Second, wantErr: deadline.ErrBudgetExhausted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.ms != "" {
				r.Header.Set(deadline.HeaderDeadlineMs, tt.ms)
			}
			if tt.hops != "" {
				r.Header.Set(deadline.HeaderHops, tt.hops)
			}
			ctx, cancel, err := s.FromRequestWithin(r, tt.within)
			if cancel == nil {
				t.Fatal("FromRequestWithin returned a nil cancel")
			}
			defer cancel()
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("FromRequestWithin(%s) = %v want %v", tt.ms, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			dl, ok := ctx.Deadline()
			switch {
			case tt.wantDeadline == 0 && ok:
				t.Errorf("deadline %v, want none", dl)
			case tt.wantDeadline != 0 && (!ok || !dl.Equal(t0.Add(tt.wantDeadline))):
				t.Errorf("deadline %v, %v want %v", dl, ok, t0.Add(tt.wantDeadline))
			}
			if got := deadline.HopsFromContext(ctx); got != tt.wantHops {
				t.Errorf("hops %d want %d", got, tt.wantHops)
			}
			if same := ctx == r.Context(); same != tt.wantSame {
				t.Errorf("returned the request's own context: %v want %v", same, tt.wantSame)
			}
		})
	}
	if st := s.Stats(); st.Propagated != 6 || st.Missing != 2 || st.Exhausted != 1 {
		t.Errorf("Stats() = %+v want 6 propagated, 2 missing, 1 exhausted (every request counted)", st)
	}
}
