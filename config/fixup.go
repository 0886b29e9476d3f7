package config

import (
	"reflect"

	"github.com/resilience-go/resilience/adaptive"
	"github.com/resilience-go/resilience/deadline"
	"github.com/resilience-go/resilience/fallback"
	"github.com/resilience-go/resilience/hedge"
	"github.com/resilience-go/resilience/retry"
)

// fixups correct, after a block is decoded onto its DefaultConfig, the
// defaults that depend on other fields. DefaultConfig spells them out for
// the other fields' defaults; a file that changes those fields but not the
// dependent one means the dependent default, not the stale spelled-out
// value, so the field is set back to zero, which each package documents
// as "derived from the others". Without this, "max_limit: 10" alone would
// keep DefaultConfig's initial_limit of 20 and fail validation. written
// holds the keys the file sets in the block.
var fixups = map[reflect.Type]func(v reflect.Value, written map[string]bool){
	reflect.TypeFor[hedge.Config](): fixup(func(c *hedge.Config, w map[string]bool) {
		if w["delay"] && !w["percentile"] {
			c.Percentile = 0 // a fixed delay replaces the learnt one
		}
		if !w["min_samples"] {
			c.MinSamples = 0 // 20, or Window when smaller
		}
	}),
	reflect.TypeFor[retry.BackoffConfig](): fixup(func(c *retry.BackoffConfig, w map[string]bool) {
		if !w["max"] {
			c.Max = 0 // 10s, or Initial when larger
		}
	}),
	reflect.TypeFor[fallback.CacheConfig](): fixup(func(c *fallback.CacheConfig, w map[string]bool) {
		if !w["stale_ttl"] {
			c.StaleTTL = 0 // ten times TTL
		}
	}),
	reflect.TypeFor[adaptive.Config](): fixup(func(c *adaptive.Config, w map[string]bool) {
		if !w["initial_limit"] {
			c.InitialLimit = 0 // 20, or MinLimit when larger
		}
	}),
	reflect.TypeFor[adaptive.ShedderConfig](): fixup(func(c *adaptive.ShedderConfig, w map[string]bool) {
		if !w["initial_limit"] {
			c.InitialLimit = 0 // 100, or MinLimit when larger
		}
	}),
	reflect.TypeFor[deadline.ServerConfig](): fixup(func(c *deadline.ServerConfig, w map[string]bool) {
		if !w["default"] {
			c.Default = 0 // Max
		}
	}),
	reflect.TypeFor[HealthCheck](): fixup(func(c *HealthCheck, w map[string]bool) {
		if c.Protocol == "tcp" && !w["path"] {
			c.Path = "" // no path to probe
		}
	}),
}

func fixup[T any](f func(*T, map[string]bool)) func(reflect.Value, map[string]bool) {
	return func(v reflect.Value, w map[string]bool) { f(v.Addr().Interface().(*T), w) }
}

// applyFixup runs the fixup of v's type, if any.
func applyFixup(v reflect.Value, written map[string]bool) {
	if f := fixups[v.Type()]; f != nil {
		f(v, written)
	}
}
