package resilience

import "time"

// EventKind says what happened in a policy.
type EventKind uint8

// The kinds of Event. Each policy documents which kinds it reports.
const (
	// EventSuccess: a call finished and counted as a success.
	EventSuccess EventKind = iota + 1
	// EventFailure: a call finished and counted as a failure.
	EventFailure
	// EventRejected: the policy refused a call without running it.
	EventRejected
	// EventShadowRejected: a policy in shadow mode would have refused the
	// call but let it through.
	EventShadowRejected
	// EventStateChange: the policy moved from state From to state To.
	EventStateChange
	// EventRetry: another attempt starts after Delay.
	EventRetry
	// EventRetrySkipped: a retry or hedge was not started, for example
	// because the caller's remaining deadline was too short or the retry
	// budget was spent.
	EventRetrySkipped
	// EventExhausted: the retries are used up.
	EventExhausted
	// EventTimeout: the call ran out of its time bound.
	EventTimeout
	// EventFallback: a fallback served the result, which is degraded.
	EventFallback
	// EventHedge: an extra, hedged attempt started.
	EventHedge
	// EventFault: fault injection changed the call.
	EventFault
	// EventPanic: the call panicked; the panic was recorded and propagated.
	EventPanic
)

var eventKindNames = [...]string{
	EventSuccess:        "success",
	EventFailure:        "failure",
	EventRejected:       "rejected",
	EventShadowRejected: "shadow_rejected",
	EventStateChange:    "state_change",
	EventRetry:          "retry",
	EventRetrySkipped:   "retry_skipped",
	EventExhausted:      "exhausted",
	EventTimeout:        "timeout",
	EventFallback:       "fallback",
	EventHedge:          "hedge",
	EventFault:          "fault",
	EventPanic:          "panic",
}

// String returns the kind's snake_case name, suitable as a metric label.
func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && eventKindNames[k] != "" {
		return eventKindNames[k]
	}
	return "unknown"
}

// Event is one observation reported by a policy. Fields that do not apply to
// a kind are zero. Events are passed by value, so reporting one allocates
// nothing.
type Event struct {
	// Kind says what happened.
	Kind EventKind
	// Policy is the reporting policy's kind, e.g. "circuitbreaker".
	Policy string
	// Name is the policy instance's configured name.
	Name string
	// From and To are the states of an EventStateChange.
	From, To string
	// Latency is how long the call ran, where measured.
	Latency time.Duration
	// Delay is the wait before a retry or hedge, or before a rejected caller
	// should try again.
	Delay time.Duration
	// Attempt is the 1-based attempt number, for retries and hedges.
	Attempt int
	// Err is the error involved, if any.
	Err error
	// Detail is a short free-form explanation, e.g. which fallback step
	// served or why a retry was skipped.
	Detail string
}

// A Listener receives a policy's events. Policies call OnEvent
// synchronously, never while holding a lock, from whichever goroutine made
// the call, so OnEvent must be fast and safe for concurrent use.
type Listener interface {
	OnEvent(Event)
}

// ListenerFunc adapts a function to a Listener.
type ListenerFunc func(Event)

// OnEvent calls f(e).
func (f ListenerFunc) OnEvent(e Event) { f(e) }

// Listeners fans events out to every non-nil listener, in order. It returns
// nil when none is left, so a policy keeps its zero-cost path.
func Listeners(ls ...Listener) Listener {
	var kept multiListener
	for _, l := range ls {
		if l != nil {
			kept = append(kept, l)
		}
	}
	switch len(kept) {
	case 0:
		return nil
	case 1:
		return kept[0]
	}
	return kept
}

type multiListener []Listener

func (m multiListener) OnEvent(e Event) {
	for _, l := range m {
		l.OnEvent(e)
	}
}
