package fallback

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"syscall"

	"github.com/resilience-go/resilience"
)

// The conditions below decide which errors a Step handles. They walk the
// whole error chain (errors.Unwrap and errors.Join included) and do not
// allocate. A Step whose When is nil uses OnTransient.

// OnRejected reports whether a policy refused the call without running it
// (the error matches resilience.ErrRejected): an open breaker, a rate limit,
// a full bulkhead, an exhausted deadline budget.
func OnRejected(err error) bool {
	return errors.Is(err, resilience.ErrRejected)
}

// OnTimeout reports whether the call ran out of time: the error matches
// context.DeadlineExceeded, or an error in its chain has a Timeout() method
// that returns true (net.Error, os.ErrDeadlineExceeded).
func OnTimeout(err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || walk(err, isTimeout)
}

// OnNetwork reports whether the call failed in the network: the chain holds
// a net.Error (an *net.OpError, *net.DNSError, ...; the *url.Error that
// wraps every net/http client error does not count by itself), one of the
// connection errnos ECONNREFUSED, ECONNRESET, ECONNABORTED, EPIPE,
// EHOSTUNREACH, ENETUNREACH, or a connection cut short (net.ErrClosed,
// io.ErrUnexpectedEOF, or io.EOF inside a *url.Error).
func OnNetwork(err error) bool {
	if errors.Is(err, context.Canceled) {
		return false
	}
	return walk(err, isNetwork) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrUnexpectedEOF) ||
		(errors.Is(err, io.EOF) && walk(err, isURLError))
}

// StatusCoder is implemented by errors that carry an HTTP status code.
// OnUnavailable also accepts the method name HTTPStatus.
type StatusCoder interface {
	StatusCode() int
}

type httpStatuser interface {
	HTTPStatus() int
}

// OnUnavailable reports whether the dependency answered that it is
// unavailable: an error in the chain carries HTTP status 502 Bad Gateway,
// 503 Service Unavailable or 504 Gateway Timeout, through a StatusCode() int
// or HTTPStatus() int method.
func OnUnavailable(err error) bool {
	return walk(err, isUnavailable)
}

// OnTransient is the default condition: the error is one that a degraded
// answer should cover, because the dependency is (for now) unreachable or
// refusing, not because the request was wrong. It is OnRejected, OnTimeout,
// OnNetwork or OnUnavailable, and never a cancellation by the caller
// (context.Canceled). Unknown errors, business validation errors among
// them, are not transient.
func OnTransient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	return OnRejected(err) || OnTimeout(err) || OnNetwork(err) || OnUnavailable(err)
}

// OnAny handles every error. Errors that the chain's Classifier counts as
// successes (business errors marked with resilience.MarkSuccess) are still
// never handled: no condition can hide them.
func OnAny(err error) bool { return err != nil }

// OnErrorIs returns a condition that holds when errors.Is(err, target) for
// one of targets.
func OnErrorIs(targets ...error) func(error) bool {
	targets = append([]error(nil), targets...)
	return func(err error) bool {
		for _, t := range targets {
			if errors.Is(err, t) {
				return true
			}
		}
		return false
	}
}

// AnyOf returns a condition that holds when one of conds holds.
func AnyOf(conds ...func(error) bool) func(error) bool {
	conds = append([]func(error) bool(nil), conds...)
	return func(err error) bool {
		for _, c := range conds {
			if c != nil && c(err) {
				return true
			}
		}
		return false
	}
}

// walk reports whether f holds for err or any error in its chain.
func walk(err error, f func(error) bool) bool {
	for err != nil {
		if f(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if walk(e, f) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

func isTimeout(err error) bool {
	t, ok := err.(interface{ Timeout() bool })
	return ok && t.Timeout()
}

func isURLError(err error) bool {
	_, ok := err.(*url.Error)
	return ok
}

func isNetwork(err error) bool {
	switch e := err.(type) {
	case *url.Error:
		return false // a wrapper around every net/http client error
	case syscall.Errno:
		// Errno implements net.Error too, so check the list before that.
		switch e {
		case syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE,
			syscall.EHOSTUNREACH, syscall.ENETUNREACH:
			return true
		}
		return false
	case net.Error:
		return err != context.DeadlineExceeded // which implements net.Error too
	}
	return false
}

func isUnavailable(err error) bool {
	code := 0
	switch s := err.(type) {
	case StatusCoder:
		code = s.StatusCode()
	case httpStatuser:
		code = s.HTTPStatus()
	default:
		return false
	}
	return code == 502 || code == 503 || code == 504
}
