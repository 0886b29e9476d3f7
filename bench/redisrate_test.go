package bench

import (
	"bufio"
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/resilience-go/resilience/ratelimit/redisrate"
)

// The distributed rate limiter area: decisions against a live local
// redis-server that the benchmark starts (skipped when there is none; run
// scripts/redis.sh ensure). Every decision admits (a rate and burst of
// 1e9/s), so each one costs what a real decision costs: one round trip.
// 16 goroutines (SetParallelism(8) on 2 CPUs) share one key.
//
//   - resilience: redisrate.Limiter.Allow, one EVALSHA per decision.
//   - resilience-lease: the same with Lease 100: one round trip per up to
//     100 decisions per process.
//   - redisrate: go-redis/redis_rate/v10 Limiter.Allow, one EVALSHA per
//     decision.
//   - ping: client.Ping, the floor of any one-round-trip decision.
//
// Each reports decisions/s (b.N over the elapsed time) beside ns/op and
// allocs/op.

const redisBenchParallelism = 8

// redisBenchRate is the limit of every implementation: far above what one
// Redis serves, so every decision admits, yet coarse enough that redis_rate,
// which computes in seconds, still writes its key (at 1e9/s its increment
// rounds away and it skips the write).
const redisBenchRate = 1_000_000

func BenchmarkRedisLimiter(b *testing.B) {
	addr := benchRedis(b)
	newClient := func(b *testing.B) *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
		b.Cleanup(func() { _ = c.Close() })
		return c
	}
	ctx := context.Background()
	ours := func(lease int) func(b *testing.B) {
		return func(b *testing.B) {
			lim, err := redisrate.New(newClient(b), redisrate.Config{
				Rate: redisBenchRate, Burst: redisBenchRate, Lease: lease, Timeout: time.Second, Prefix: "bench" + strconv.Itoa(lease) + ":",
			})
			if err != nil {
				b.Fatal(err)
			}
			redisParallel(b, func() bool {
				info, err := lim.Allow(ctx, "bench")
				return err == nil && info.Allowed && !lim.Degraded()
			})
		}
	}
	b.Run("resilience", ours(0))
	b.Run("resilience-lease", ours(100))
	b.Run("redisrate", func(b *testing.B) {
		lim := redis_rate.NewLimiter(newClient(b))
		limit := redis_rate.Limit{Rate: redisBenchRate, Burst: redisBenchRate, Period: time.Second}
		redisParallel(b, func() bool {
			res, err := lim.Allow(ctx, "bench", limit)
			return err == nil && res.Allowed == 1
		})
	})
	b.Run("ping", func(b *testing.B) {
		c := newClient(b)
		redisParallel(b, func() bool { return c.Ping(ctx).Err() == nil })
	})
}

// redisParallel runs decide under RunParallel and reports decisions/s. A
// decision that fails or refuses fails the benchmark: every one must be a
// real admission.
func redisParallel(b *testing.B, decide func() bool) {
	if !decide() { // warm up: load the script, open a connection
		b.Fatal("the first decision failed")
	}
	b.ReportAllocs()
	b.SetParallelism(redisBenchParallelism)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !decide() {
				b.Error("a decision failed or refused")
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

// benchRedis starts a redis-server on a free loopback port for the
// benchmark, and kills it afterwards; it skips without a redis-server.
func benchRedis(b *testing.B) string {
	bin := os.Getenv("REDIS_SERVER")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("redis-server"); err != nil {
			bin = "/usr/bin/redis-server"
		}
	}
	if _, err := os.Stat(bin); err != nil {
		b.Skip("redis-server not found: run scripts/redis.sh ensure")
	}
	for range 5 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
			"--appendonly", "no", "--daemonize", "no", "--dir", b.TempDir(), "--logfile", "")
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			select {
			case <-done: // port taken: try another
				deadline = time.Time{}
				continue
			default:
			}
			if benchPing(addr) {
				b.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
				return addr
			}
			time.Sleep(10 * time.Millisecond) // a real process starting
		}
		_ = cmd.Process.Kill()
		<-done
	}
	b.Fatal("could not start redis-server")
	return ""
}

func benchPing(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "+PONG")
}
