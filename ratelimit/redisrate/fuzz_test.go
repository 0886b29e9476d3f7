package redisrate

import (
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/resilience-go/resilience/clock"
)

// FuzzConfig: Validate never panics, New agrees with it, and a valid
// limiter's decisions without Redis (breaker forced open) and its reading
// of any script reply keep Info's invariants.
func FuzzConfig(f *testing.F) {
	f.Add(10.0, int64(time.Second), 5, int64(0), uint8(0), 1, 0, int64(0), 1, int64(-3))
	f.Add(1e9, int64(0), 0, int64(time.Millisecond), uint8(1), 0, 0, int64(0), 1<<40, int64(1<<62))
	f.Add(1e-9, int64(time.Hour), 1<<40, int64(-1), uint8(2), 3, 10, int64(time.Second), -1, int64(0))
	f.Add(0.5, int64(time.Minute), 3, int64(0), uint8(9), -1, 4, int64(-1), 3, int64(-1<<63))
	f.Add(7.0, int64(time.Second), 20, int64(0), uint8(0), 7, 20, int64(0), 2, int64(123456789))
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer client.Close()
	f.Fuzz(func(t *testing.T, rate float64, per int64, burst int, timeout int64, mode uint8,
		instances, lease int, leaseTTL int64, n int, reply int64) {
		cfg := Config{Rate: rate, Per: time.Duration(per), Burst: burst, Timeout: time.Duration(timeout),
			OnFailure: FailureMode(mode), ExpectedInstances: instances, Lease: lease,
			LeaseTTL: time.Duration(leaseTTL), Clock: clock.NewManual(t0)}
		verr := cfg.Validate()
		l, err := New(client, cfg)
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate() = %v but New() = %v", verr, err)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "redisrate: ") {
				t.Fatalf("New() = %q without the package prefix", err)
			}
			return
		}
		l.Breaker().ForceOpen()
		info, err := l.AllowN(bg(), "k", n)
		if info.Remaining < 0 || info.Remaining > info.Limit || info.Reset < 0 || info.RetryAfter < 0 {
			t.Fatalf("fallback lim.AllowN(%d) = %+v, %v", n, info, err)
		}
		if info.Allowed && (n < 0 || int64(n) > l.p.Burst) {
			t.Fatalf("lim.AllowN(%d) = %+v allowed beyond burst %d", n, info, l.p.Burst)
		}
		if n < 0 || int64(n) > l.p.Burst {
			return
		}
		got := l.redisInfo(int64(n), reply)
		if got.Remaining < 0 || got.Remaining > got.Limit || got.Reset < 0 || got.RetryAfter < 0 ||
			got.Allowed != (reply >= 0) || (reply < 0 && got.RetryAfter <= 0) {
			t.Fatalf("redisInfo(%d, %d) = %+v", n, reply, got)
		}
	})
}

// FuzzRedisKey: every key maps to the prefix and 32 hex digits, the same
// each time, and a different key to a different Redis key.
func FuzzRedisKey(f *testing.F) {
	f.Add("rl:", "user-1")
	f.Add("", "")
	f.Add("a-very-long-prefix-"+strings.Repeat("p", 80), "\x00\xff")
	f.Add("rl:", strings.Repeat("k", 10_000))
	f.Fuzz(func(t *testing.T, prefix, key string) {
		got := redisKey(prefix, key)
		if !strings.HasPrefix(got, prefix) || len(got) != len(prefix)+hashLen {
			t.Fatalf("redisKey(%q, %q) = %q want the prefix and %d hex digits", prefix, key, got, hashLen)
		}
		if _, err := hex.DecodeString(got[len(prefix):]); err != nil {
			t.Fatalf("redisKey(%q, %q) = %q: suffix not hex", prefix, key, got)
		}
		if again := redisKey(prefix, key); again != got {
			t.Fatalf("redisKey(%q, %q) = %q then %q", prefix, key, got, again)
		}
		if other := redisKey(prefix, key+"\x00"); other == got {
			t.Fatalf("redisKey(%q, %q) collides with the key plus a NUL", prefix, key)
		}
	})
}

// FuzzNewFromURL: any string gives a Limiter or an error naming the URL
// field, never a panic, and never echoes a password it was given.
func FuzzNewFromURL(f *testing.F) {
	f.Add("redis://127.0.0.1:1/0")
	f.Add("redis://user:pw-secret@127.0.0.1:1/3?dial_timeout=1s")
	f.Add("rediss://:pw-secret@[::1]:1")
	f.Add("unix:///tmp/x.sock?db=2")
	f.Add("redis://:pw-secret@h:99999999999/0")
	f.Add("://")
	f.Fuzz(func(t *testing.T, raw string) {
		l, err := NewFromURL(raw, Config{Rate: 1})
		if err == nil {
			_ = l.Close()
			return
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "redisrate: URL ") {
			t.Fatalf("NewFromURL(%q) = %q want an error naming the URL", raw, msg)
		}
		u, perr := url.Parse(raw)
		if perr != nil {
			return
		}
		if pw, ok := u.User.Password(); ok && len(pw) >= 4 && strings.Count(raw, pw) == 1 && strings.Contains(msg, pw) {
			t.Fatalf("NewFromURL(%q) = %q leaks the password %q", raw, msg, pw)
		}
	})
}
