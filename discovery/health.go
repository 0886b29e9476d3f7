package discovery

import "strconv"

// Health is what is known about an instance's ability to serve. The zero
// value is Unknown, which callers treat as usable: nothing speaks against
// the instance.
type Health uint8

// The health states.
const (
	// Unknown: no health information; the instance is presumed usable.
	Unknown Health = iota
	// Healthy: a check or the registry says the instance serves.
	Healthy
	// Unhealthy: a check or the registry says the instance does not serve;
	// balancers skip it and Hybrid falls back to the registry.
	Unhealthy
)

var healthNames = [...]string{Unknown: "unknown", Healthy: "healthy", Unhealthy: "unhealthy"}

// String returns "unknown", "healthy" or "unhealthy" ("health(N)" for an
// invalid value).
func (h Health) String() string {
	if int(h) < len(healthNames) {
		return healthNames[h]
	}
	return "health(" + strconv.Itoa(int(h)) + ")"
}

// Usable reports whether the instance may be sent traffic: Healthy or
// Unknown.
func (h Health) Usable() bool { return h == Healthy || h == Unknown }

func (h Health) valid() bool { return int(h) < len(healthNames) }

// ParseHealth parses "unknown", "healthy" or "unhealthy"; the empty string
// is Unknown. Anything else is an error matching ErrInvalidHealth.
func ParseHealth(s string) (Health, error) {
	switch s {
	case "", "unknown":
		return Unknown, nil
	case "healthy":
		return Healthy, nil
	case "unhealthy":
		return Unhealthy, nil
	}
	return Unknown, invalidf(ErrInvalidHealth, "health %q must be unknown, healthy or unhealthy", s)
}

// MarshalText encodes the health's name, so JSON and YAML carry
// "healthy" rather than a number.
func (h Health) MarshalText() ([]byte, error) {
	if !h.valid() {
		return nil, invalidf(ErrInvalidHealth, "health %d must be unknown, healthy or unhealthy", h)
	}
	return []byte(healthNames[h]), nil
}

// UnmarshalText decodes a name accepted by ParseHealth.
func (h *Health) UnmarshalText(b []byte) error {
	v, err := ParseHealth(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}
