package adaptive

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Priority is how important a call is, for shedding under overload: when
// the limit is nearly reached, lower priorities are refused first. The zero
// value is PriorityNormal. Callers attach it to a context with WithPriority;
// HTTP and gRPC adapters read it from a header or metadata with
// ParsePriority.
type Priority int8

// The priorities, least important first.
const (
	// PrioritySheddable is work that may be dropped first: prefetches,
	// batch jobs, retries of best-effort calls.
	PrioritySheddable Priority = -2
	// PriorityLow is work that may wait or fail without a user noticing
	// at once.
	PriorityLow Priority = -1
	// PriorityNormal is the default.
	PriorityNormal Priority = 0
	// PriorityHigh is work a user is waiting for.
	PriorityHigh Priority = 1
	// PriorityCritical is work that must get through while anything does:
	// health checks, payments, control-plane calls.
	PriorityCritical Priority = 2
)

// NumPriorities is the number of priority levels.
const NumPriorities = 5

// Index maps p to 0 (sheddable) through NumPriorities-1 (critical), for
// indexing per-priority arrays. Out-of-range values are clamped.
func (p Priority) Index() int {
	return int(p.clamp() - PrioritySheddable)
}

func (p Priority) clamp() Priority {
	return min(max(p, PrioritySheddable), PriorityCritical)
}

var priorityNames = [NumPriorities]string{"sheddable", "low", "normal", "high", "critical"}

// String returns the priority's name: "sheddable", "low", "normal", "high"
// or "critical"; an out-of-range value prints as its number.
func (p Priority) String() string {
	if p < PrioritySheddable || p > PriorityCritical {
		return "priority(" + strconv.Itoa(int(p)) + ")"
	}
	return priorityNames[p.Index()]
}

// ParsePriority reads a priority from a header or metadata value: one of
// the names String returns, in any case and with surrounding spaces, or its
// number from -2 to 2. Two more of Google's criticality names are
// accepted (CRITICAL and SHEDDABLE already are names): CRITICAL_PLUS is
// critical and SHEDDABLE_PLUS is low. Anything else is an error matching
// ErrInvalidPriority; adapters then use PriorityNormal.
func ParsePriority(s string) (Priority, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	for i, name := range priorityNames {
		if t == name {
			return Priority(i) + PrioritySheddable, nil
		}
	}
	switch t {
	case "critical_plus":
		return PriorityCritical, nil
	case "sheddable_plus":
		return PriorityLow, nil
	case "-2", "-1", "0", "1", "2", "+1", "+2":
		n, _ := strconv.Atoi(t)
		return Priority(n), nil
	}
	if len(s) > 32 {
		s = s[:32] + "..."
	}
	return PriorityNormal, fmt.Errorf("%w %q: want sheddable, low, normal, high or critical", ErrInvalidPriority, s)
}

// MarshalText encodes p as its name, for YAML and JSON.
func (p Priority) MarshalText() ([]byte, error) {
	if p < PrioritySheddable || p > PriorityCritical {
		return nil, fmt.Errorf("%w %d", ErrInvalidPriority, int(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText decodes what ParsePriority accepts.
func (p *Priority) UnmarshalText(b []byte) error {
	v, err := ParsePriority(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

type priorityKey struct{}

// WithPriority returns a context carrying p, read by Limiter.Acquire and
// Shedder.Acquire.
func WithPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, priorityKey{}, p)
}

// PriorityFromContext returns the priority carried by ctx, or
// PriorityNormal when it carries none.
func PriorityFromContext(ctx context.Context) Priority {
	if p, ok := ctx.Value(priorityKey{}).(Priority); ok {
		return p
	}
	return PriorityNormal
}
