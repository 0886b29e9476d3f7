package deadline_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/deadline"
)

// A 300ms budget travels two hops, decaying at each.
func Example() {
	clk := clock.NewManual(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	prop, _ := deadline.New(deadline.Config{Clock: clk})
	srv, _ := deadline.NewServer(deadline.ServerConfig{Clock: clk})

	// The edge caller has 300ms and stamps its request to service A.
	ctx, cancel := context.WithDeadline(context.Background(), clk.Now().Add(300*time.Millisecond))
	defer cancel()
	out, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://a.internal/", nil)
	_ = prop.Stamp(out)
	fmt.Println("to A:", out.Header.Get(deadline.HeaderDeadlineMs), "ms, hops", out.Header.Get(deadline.HeaderHops))

	// Service A derives its handler's context from the request...
	in := httptest.NewRequest(http.MethodGet, "/", nil)
	in.Header = out.Header.Clone()
	actx, acancel, _ := srv.FromRequest(in)
	defer acancel()
	dl, _ := actx.Deadline()
	fmt.Println("A has:", dl.Sub(clk.Now()), "at hop", deadline.HopsFromContext(actx))

	// ...spends 20ms, then calls service B.
	clk.Advance(20 * time.Millisecond)
	next, _ := http.NewRequestWithContext(actx, http.MethodGet, "http://b.internal/", nil)
	_ = prop.Stamp(next)
	fmt.Println("to B:", next.Header.Get(deadline.HeaderDeadlineMs), "ms, hops", next.Header.Get(deadline.HeaderHops))
	// Output:
	// to A: 280 ms, hops 1
	// A has: 280ms at hop 1
	// to B: 229 ms, hops 2
}

// A server clamps what clients ask for and counts what it ignored.
func ExampleServer_Middleware() {
	srv, _ := deadline.NewServer(deadline.ServerConfig{Max: 5 * time.Second, Default: time.Second})
	h := srv.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dl, _ := r.Context().Deadline()
		fmt.Println("handler budget:", time.Until(dl).Round(time.Second))
	}))
	for _, v := range []string{"86400000", "soon", "0"} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set(deadline.HeaderDeadlineMs, v)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(v, "→", w.Code)
	}
	fmt.Printf("%+v\n", srv.Stats())
	// Output:
	// handler budget: 5s
	// 86400000 → 200
	// handler budget: 1s
	// soon → 200
	// 0 → 504
	// {Propagated:2 Missing:0 Malformed:1 Clamped:1 MalformedHops:0 Exhausted:1 TooManyHops:0}
}

func ExampleFormatGRPCTimeout() {
	for _, d := range []time.Duration{50 * time.Millisecond, 1500 * time.Millisecond, 24 * time.Hour} {
		v := deadline.FormatGRPCTimeout(d)
		back, _ := deadline.ParseGRPCTimeout(v)
		fmt.Println(d, "→", v, "→", back)
	}
	// Output:
	// 50ms → 50000000n → 50ms
	// 1.5s → 1500000u → 1.5s
	// 24h0m0s → 86400000m → 24h0m0s
}
