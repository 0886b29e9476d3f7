package bench

// HTTP client benchmarks: what a resilience RoundTripper adds to a request
// over a bare http.Transport.
//
// Area HTTPClientOverhead: a GET to a loopback httptest server answering
// "ok", its body read and closed, through
//   - transport: a bare *http.Transport, the baseline;
//   - resilience: httpx.RoundTripper over the same kind of transport, with
//     a circuit breaker (circuitbreaker.DefaultConfig: 50% of the last 100
//     calls) outside a retry policy (3 attempts, retry.DefaultRetryIf), one
//     pipeline per host;
//   - failsafe: failsafehttp.NewRoundTripper with a failure-ratio circuit
//     breaker (50 of 100) outside failsafehttp's retry policy (3 attempts),
//     failsafe-go's own HTTP integration.
//
// Every request succeeds, so the figure is the cost paid by every request.
// Each implementation has its own transport and server, so connection
// pools start equal. HTTPClientOverheadParallel runs the same under
// b.RunParallel.

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/failsafe-go/failsafe-go/circuitbreaker"
	"github.com/failsafe-go/failsafe-go/failsafehttp"

	rcb "github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/httpx"
	"github.com/resilience-go/resilience/retry"
)

func BenchmarkHTTPClientOverhead(b *testing.B)         { runHTTPClient(b, false) }
func BenchmarkHTTPClientOverheadParallel(b *testing.B) { runHTTPClient(b, true) }

func runHTTPClient(b *testing.B, parallel bool) {
	impls := []struct {
		name string
		wrap func(b *testing.B, tr *http.Transport) http.RoundTripper
	}{
		{"transport", func(_ *testing.B, tr *http.Transport) http.RoundTripper { return tr }},
		{"resilience", func(b *testing.B, tr *http.Transport) http.RoundTripper {
			breaker := rcb.DefaultConfig()
			rt, err := httpx.NewRoundTripper(httpx.ClientConfig{
				Transport: tr,
				Breaker:   &breaker,
				Retry:     &retry.Config{MaxAttempts: 3},
			})
			if err != nil {
				b.Fatal(err)
			}
			return rt
		}},
		{"failsafe", func(_ *testing.B, tr *http.Transport) http.RoundTripper {
			cb := circuitbreaker.NewBuilder[*http.Response]().
				HandleIf(func(r *http.Response, err error) bool { return err != nil || r.StatusCode >= 500 }).
				WithFailureThresholdRatio(50, 100).
				Build()
			rp := failsafehttp.NewRetryPolicyBuilder().WithMaxAttempts(3).Build()
			return failsafehttp.NewRoundTripper(tr, cb, rp)
		}},
	}
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, "ok")
			}))
			defer srv.Close()
			tr := &http.Transport{MaxIdleConnsPerHost: 64}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: impl.wrap(b, tr)}
			get := func() {
				resp, err := client.Get(srv.URL)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
			get() // warm the connection pool
			b.ReportAllocs()
			b.ResetTimer()
			if parallel {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						get()
					}
				})
				return
			}
			for b.Loop() {
				get()
			}
		})
	}
}

// Area HTTPClientAdapter: the same three round trippers over an in-memory
// transport that answers at once with a canned 200, so that the figure is
// the adapter's own cost per request, free of network noise (transport is
// the canned transport called directly).
func BenchmarkHTTPClientAdapter(b *testing.B) {
	canned := &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{}, Body: http.NoBody}
	next := cannedTransport{canned}
	impls := []struct {
		name string
		rt   http.RoundTripper
	}{{"transport", next}}
	breaker := rcb.DefaultConfig()
	ours, err := httpx.NewRoundTripper(httpx.ClientConfig{Transport: next, Breaker: &breaker, Retry: &retry.Config{MaxAttempts: 3}})
	if err != nil {
		b.Fatal(err)
	}
	impls = append(impls, struct {
		name string
		rt   http.RoundTripper
	}{"resilience", ours})
	cb := circuitbreaker.NewBuilder[*http.Response]().
		HandleIf(func(r *http.Response, err error) bool { return err != nil || r.StatusCode >= 500 }).
		WithFailureThresholdRatio(50, 100).
		Build()
	rp := failsafehttp.NewRetryPolicyBuilder().WithMaxAttempts(3).Build()
	impls = append(impls, struct {
		name string
		rt   http.RoundTripper
	}{"failsafe", failsafehttp.NewRoundTripper(next, cb, rp)})
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1:1/", nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resp, err := impl.rt.RoundTrip(req)
				if err != nil {
					b.Fatal(err)
				}
				_ = resp.Body.Close()
			}
		})
	}
}

// cannedTransport answers every request with a copy of resp.
type cannedTransport struct{ resp *http.Response }

func (c cannedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := *c.resp
	r.Request = req
	return &r, nil
}
