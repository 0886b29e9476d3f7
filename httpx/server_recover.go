package httpx

import (
	"errors"
	"net/http"
	"runtime/debug"
	"sync/atomic"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/errcode"
)

// RecoverConfig configures a Recoverer. The zero value is valid.
type RecoverConfig struct {
	// Name identifies the middleware in events. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// Listener receives an EventPanic for each recovered panic, with a
	// *PanicError (value, stack, request) as Err. Nil means no events; the
	// panic is still counted. net/http logs nothing for a recovered panic,
	// so log the event's stack if you want it.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// Recoverer turns handler panics into 500 Internal Server Error answers
// with an application/problem+json body that reveals nothing, and counts
// them. A panic with http.ErrAbortHandler is re-panicked untouched: it is
// how a handler aborts a response on purpose, and net/http handles it
// silently. When the handler had already started its response, no 500 can
// be sent any more: the panic is counted and reported, then re-panicked as
// http.ErrAbortHandler, so that net/http drops the connection and the
// client sees a truncated response rather than a complete-looking one.
//
// Build one with NewRecoverer and place its Middleware outermost. It is safe
// for concurrent use.
type Recoverer struct {
	name     string
	listener resilience.Listener
	panics   atomic.Uint64
}

// NewRecoverer returns a Recoverer configured by cfg.
func NewRecoverer(cfg RecoverConfig) *Recoverer {
	return &Recoverer{name: cfg.Name, listener: cfg.Listener}
}

// Recover is NewRecoverer(cfg).Middleware, for when the count is not
// needed.
func Recover(cfg RecoverConfig) Middleware {
	return NewRecoverer(cfg).Middleware
}

// Panics returns how many panics were recovered (http.ErrAbortHandler
// excluded).
func (rc *Recoverer) Panics() uint64 { return rc.panics.Load() }

// Middleware returns next wrapped with panic recovery.
func (rc *Recoverer) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := record(w)
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(v)
			}
			rc.panics.Add(1)
			pe := &PanicError{Value: v, Stack: debug.Stack(), Method: r.Method, Path: r.URL.Path}
			if rc.listener != nil {
				rc.listener.OnEvent(resilience.Event{
					Kind: resilience.EventPanic, Policy: "httpx", Name: rc.name,
					Err: pe, Detail: r.Method + " " + r.URL.Path,
				})
			}
			if rec.wrote() {
				panic(http.ErrAbortHandler)
			}
			h := rec.Header() // drop what described the body that never came
			for _, k := range []string{"Content-Encoding", "Content-Range", "Content-Disposition", "Etag", "Last-Modified"} {
				h.Del(k)
			}
			errcode.NewProblem(http.StatusInternalServerError, "", "").Write(rec)
		}()
		next.ServeHTTP(rec, r)
	})
}
