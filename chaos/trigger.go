package chaos

import (
	"context"
	"strings"
)

type triggerKey struct{}

// WithFault returns a context that forces the named faults on every call
// made with it, on any enabled injector that has faults of those names,
// regardless of their Probability, Schedule and Header. Tests and
// game-day tooling use it to make one specific call fail.
func WithFault(ctx context.Context, names ...string) context.Context {
	if len(names) == 0 {
		return ctx
	}
	prev := FaultsFromContext(ctx)
	all := make([]string, 0, len(prev)+len(names))
	all = append(append(all, prev...), names...)
	return context.WithValue(ctx, triggerKey{}, all)
}

// FaultsFromContext returns the fault names WithFault put in ctx.
func FaultsFromContext(ctx context.Context) []string {
	names, _ := ctx.Value(triggerKey{}).([]string)
	return names
}

// listContains reports whether the comma-separated list holds name, without
// allocating. Spaces around the items are ignored.
func listContains(list, name string) bool {
	for list != "" {
		item := list
		if i := strings.IndexByte(list, ','); i >= 0 {
			item, list = list[:i], list[i+1:]
		} else {
			list = ""
		}
		if strings.TrimSpace(item) == name {
			return true
		}
	}
	return false
}

// headerNames splits trigger header values into names, for WithFault.
func headerNames(values []string) []string {
	var names []string
	for _, v := range values {
		for item := range strings.SplitSeq(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				names = append(names, item)
			}
		}
	}
	return names
}
