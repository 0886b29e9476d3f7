package redisrate

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// epochUnix is the origin of the script's timeline, 2025-01-01 UTC:
// microseconds since then stay below 2^53, exact in Lua's doubles, for
// centuries, with a resolution of a few nanoseconds.
const epochUnix = 1735689600

// gcraScript is GCRA on one key, in one round trip. KEYS[1] holds the
// bucket's theoretical arrival time (TAT) in microseconds since epochUnix,
// and expires when the bucket is full again. ARGV: the emission interval
// and the tolerance in microseconds, n, want (>= n: take up to want events
// when at least n are free, a lease), and now in microseconds since
// epochUnix or "" for the server's TIME.
//
// The reply, in nanoseconds: for want == n an integer, r >= 0 admitted
// with the bucket full again in r (n == 0 only reads), r < 0 refused with
// a wait of -r; for a lease the array {k, r}, k events taken (0: refused,
// r the negated wait). A TAT beyond now + tolerance (the server's clock
// stepped back) is clamped there: the bucket is at worst empty.
const gcraScript = `
local iv = tonumber(ARGV[1])
local tol = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
local want = tonumber(ARGV[4])
local now = tonumber(ARGV[5])
if not now then
  if redis.replicate_commands then pcall(redis.replicate_commands) end
  local t = redis.call('TIME')
  now = (tonumber(t[1]) - 1735689600) * 1000000 + tonumber(t[2])
end
local cap = 9e18
local tat = tonumber(redis.call('GET', KEYS[1]))
local ahead = 0
if tat and tat > now then ahead = math.min(tat - now, tol) end
if n == 0 then return math.min(math.floor(ahead * 1000 + 0.5), cap) end
local lease = want > n
if ahead + n * iv > tol then
  local w = -math.max(math.min(math.ceil((ahead + n * iv - tol) * 1000), cap), 1)
  if lease then return {0, w} end
  return w
end
local k = n
if lease then k = math.max(n, math.min(want, math.floor((tol - ahead) / iv))) end
local new = ahead + k * iv
redis.call('SET', KEYS[1], string.format('%.17g', now + new), 'PX',
  string.format('%d', math.min(math.ceil(new / 1000), 1e15)))
local r = math.min(math.floor(new * 1000 + 0.5), cap)
if lease then return {k, r} end
return r
`

// scriptSHA is the SHA-1 that EVALSHA names gcraScript by.
var scriptSHA = func() string {
	h := sha1.Sum([]byte(gcraScript))
	return hex.EncodeToString(h[:])
}()

// call is one script invocation: the arguments of EVALSHA and the values
// they point to, in one allocation. go-redis writes *string and *int64
// arguments without boxing them again.
type call struct {
	args [9]any
	key  string
	now  string
	n    int64
	want int64
}

// Indices in call.args.
const (
	argCmd   = 0
	argSHA   = 1
	argNumKV = 2
	argKey   = 3
)

// newCall prepares an EVALSHA of the script for key (already hashed) and
// n events, wanting want (a lease when want > n).
func (l *Limiter) newCall(key string, n, want int64) *call {
	c := &call{key: key, n: n, want: want}
	if l.clientClock {
		c.now = strconv.FormatInt(l.clk.Now().UnixMicro()-epochUnix*1_000_000, 10)
	}
	c.args = [...]any{"evalsha", &l.sha, "1", &c.key, &l.ivArg, &l.tolArg, &c.n, &c.want, &c.now}
	return c
}

// argv returns the command's arguments.
func (c *call) argv() []any { return c.args[:] }

// evalArgs rewrites the command into EVAL of the script's source, which
// also loads it into the server's script cache.
func (c *call) evalArgs() []any {
	c.args[argCmd] = "eval"
	c.args[argSHA] = &scriptSource
	return c.argv()
}

// scriptSource is gcraScript in a variable, for a *string argument.
var scriptSource = gcraScript

// isNoScript reports whether err says the server does not know the script
// (restarted, or SCRIPT FLUSH).
func isNoScript(err error) bool {
	return redis.HasErrorPrefix(err, "NOSCRIPT")
}

// run sends c as one integer-reply command, re-sending it as EVAL when the
// server answers NOSCRIPT.
func (l *Limiter) run(ctx context.Context, c *call) (int64, error) {
	cmd := redis.NewIntCmd(ctx, c.argv()...)
	err := l.client.Process(ctx, cmd)
	if err != nil && isNoScript(err) {
		cmd = redis.NewIntCmd(ctx, c.evalArgs()...)
		err = l.client.Process(ctx, cmd)
	}
	return cmd.Val(), err
}

// runLease sends c as an array-reply command (a lease), re-sending it as
// EVAL on NOSCRIPT. It returns the events taken and the script's r.
func (l *Limiter) runLease(ctx context.Context, c *call) (k, r int64, err error) {
	cmd := redis.NewIntSliceCmd(ctx, c.argv()...)
	err = l.client.Process(ctx, cmd)
	if err != nil && isNoScript(err) {
		cmd = redis.NewIntSliceCmd(ctx, c.evalArgs()...)
		err = l.client.Process(ctx, cmd)
	}
	if err != nil {
		return 0, 0, err
	}
	v := cmd.Val()
	if len(v) != 2 {
		return 0, 0, errBadReply
	}
	return v[0], v[1], nil
}

// formatMicros formats nanoseconds as a decimal count of microseconds,
// exact to the nanosecond.
func formatMicros(ns int64) string {
	return strconv.FormatFloat(float64(ns)/1000, 'g', -1, 64)
}
