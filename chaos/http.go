package chaos

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/resilience-go/resilience/clock"
)

// Middleware injects inj's faults into an HTTP server, before the handler
// runs:
//   - latency faults delay the request (the handler is skipped if the
//     client goes away meanwhile);
//   - abort faults answer with the fault's HTTPStatus and a short
//     text/plain body, without calling the handler;
//   - error faults drop the connection (panic(http.ErrAbortHandler), which
//     net/http handles silently), as a crashed server would.
//
// Requests naming faults in the trigger header force them, and the names
// are also put in the request's context (WithFault), so injectors deeper in
// the handler, guarding the database for instance, honour them too.
func Middleware(inj *Injector) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !inj.enabled.Load() {
				next.ServeHTTP(w, r)
				return
			}
			ctx := r.Context()
			d := inj.decide(ctx, r.Header)
			if d.delay > 0 && clock.Sleep(ctx, inj.clock, d.delay) != nil {
				return
			}
			if d.fault != nil {
				if d.fault.Kind == KindError {
					panic(http.ErrAbortHandler)
				}
				body := abortBody(d.fault)
				h := w.Header()
				h.Set("Content-Type", "text/plain; charset=utf-8")
				h.Set("X-Content-Type-Options", "nosniff")
				h.Set("Content-Length", strconv.Itoa(len(body)))
				w.WriteHeader(d.fault.HTTPStatus)
				_, _ = io.WriteString(w, body)
				return
			}
			if inj.trigger != "" {
				if v := r.Header[inj.trigger]; len(v) > 0 {
					if names := headerNames(v); len(names) > 0 {
						r = r.WithContext(WithFault(ctx, names...))
					}
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// RoundTripper injects inj's faults into an HTTP client, before the request
// is sent; next nil means http.DefaultTransport:
//   - latency faults delay the request;
//   - error faults fail it with the *FaultError, as a refused connection
//     would (http.Client wraps it in a *url.Error; errors.Is still finds
//     ErrInjected);
//   - abort faults return a synthetic response with the fault's HTTPStatus
//     and a short text/plain body, without sending anything.
//
// Faults named in the request's context or trigger header are forced.
func RoundTripper(inj *Injector, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &roundTripper{inj: inj, next: next}
}

type roundTripper struct {
	inj  *Injector
	next http.RoundTripper
}

func (rt *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	inj := rt.inj
	if !inj.enabled.Load() {
		return rt.next.RoundTrip(req)
	}
	ctx := req.Context()
	d := inj.decide(ctx, req.Header)
	if d.delay > 0 {
		if err := clock.Sleep(ctx, inj.clock, d.delay); err != nil {
			closeBody(req)
			return nil, err
		}
	}
	if d.fault == nil {
		return rt.next.RoundTrip(req)
	}
	closeBody(req) // a RoundTripper must close the body, even on errors
	if d.fault.Kind == KindError {
		return nil, d.fault.err
	}
	body := abortBody(d.fault)
	return &http.Response{
		Status:     strconv.Itoa(d.fault.HTTPStatus) + " " + http.StatusText(d.fault.HTTPStatus),
		StatusCode: d.fault.HTTPStatus,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header: http.Header{
			"Content-Type":   {"text/plain; charset=utf-8"},
			"Content-Length": {strconv.Itoa(len(body))},
		},
		Body:          io.NopCloser(strings.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}, nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		_ = req.Body.Close()
	}
}

// abortBody is the body of an abort response: the fault's error text.
func abortBody(f *compiled) string { return f.err.Error() + "\n" }

// CloseIdleConnections closes the idle connections of the wrapped
// transport, so http.Client.CloseIdleConnections reaches it.
func (rt *roundTripper) CloseIdleConnections() {
	if c, ok := rt.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
