package slogx

import (
	"log/slog"
	"strconv"

	"github.com/resilience-go/resilience"
)

// DefaultLevel is the level of each kind of event:
//
//   - Error: EventPanic.
//   - Warn: EventRejected, EventExhausted, EventTimeout, EventFallback,
//     and EventStateChange into "open", "forced_open" or "fallback" (a
//     breaker opening, a distributed limiter falling back to local).
//   - Info: other state changes, EventShadowRejected, EventRetry,
//     EventRetrySkipped, EventFault.
//   - Debug: EventSuccess, EventFailure, EventHedge, unknown kinds, and
//     state changes between two numbers (an adaptive limit moving).
func DefaultLevel(e resilience.Event) slog.Level {
	switch e.Kind {
	case resilience.EventPanic:
		return slog.LevelError
	case resilience.EventRejected, resilience.EventExhausted, resilience.EventTimeout, resilience.EventFallback:
		return slog.LevelWarn
	case resilience.EventStateChange:
		switch e.To {
		case "open", "forced_open", "fallback":
			return slog.LevelWarn
		}
		if isNumber(e.From) && isNumber(e.To) {
			return slog.LevelDebug
		}
		return slog.LevelInfo
	case resilience.EventShadowRejected, resilience.EventRetry, resilience.EventRetrySkipped, resilience.EventFault:
		return slog.LevelInfo
	}
	return slog.LevelDebug
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}
