package circuitbreaker

import "fmt"

// State is the state of a Breaker.
type State uint8

// The states of a Breaker. Closed, Open and HalfOpen form the automatic
// state machine; ForcedOpen, Disabled and MetricsOnly are entered and left
// only by the operator (ForceOpen, Disable, MetricsOnly, Reset).
const (
	// StateClosed admits every call and counts outcomes.
	StateClosed State = iota
	// StateOpen rejects every call with ErrOpen until the open wait ends.
	StateOpen
	// StateHalfOpen admits HalfOpenProbes probe calls to test recovery.
	StateHalfOpen
	// StateForcedOpen rejects every call with ErrOpen until Reset.
	StateForcedOpen
	// StateDisabled admits every call and records nothing.
	StateDisabled
	// StateMetricsOnly admits every call and records outcomes, but never
	// trips.
	StateMetricsOnly
)

var stateNames = [...]string{
	StateClosed:      "closed",
	StateOpen:        "open",
	StateHalfOpen:    "half_open",
	StateForcedOpen:  "forced_open",
	StateDisabled:    "disabled",
	StateMetricsOnly: "metrics_only",
}

// String returns the state's snake_case name, e.g. "half_open".
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// MarshalText implements encoding.TextMarshaler.
func (s State) MarshalText() ([]byte, error) {
	if int(s) >= len(stateNames) {
		return nil, fmt.Errorf("circuitbreaker: unknown State %d", uint8(s))
	}
	return []byte(s.String()), nil
}

// Mode selects the breaker's algorithm.
type Mode uint8

const (
	// ModeStandard is the closed / open / half-open state machine.
	ModeStandard Mode = iota
	// ModeAdaptive is Google SRE client-side throttling: calls are rejected
	// with a probability that grows as the dependency accepts fewer than
	// 1/K of the requests sent to it.
	ModeAdaptive
)

var modeNames = [...]string{ModeStandard: "standard", ModeAdaptive: "adaptive"}

// String returns "standard" or "adaptive".
func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// MarshalText implements encoding.TextMarshaler.
func (m Mode) MarshalText() ([]byte, error) {
	if int(m) >= len(modeNames) {
		return nil, fmt.Errorf("circuitbreaker: unknown Mode %d", uint8(m))
	}
	return []byte(modeNames[m]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it accepts "standard"
// (or "") and "adaptive".
func (m *Mode) UnmarshalText(b []byte) error {
	switch string(b) {
	case "standard", "":
		*m = ModeStandard
	case "adaptive":
		*m = ModeAdaptive
	default:
		return fmt.Errorf("circuitbreaker: unknown Mode %q (want standard or adaptive)", b)
	}
	return nil
}

// WindowType selects how the sliding window of outcomes is measured.
type WindowType uint8

const (
	// WindowCount counts the last WindowSize calls.
	WindowCount WindowType = iota
	// WindowTime counts the calls of the last WindowDuration.
	WindowTime
)

var windowTypeNames = [...]string{WindowCount: "count", WindowTime: "time"}

// String returns "count" or "time".
func (w WindowType) String() string {
	if int(w) < len(windowTypeNames) {
		return windowTypeNames[w]
	}
	return fmt.Sprintf("WindowType(%d)", uint8(w))
}

// MarshalText implements encoding.TextMarshaler.
func (w WindowType) MarshalText() ([]byte, error) {
	if int(w) >= len(windowTypeNames) {
		return nil, fmt.Errorf("circuitbreaker: unknown WindowType %d", uint8(w))
	}
	return []byte(windowTypeNames[w]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; it accepts "count"
// (or "") and "time".
func (w *WindowType) UnmarshalText(b []byte) error {
	switch string(b) {
	case "count", "":
		*w = WindowCount
	case "time":
		*w = WindowTime
	default:
		return fmt.Errorf("circuitbreaker: unknown WindowType %q (want count or time)", b)
	}
	return nil
}
