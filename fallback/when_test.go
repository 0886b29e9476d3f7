package fallback_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/fallback"
	"github.com/resilience-go/resilience/timeout"
)

type statusErr int

func (e statusErr) Error() string   { return fmt.Sprintf("status %d", int(e)) }
func (e statusErr) StatusCode() int { return int(e) }

type httpStatusErr int

func (e httpStatusErr) Error() string   { return fmt.Sprintf("http status %d", int(e)) }
func (e httpStatusErr) HTTPStatus() int { return int(e) }

var errValidation = errors.New("invalid email address")

// refusedDialError returns the error of a real dial to a closed loopback
// port.
func refusedDialError(t *testing.T) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	conn, err := net.Dial("tcp", addr)
	if err == nil {
		conn.Close()
		t.Skip("dial to a closed port succeeded")
	}
	return err
}

func TestConditions(t *testing.T) {
	type verdict struct{ rejected, timeout, network, unavailable, transient bool }
	tests := []struct {
		name string
		err  error
		want verdict
	}{
		{"rejected", fmt.Errorf("breaker: %w", resilience.ErrRejected), verdict{rejected: true, transient: true}},
		{"deadline", context.DeadlineExceeded, verdict{timeout: true, transient: true}},
		{"wrapped-deadline", fmt.Errorf("call: %w", context.DeadlineExceeded), verdict{timeout: true, transient: true}},
		{"timeout-package", timeout.ErrTimeout, verdict{timeout: true, transient: true}},
		{"os-deadline", os.ErrDeadlineExceeded, verdict{timeout: true, network: true, transient: true}},
		{"real-dial-refused", refusedDialError(t), verdict{network: true, transient: true}},
		{"errno-reset", &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}, verdict{network: true, transient: true}},
		{"errno-other", &os.SyscallError{Syscall: "open", Err: syscall.ENOENT}, verdict{}},
		{"url-eof", &url.Error{Op: "Get", URL: "http://x", Err: io.EOF}, verdict{network: true, transient: true}},
		{"url-deadline", &url.Error{Op: "Get", URL: "http://x", Err: context.DeadlineExceeded}, verdict{timeout: true, transient: true}},
		{"url-canceled", &url.Error{Op: "Get", URL: "http://x", Err: context.Canceled}, verdict{}},
		{"url-other", &url.Error{Op: "Get", URL: "http://x", Err: errors.New("unsupported protocol scheme")}, verdict{}},
		{"bare-eof", io.EOF, verdict{}},
		{"unexpected-eof", fmt.Errorf("body: %w", io.ErrUnexpectedEOF), verdict{network: true, transient: true}},
		{"closed", net.ErrClosed, verdict{network: true, transient: true}},
		{"503", statusErr(503), verdict{unavailable: true, transient: true}},
		{"502-http-status", fmt.Errorf("upstream: %w", httpStatusErr(502)), verdict{unavailable: true, transient: true}},
		{"504", statusErr(504), verdict{unavailable: true, transient: true}},
		{"500", statusErr(500), verdict{}},
		{"400", statusErr(400), verdict{}},
		{"business", errValidation, verdict{}},
		{"canceled", context.Canceled, verdict{}},
		{"joined", errors.Join(errValidation, statusErr(503)), verdict{unavailable: true, transient: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := verdict{
				rejected:    fallback.OnRejected(tt.err),
				timeout:     fallback.OnTimeout(tt.err),
				network:     fallback.OnNetwork(tt.err),
				unavailable: fallback.OnUnavailable(tt.err),
				transient:   fallback.OnTransient(tt.err),
			}
			if got != tt.want {
				t.Errorf("conditions(%v) = %+v want %+v", tt.err, got, tt.want)
			}
			if !fallback.OnAny(tt.err) {
				t.Errorf("OnAny(%v) = false want true", tt.err)
			}
		})
	}
	if fallback.OnAny(nil) || fallback.OnTransient(nil) {
		t.Errorf("OnAny(nil) or OnTransient(nil) = true want false")
	}
	is := fallback.OnErrorIs(io.EOF, errValidation)
	if !is(fmt.Errorf("x: %w", errValidation)) || is(context.Canceled) {
		t.Errorf("OnErrorIs(io.EOF, errValidation) matched wrongly")
	}
	any := fallback.AnyOf(nil, fallback.OnTimeout, fallback.OnErrorIs(errValidation))
	if !any(errValidation) || !any(context.DeadlineExceeded) || any(io.EOF) {
		t.Errorf("AnyOf(nil, OnTimeout, OnErrorIs(errValidation)) matched wrongly")
	}
}
