package ratelimit

import (
	"time"

	"github.com/resilience-go/resilience"
)

// reporter turns refusals into events and into the answer of Allow.
type reporter struct {
	listener resilience.Listener
	name     string
	shadow   bool
}

// refused reports a refusal whose retry is wait nanoseconds away and
// returns what Allow returns for it: false, or true in shadow mode. With
// no listener it costs one comparison.
func (r *reporter) refused(wait int64) bool {
	if r.listener != nil {
		r.emit(wait)
	}
	return r.shadow
}

func (r *reporter) emit(wait int64) {
	kind := resilience.EventRejected
	if r.shadow {
		kind = resilience.EventShadowRejected
	}
	r.listener.OnEvent(resilience.Event{
		Kind:   kind,
		Policy: policyName,
		Name:   r.name,
		Delay:  time.Duration(wait),
		Err:    ErrLimited,
	})
}
