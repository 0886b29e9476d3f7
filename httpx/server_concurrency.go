package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/adaptive"
)

// DefaultPriorityHeader is the request header Concurrency reads a priority
// from when ConcurrencyConfig.PriorityHeader is empty.
const DefaultPriorityHeader = "X-Priority"

// DefaultRetryAfter is the Retry-After a Concurrency refusal carries when
// ConcurrencyConfig.RetryAfter is zero.
const DefaultRetryAfter = time.Second

// ConcurrencyConfig configures the Concurrency middleware. Guard is
// required.
type ConcurrencyConfig struct {
	// Guard admits requests: a *bulkhead.Semaphore, *adaptive.Limiter,
	// *adaptive.Shedder, or any resilience.Guard (a circuit breaker
	// protecting the handler's dependency, a chaos injector). Required.
	Guard resilience.Guard `yaml:"-" json:"-"`
	// PriorityHeader names the request header read with
	// adaptive.ParsePriority into the request's context
	// (adaptive.WithPriority), where adaptive guards find it. Values that
	// do not parse count as normal. Empty means DefaultPriorityHeader
	// (X-Priority); "-" reads none. Only trust it from callers you control.
	PriorityHeader string `yaml:"priority_header" json:"priority_header"`
	// RetryAfter is the Retry-After of a refusal. Zero means
	// DefaultRetryAfter (1s), or, for a guard with a RemainingOpen()
	// time.Duration method (an open circuit breaker), what remains of its
	// open state; negative sends none.
	RetryAfter time.Duration `yaml:"retry_after" json:"retry_after"`
	// IsFailure reports whether a handler's status is a failure for the
	// guard. Nil means 5xx statuses fail.
	IsFailure func(status int) bool `yaml:"-" json:"-"`
}

// Validate reports the first invalid field, or nil.
func (c ConcurrencyConfig) Validate() error {
	if c.Guard == nil {
		return errors.New("httpx: Concurrency needs a Guard")
	}
	if c.PriorityHeader != "-" && c.PriorityHeader != "" && !validHeaderName(c.PriorityHeader) {
		return fmt.Errorf("httpx: PriorityHeader %q is not a valid header name", c.PriorityHeader)
	}
	return nil
}

// Concurrency returns a middleware that runs each request under a permit
// of cfg.Guard. Refused requests are answered with StatusFor(err) (503
// Service Unavailable for a full bulkhead or a shed request, 429 for a rate
// limit), a Retry-After header and an application/problem+json body,
// without calling the handler. The permit is released with the handler's
// outcome: a failure when the request's context hit its deadline
// (context.DeadlineExceeded, which adaptive limiters count as a drop) or
// the status IsFailure reports (a *StatusError), ignored when the client
// went away (context.Canceled), a success otherwise. A panic releases it
// with resilience.ErrPanicked and propagates.
func Concurrency(cfg ConcurrencyConfig) (Middleware, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &concurrencyMW{guard: cfg.Guard, retryAfter: cfg.RetryAfter, isFailure: cfg.IsFailure}
	switch cfg.PriorityHeader {
	case "":
		m.header = DefaultPriorityHeader
	case "-":
	default:
		m.header = http.CanonicalHeaderKey(cfg.PriorityHeader)
	}
	if m.isFailure == nil {
		m.isFailure = func(status int) bool { return status >= 500 }
	}
	if ro, ok := cfg.Guard.(interface{ RemainingOpen() time.Duration }); ok && cfg.RetryAfter == 0 {
		m.remaining = ro.RemainingOpen
	}
	return m.wrap, nil
}

type concurrencyMW struct {
	guard      resilience.Guard
	header     string
	retryAfter time.Duration
	remaining  func() time.Duration
	isFailure  func(int) bool
}

func (m *concurrencyMW) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m.header != "" {
			if v := r.Header[m.header]; len(v) > 0 {
				if p, err := adaptive.ParsePriority(v[0]); err == nil && p != adaptive.PriorityNormal {
					r = r.WithContext(adaptive.WithPriority(r.Context(), p))
				}
			}
		}
		permit, err := m.guard.Acquire(r.Context())
		if err != nil {
			writeRejection(w, StatusFor(err), rejectionDetail(err), m.retryAfterFor())
			return
		}
		rec := record(w)
		done := false
		defer func() {
			if !done {
				permit.Done(resilience.ErrPanicked)
			}
		}()
		next.ServeHTTP(rec, r)
		done = true
		permit.Done(m.outcome(r.Context(), rec))
	})
}

func (m *concurrencyMW) retryAfterFor() time.Duration {
	switch {
	case m.retryAfter < 0:
		return 0
	case m.retryAfter > 0:
		return m.retryAfter
	case m.remaining != nil:
		if d := m.remaining(); d > 0 {
			return d
		}
	}
	return DefaultRetryAfter
}

// outcome is the error a finished request reports to the guard.
func (m *concurrencyMW) outcome(ctx context.Context, rec *recorder) error {
	ctxErr := ctx.Err()
	if ctxErr == context.DeadlineExceeded {
		return ctxErr
	}
	if status := rec.Status(); status != 0 && m.isFailure(status) {
		return &StatusError{StatusCode: status, Failure: true}
	}
	return ctxErr // nil, or context.Canceled: ignored
}

// validHeaderName reports whether s is a token (RFC 9110 field-name).
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTChar(s[i]) {
			return false
		}
	}
	return true
}
