package redisrate

import (
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/ratelimit"
	"github.com/resilience-go/resilience/ratelimit/internal/gcra"
)

// step is one decision of a sequence: advance the clock, then AllowN(n).
type step struct {
	advance time.Duration
	n       int
}

// localInfo is what the local GCRA says for n events at now given tat,
// under the Limiter's parameters: the reference Redis must match.
func localInfo(p gcra.Params, tat *int64, now, n int64) ratelimit.Info {
	if n < 0 || n > p.Burst {
		return ratelimit.Info{Limit: int(p.Burst), RetryAfter: gcra.Never,
			Window: time.Duration(p.Burst * p.Interval)}
	}
	d := gcra.Allow(p, *tat, now, n)
	*tat = d.TAT
	info := ratelimit.Info{
		Allowed:   d.Allowed,
		Limit:     int(p.Burst),
		Remaining: int(gcra.Remaining(p, d.TAT, now)),
		Reset:     time.Duration(gcra.ResetAfter(d.TAT, now)),
		Window:    time.Duration(p.Burst * p.Interval),
	}
	if !d.Allowed {
		info.RetryAfter = time.Duration(d.Wait)
	}
	return info
}

// TestMatchesLocalGCRA runs sequences against Redis with the client's
// manual clock and checks every Info against the local GCRA's.
func TestMatchesLocalGCRA(t *testing.T) {
	srv := startRedis(t)
	client := srv.client(t)
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]step, 300)
	for i := range random {
		random[i] = step{time.Duration(rng.IntN(400_000)) * time.Microsecond, rng.IntN(5)}
	}
	tests := []struct {
		name  string
		rate  float64
		per   time.Duration
		burst int
		steps []step
	}{
		{"burst then refill", 10, time.Second, 3, []step{
			{0, 1}, {0, 1}, {0, 1}, {0, 1}, {0, 0}, {50 * time.Millisecond, 1}, {50 * time.Millisecond, 1},
			{0, 2}, {250 * time.Millisecond, 2}, {0, 4}, {time.Second, 3}, {time.Hour, -1}, {0, 3}, {0, 1},
		}},
		{"strict spacing", 2, time.Second, 1, []step{
			{0, 1}, {0, 1}, {499 * time.Millisecond, 1}, {time.Millisecond, 1}, {0, 2}, {2 * time.Second, 0}, {0, 1},
		}},
		{"per minute default burst", 100, time.Minute, 0, []step{
			{0, 60}, {0, 40}, {0, 1}, {600 * time.Millisecond, 1}, {0, 1}, {time.Minute, 100}, {0, 1},
		}},
		{"random", 8, time.Second, 4, random},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewManual(t0)
			l := newTestLimiter(t, client, Config{
				Rate: tt.rate, Per: tt.per, Burst: tt.burst, ClientClock: true, Clock: clk,
				Prefix: "match:" + tt.name + ":",
			})
			var tat int64
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				now := int64(clk.Now().Sub(t0))
				want := localInfo(l.p, &tat, now, int64(s.n))
				got, err := l.AllowN(bg(), "k", s.n)
				if err != nil || got != want {
					t.Fatalf("step %d: lim.AllowN(%v, %d) = %+v, %v want %+v", i, s.advance, s.n, got, err, want)
				}
			}
		})
	}
}

// TestMatchesLocalGCRAServerTime uses Redis's own clock with a slow rate,
// so that the time the sequence takes changes nothing but the waits.
func TestMatchesLocalGCRAServerTime(t *testing.T) {
	srv := startRedis(t)
	l := newTestLimiter(t, srv.client(t), Config{Rate: 1, Per: time.Hour, Burst: 5})
	var tat int64
	for i, n := range []int{1, 1, 2, 2, 0, 1, 1, 6, 0} {
		want := localInfo(l.p, &tat, 0, int64(n))
		got, err := l.AllowN(bg(), "server-time", n)
		if err != nil || got.Allowed != want.Allowed || got.Remaining != want.Remaining ||
			got.Limit != want.Limit || got.Window != want.Window ||
			absDur(got.Reset-want.Reset) > time.Second || absDur(got.RetryAfter-want.RetryAfter) > time.Second {
			t.Fatalf("step %d: lim.AllowN(%d) = %+v, %v want about %+v", i, n, got, err, want)
		}
	}
	info, err := l.Info(bg(), "server-time")
	if err != nil || info.Allowed || info.Remaining != 0 || info.RetryAfter < 59*time.Minute {
		t.Fatalf("lim.Info() = %+v, %v want refused for about an hour", info, err)
	}
}

func absDur(d time.Duration) time.Duration { return max(d, -d) }

var cmdstatRE = regexp.MustCompile(`cmdstat_(evalsha|eval):calls=(\d+)`)

// scriptCalls returns how many EVAL and EVALSHA commands the server ran.
func scriptCalls(t *testing.T, srv *redisServer, c interface{}) (eval, evalsha int) {
	t.Helper()
	out := srv.do(t, srv.client(t), "info", "commandstats")
	for _, m := range cmdstatRE.FindAllStringSubmatch(out.(string), -1) {
		n, _ := strconv.Atoi(m[2])
		if m[1] == "eval" {
			eval = n
		} else {
			evalsha = n
		}
	}
	return eval, evalsha
}

// TestScriptLoadedOnceAndReloaded: the first decision loads the script
// (EVALSHA answered NOSCRIPT, then EVAL), later ones use EVALSHA alone,
// and after SCRIPT FLUSH the next decision reloads it.
func TestScriptLoadedOnceAndReloaded(t *testing.T) {
	srv := startRedis(t)
	client := srv.client(t)
	l := newTestLimiter(t, client, Config{Rate: 1000, Burst: 1000})
	decide := func() {
		t.Helper()
		if info, err := l.Allow(bg(), "script"); err != nil || !info.Allowed || l.Degraded() {
			t.Fatalf("lim.Allow() = %+v, %v (degraded %v) want allowed by Redis", info, err, l.Degraded())
		}
	}
	wantCalls := func(wantEval, wantSHA int) {
		t.Helper()
		if eval, sha := scriptCalls(t, srv, client); eval != wantEval || sha != wantSHA {
			t.Fatalf("EVAL calls %d, EVALSHA calls %d; want %d, %d", eval, sha, wantEval, wantSHA)
		}
	}
	decide()
	wantCalls(1, 1)
	if got := srv.do(t, client, "script", "exists", scriptSHA).([]any); got[0] != int64(1) {
		t.Fatalf("SCRIPT EXISTS %s = %v want 1", scriptSHA, got)
	}
	for range 5 {
		decide()
	}
	wantCalls(1, 6)
	srv.do(t, client, "script", "flush")
	decide()
	wantCalls(2, 7)
	decide()
	wantCalls(2, 8)
}

// TestKeysExpire: a bucket's key expires when the bucket is full again.
func TestKeysExpire(t *testing.T) {
	srv := startRedis(t)
	client := srv.client(t)
	l := newTestLimiter(t, client, Config{Rate: 10, Burst: 5, Prefix: "exp:"})
	slow := newTestLimiter(t, client, Config{Rate: 1, Per: time.Hour, Burst: 2, Prefix: "slow:"})
	if info, err := l.AllowN(bg(), "a", 3); err != nil || !info.Allowed {
		t.Fatalf("lim.AllowN(3) = %+v, %v", info, err)
	}
	if info, err := slow.Allow(bg(), "a"); err != nil || !info.Allowed {
		t.Fatalf("slow.Allow() = %+v, %v", info, err)
	}
	key := redisKey("exp:", "a")
	pttl := srv.do(t, client, "pttl", key).(int64)
	if pttl <= 0 || pttl > 300 {
		t.Fatalf("PTTL %s = %d want in (0, 300] ms (3 events at 10/s)", key, pttl)
	}
	slowTTL := srv.do(t, client, "pttl", redisKey("slow:", "a")).(int64)
	if slowTTL < 3_500_000 || slowTTL > 3_600_000 {
		t.Fatalf("PTTL of the slow key = %d want about an hour", slowTTL)
	}
	deadline := time.Now().Add(5 * time.Second)
	for srv.do(t, client, "exists", key).(int64) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("key %s still exists after 5s; its PTTL was %dms", key, pttl)
		}
		time.Sleep(20 * time.Millisecond) // real expiry in a real server
	}
	if info, err := l.AllowN(bg(), "a", 5); err != nil || !info.Allowed || info.Remaining != 0 {
		t.Fatalf("after expiry lim.AllowN(5) = %+v, %v want the full burst", info, err)
	}
}

// TestAnyKey: keys of any size and bytes get buckets of their own, stored
// under short hashed keys.
func TestAnyKey(t *testing.T) {
	srv := startRedis(t)
	client := srv.client(t)
	l := newTestLimiter(t, client, Config{Rate: 1, Per: time.Hour, Burst: 1, Prefix: "any:"})
	keys := []string{"", "\x00", "\x00\x00", "\xff\xfe invalid utf-8", "a b\r\n*1\r\n$4\r\nPING\r\n",
		"{hashtag}", strings.Repeat("k", 1<<20), strings.Repeat("\x00", 1<<16), "rl:*", "ключ"}
	for _, k := range keys {
		if info, err := l.Allow(bg(), k); err != nil || !info.Allowed {
			t.Fatalf("first lim.Allow(%.20q) = %+v, %v want allowed", k, info, err)
		}
	}
	for _, k := range keys {
		if info, err := l.Allow(bg(), k); err != nil || info.Allowed {
			t.Fatalf("second lim.Allow(%.20q) = %+v, %v want refused", k, info, err)
		}
	}
	stored := srv.do(t, client, "keys", "any:*").([]any)
	if len(stored) != len(keys) {
		t.Fatalf("KEYS any:* = %d keys want %d", len(stored), len(keys))
	}
	hexKey := regexp.MustCompile(`^any:[0-9a-f]{32}$`)
	for _, k := range stored {
		if !hexKey.MatchString(k.(string)) {
			t.Fatalf("stored key %q is not the prefix and 32 hex digits", k)
		}
	}
}
