package redisrate

import "fmt"

// FailureMode says how a Limiter decides while Redis cannot.
type FailureMode uint8

const (
	// FailLocal limits each process on its own, at Rate/ExpectedInstances
	// per key with Burst/ExpectedInstances (rounded up, at least 1), so the
	// instances together stay near the shared limit. The default.
	FailLocal FailureMode = iota
	// FailOpen admits every event: availability over the limit.
	FailOpen
	// FailClosed refuses every event with ErrUnavailable: the limit over
	// availability.
	FailClosed
)

var modeNames = [...]string{FailLocal: "local", FailOpen: "open", FailClosed: "closed"}

// String returns "local", "open" or "closed".
func (m FailureMode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("FailureMode(%d)", uint8(m))
}

// MarshalText implements encoding.TextMarshaler.
func (m FailureMode) MarshalText() ([]byte, error) {
	if int(m) >= len(modeNames) {
		return nil, fmt.Errorf("redisrate: unknown FailureMode %d", uint8(m))
	}
	return []byte(modeNames[m]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it accepts "local"
// (or ""), "open" and "closed".
func (m *FailureMode) UnmarshalText(b []byte) error {
	switch string(b) {
	case "local", "":
		*m = FailLocal
	case "open":
		*m = FailOpen
	case "closed":
		*m = FailClosed
	default:
		return fmt.Errorf("redisrate: unknown FailureMode %q (want local, open or closed)", b)
	}
	return nil
}
