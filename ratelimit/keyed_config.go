package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// DefaultMaxKeys is the MaxKeys used when the field is zero.
const DefaultMaxKeys = 100_000

// DefaultIdleTimeout is the IdleTimeout used when the field is zero.
const DefaultIdleTimeout = time.Minute

// KeyedConfig configures a Keyed limiter: one token bucket per key, all
// with the same rate and burst. The zero KeyedConfig is invalid: Rate is
// required.
type KeyedConfig struct {
	// Name identifies the limiter in events. Empty is allowed.
	Name string `yaml:"name" json:"name"`
	// Rate is how many events each key may have per Per, on average. It
	// must be finite and > 0, as in Config; zero is an error.
	Rate float64 `yaml:"rate" json:"rate"`
	// Per is the period Rate counts over. Zero means one second.
	Per time.Duration `yaml:"per" json:"per"`
	// Burst is how many events a key may have at once. Zero means Rate
	// rounded up, at least 1, as in Config.
	Burst int `yaml:"burst" json:"burst"`
	// MaxKeys bounds how many keys are remembered at once, and so the
	// memory used (under 128 bytes per key; see Keyed). Zero means
	// DefaultMaxKeys (100 000); negative is an error.
	MaxKeys int `yaml:"max_keys" json:"max_keys"`
	// IdleTimeout is how long a key whose bucket is full again (it has
	// nothing left to remember: a full bucket is what a new key gets) is
	// kept before it may be dropped. Keeping it saves re-inserting keys that
	// come back; memory stays bounded by MaxKeys either way, and a full
	// table evicts full buckets first whatever their idle time. Zero means
	// DefaultIdleTimeout (one minute); 1ns drops keys as soon as they are
	// full. Negative is an error.
	IdleTimeout time.Duration `yaml:"idle_timeout" json:"idle_timeout"`
	// RejectNewKeys chooses what happens when a new key arrives and the
	// table is full of keys that cannot be dropped: refuse the new key's
	// events (ErrTooManyKeys), protecting the remembered keys, instead of
	// the default (false) of evicting the remembered key closest to a full
	// bucket, which forgets the least and never refuses a new key but lets
	// an attacker with endless keys shorten others' memory.
	RejectNewKeys bool `yaml:"reject_new_keys" json:"reject_new_keys"`
	// Shadow makes the limiter decide and report EventShadowRejected, but
	// let every call through. Zero (false) enforces the limit.
	Shadow bool `yaml:"shadow" json:"shadow"`
	// KeyFunc gives Acquire the key of a call from its context. Nil means
	// KeyFromContext (set by WithKey).
	KeyFunc func(ctx context.Context) string `yaml:"-" json:"-"`
	// Clock reads time. Nil means the real clock; tests pass
	// clock.NewManual(t0).
	Clock clock.Clock `yaml:"-" json:"-"`
	// Listener receives EventRejected and EventShadowRejected. Nil means no
	// events, at no cost.
	Listener resilience.Listener `yaml:"-" json:"-"`
}

// Validate reports the first invalid field, naming it.
func (c KeyedConfig) Validate() error {
	if _, err := interval(c.Rate, c.Per); err != nil {
		return err
	}
	if c.Burst < 0 {
		return fmt.Errorf("ratelimit: Burst %d must be >= 0", c.Burst)
	}
	if c.MaxKeys < 0 {
		return fmt.Errorf("ratelimit: MaxKeys %d must be >= 0", c.MaxKeys)
	}
	if c.IdleTimeout < 0 {
		return fmt.Errorf("ratelimit: IdleTimeout %v must be >= 0", c.IdleTimeout)
	}
	return nil
}

type keyCtx struct{}

// WithKey returns a context carrying key for Keyed.Acquire (through
// KeyFromContext, the default KeyFunc).
func WithKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, keyCtx{}, key)
}

// KeyFromContext returns the key set by WithKey, or "" when there is none.
func KeyFromContext(ctx context.Context) string {
	k, _ := ctx.Value(keyCtx{}).(string)
	return k
}
