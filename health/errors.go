package health

import "errors"

// ErrTimeout is the error recorded for a check that did not finish within
// its Timeout. Its function keeps running until it returns; its context is
// cancelled.
var ErrTimeout = errors.New("health: check timed out")

// ErrShuttingDown is the error of the "shutdown" readiness check once
// Shutdown was called: the process is draining and takes no new traffic.
var ErrShuttingDown = errors.New("health: shutting down")

// ErrNotReady is the error of the "shutdown" readiness check while
// SetReady(false) is in force.
var ErrNotReady = errors.New("health: marked not ready")

// ErrStarting is the error of the "startup" check until MarkStarted.
var ErrStarting = errors.New("health: starting")

// ErrPanicked is the error recorded for a check whose function panicked.
var ErrPanicked = errors.New("health: check panicked")
