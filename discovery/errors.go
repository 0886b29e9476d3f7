package discovery

import (
	"context"
	"errors"
	"fmt"
)

// ErrInvalidInstance is matched by every error that rejects a malformed
// instance or endpoint: fix the input, retrying will not help. The more
// precise sentinels below wrap it.
var ErrInvalidInstance = errors.New("discovery: invalid instance")

// ErrInvalidID is returned for an empty instance ID or service name, or one
// that holds a '/', whitespace or a control character (IDs and service
// names become registry keys). It matches ErrInvalidInstance.
var ErrInvalidID = fmt.Errorf("discovery: invalid id: %w", ErrInvalidInstance)

// ErrInvalidAddress is returned for an address that is neither an IP address
// nor a host name, and for a host:port string that does not parse. It
// matches ErrInvalidInstance.
var ErrInvalidAddress = fmt.Errorf("discovery: invalid address: %w", ErrInvalidInstance)

// ErrInvalidPort is returned for a port outside 1-65535 or not a number. It
// matches ErrInvalidInstance.
var ErrInvalidPort = fmt.Errorf("discovery: invalid port: %w", ErrInvalidInstance)

// ErrInvalidWeight is returned for a weight below zero or above MaxWeight,
// and for an explicit weight of zero in JSON or an endpoint spec (leave the
// weight out to get the default, 1). It matches ErrInvalidInstance.
var ErrInvalidWeight = fmt.Errorf("discovery: invalid weight: %w", ErrInvalidInstance)

// ErrInvalidHealth is returned for a Health value or name that is not one
// of Unknown, Healthy and Unhealthy. It matches ErrInvalidInstance.
var ErrInvalidHealth = fmt.Errorf("discovery: invalid health: %w", ErrInvalidInstance)

// ErrDuplicateID is returned when an instance ID is registered, listed or
// configured twice. The first one is kept and nothing else changes; pick
// unique IDs, or Deregister the old instance first.
var ErrDuplicateID = errors.New("discovery: duplicate instance id")

// ErrNotFound is returned by Deregister and SetHealth for an ID that is not
// registered.
var ErrNotFound = errors.New("discovery: instance not found")

// ErrUnknownService is returned by sources bound to one service (Static,
// DNS) when asked about another.
var ErrUnknownService = errors.New("discovery: unknown service")

// ErrClosed is returned by Watcher.Next after the watcher, its source or the
// context given to Watch is done, and by the methods of a closed source.
// Watch again to resume.
var ErrClosed = errors.New("discovery: closed")

// ErrNoInstances is returned when a lookup found no instance where one is
// required: a DNS answer without usable records, an empty static list, a
// cache that has never seen a good set. Instances already known are kept.
var ErrNoInstances = errors.New("discovery: no instances")

// ErrTimeout is returned when a lookup outlasted its time bound (a
// source's Timeout, CacheConfig.Timeout) and no last-known-good set could
// be served. It matches context.DeadlineExceeded.
var ErrTimeout error = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string { return "discovery: lookup timed out" }

// Is matches context.DeadlineExceeded.
func (timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// Timeout reports true, like a net.Error deadline.
func (timeoutError) Timeout() bool { return true }

// invalidError is a validation error with a precise message that matches
// its sentinel.
type invalidError struct {
	msg string
	err error
}

func (e *invalidError) Error() string { return e.msg }
func (e *invalidError) Unwrap() error { return e.err }

func invalidf(sentinel error, format string, args ...any) error {
	return &invalidError{msg: "discovery: " + fmt.Sprintf(format, args...), err: sentinel}
}
