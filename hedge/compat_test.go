package hedge_test

import (
	"github.com/resilience-go/resilience/hedge"
	"github.com/resilience-go/resilience/retry"
)

// The retry package's budget is the one hedges are meant to share.
var _ hedge.Budget = (*retry.Budget)(nil)
