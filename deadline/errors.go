package deadline

import (
	"errors"
	"fmt"

	"github.com/resilience-go/resilience"
)

// ErrBudgetExhausted is returned when too little time is left for a call to
// be worth making: on the client, the budget left for the next hop after the
// per-hop decay is below Config.Floor; on the server, the budget a request
// arrived with is below ServerConfig.Min (or zero). The call was not made,
// so the error matches resilience.ErrRejected: fail fast or serve a
// fallback, do not retry.
var ErrBudgetExhausted = fmt.Errorf("deadline: budget exhausted: %w", resilience.ErrRejected)

// ErrTooManyHops is returned when a request has already travelled more
// hops than MaxHops allows, which usually means a routing loop. The call
// was not made, so the error matches resilience.ErrRejected. Fix the
// routing, or raise MaxHops if the call graph really is that deep.
var ErrTooManyHops = fmt.Errorf("deadline: too many hops: %w", resilience.ErrRejected)

// ErrMalformed is returned by the parsers for a value that does not follow
// its format. Servers ignore such values (the default budget applies) and
// count them in Stats; they never fail a request because of one.
var ErrMalformed = errors.New("deadline: malformed value")
