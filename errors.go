package resilience

import "errors"

// ErrRejected is matched, through errors.Is, by every error a policy returns
// when it refused a call without running it: an open circuit breaker, an
// exhausted rate limit, a full bulkhead, a shed request. The call had no
// effect on the dependency, so it is always safe to try again later or to
// serve a fallback.
var ErrRejected = errors.New("resilience: call rejected")

// ErrPanicked is the error that guards record as the outcome of a call that
// panicked. The panic itself is propagated unchanged to the caller.
var ErrPanicked = errors.New("resilience: call panicked")

// ErrUnknownPolicy is returned by NewPipeline for a value that implements
// none of the policy interfaces.
var ErrUnknownPolicy = errors.New("resilience: value is not a policy")
