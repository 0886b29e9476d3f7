package chaos

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/resilience-go/resilience/errcode"
)

// ErrInvalidConfig is matched by the errors of Validate, New and SetFaults;
// the message names the offending field, e.g.
// "chaos: Faults[1].Probability 1.5 must be in [0,1]".
var ErrInvalidConfig = errors.New("chaos: invalid config")

type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }
func (e *configError) Unwrap() error { return ErrInvalidConfig }

func invalid(format string, args ...any) error {
	return &configError{msg: "chaos: " + fmt.Sprintf(format, args...)}
}

// Validate reports the first invalid field of c.
func (c Config) Validate() error {
	if c.TriggerHeader != "" && c.TriggerHeader != "-" && !validHeaderName(c.TriggerHeader) {
		return invalid("TriggerHeader %q is not a valid header name", c.TriggerHeader)
	}
	_, err := compileFaults(c.Faults)
	return err
}

// compileFaults validates faults and returns them with their defaults
// filled in.
func compileFaults(faults []Fault) ([]Fault, error) {
	out := make([]Fault, len(faults))
	seen := make(map[string]int, len(faults))
	for i, f := range faults {
		if err := f.validate(i); err != nil {
			return nil, err
		}
		f = f.withDefaults(i)
		if j, dup := seen[f.Name]; dup {
			return nil, invalid("Faults[%d].Name %q duplicates Faults[%d]", i, f.Name, j)
		}
		seen[f.Name] = i
		out[i] = f
	}
	return out, nil
}

func (f Fault) validate(i int) error {
	field := func(name string) string { return "Faults[" + strconv.Itoa(i) + "]." + name }
	switch f.Kind {
	case KindLatency, KindError, KindAbort:
	default:
		return invalid("%s %q must be latency, error or abort", field("Kind"), string(f.Kind))
	}
	if !(f.Probability >= 0 && f.Probability <= 1) { // NaN fails both
		return invalid("%s %v must be in [0,1]", field("Probability"), f.Probability)
	}
	switch {
	case f.Latency < 0:
		return invalid("%s %v must be >= 0", field("Latency"), f.Latency)
	case f.Jitter < 0:
		return invalid("%s %v must be >= 0", field("Jitter"), f.Jitter)
	case f.Jitter > math.MaxInt64-f.Latency:
		return invalid("%s %v plus Latency %v overflows", field("Jitter"), f.Jitter, f.Latency)
	case f.HTTPStatus != 0 && (f.HTTPStatus < 100 || f.HTTPStatus > 599):
		return invalid("%s %d must be in 100..599", field("HTTPStatus"), f.HTTPStatus)
	case f.GRPCCode > uint32(errcode.MaxGRPCCode):
		return invalid("%s %d must be <= 16", field("GRPCCode"), f.GRPCCode)
	case f.Header != "" && !validHeaderName(f.Header):
		return invalid("%s %q is not a valid header name", field("Header"), f.Header)
	}
	if f.Kind == KindLatency {
		switch {
		case f.Latency == 0:
			return invalid("%s 0s must be > 0 for a latency fault", field("Latency"))
		case f.HTTPStatus != 0:
			return invalid("%s %d applies only to error and abort faults", field("HTTPStatus"), f.HTTPStatus)
		case f.GRPCCode != 0:
			return invalid("%s %d applies only to error and abort faults", field("GRPCCode"), f.GRPCCode)
		}
	} else {
		switch {
		case f.Latency != 0:
			return invalid("%s %v applies only to latency faults", field("Latency"), f.Latency)
		case f.Jitter != 0:
			return invalid("%s %v applies only to latency faults", field("Jitter"), f.Jitter)
		case f.Kind == KindAbort && f.HTTPStatus == 0 && f.GRPCCode == 0:
			return invalid("Faults[%d] of kind abort needs HTTPStatus or GRPCCode", i)
		}
	}
	return f.Schedule.validate(field("Schedule."))
}

func (s Schedule) validate(prefix string) error {
	switch {
	case s.From < 0:
		return invalid("%sFrom %v must be >= 0", prefix, s.From)
	case s.Until < 0:
		return invalid("%sUntil %v must be >= 0", prefix, s.Until)
	case s.Until > 0 && s.Until <= s.From:
		return invalid("%sUntil %v must be after From %v", prefix, s.Until, s.From)
	case s.Every < 0:
		return invalid("%sEvery %v must be >= 0", prefix, s.Every)
	case s.For < 0:
		return invalid("%sFor %v must be >= 0", prefix, s.For)
	case s.Every == 0 && s.For != 0:
		return invalid("%sFor %v needs Every", prefix, s.For)
	case s.Every > 0 && s.For == 0:
		return invalid("%sFor 0s must be > 0 when Every is set", prefix)
	case s.For > s.Every:
		return invalid("%sFor %v must be <= Every %v", prefix, s.For, s.Every)
	}
	return nil
}

// withDefaults fills in the name and the statuses of a valid fault.
func (f Fault) withDefaults(i int) Fault {
	if f.Name == "" {
		f.Name = string(f.Kind) + "-" + strconv.Itoa(i)
	}
	if f.Kind == KindLatency {
		return f
	}
	if f.Kind == KindError && f.HTTPStatus == 0 && f.GRPCCode == 0 {
		f.HTTPStatus, f.GRPCCode = 503, uint32(errcode.GRPCUnavailable)
	}
	if f.HTTPStatus == 0 {
		f.HTTPStatus = errcode.HTTPStatusFor(errcode.GRPCCode(f.GRPCCode))
	}
	if f.GRPCCode == 0 {
		f.GRPCCode = uint32(errcode.GRPCCodeFor(f.HTTPStatus))
	}
	return f
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '!' || c == '#' || c == '$' || c == '%' || c == '&' || c == '\'' || c == '*' ||
			c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' || c == '~':
		default:
			return false
		}
	}
	return true
}
