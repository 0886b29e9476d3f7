package redisrate

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// redisServer is a redis-server process started by a test on a free
// loopback port, killed when the test ends.
type redisServer struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	addr string
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// redisBinary returns the redis-server to run: $REDIS_SERVER, or
// redis-server on PATH or in the usual places. Without one the test is
// skipped, unless CI is set: there a missing server is a failure (run
// scripts/redis.sh ensure first).
func redisBinary(t testing.TB) string {
	t.Helper()
	candidates := []string{os.Getenv("REDIS_SERVER")}
	if p, err := exec.LookPath("redis-server"); err == nil {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, "/usr/bin/redis-server", "/usr/local/bin/redis-server")
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return c
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("redis-server not found and CI is set: run scripts/redis.sh ensure before the tests")
	}
	t.Skip("redis-server not found: run scripts/redis.sh ensure (or set REDIS_SERVER) to run the Redis tests")
	return ""
}

// startRedis starts a redis-server on a free loopback port, waits until it
// answers PING, and kills it when the test ends.
func startRedis(t testing.TB) *redisServer {
	t.Helper()
	s := &redisServer{t: t, bin: redisBinary(t), dir: t.TempDir()}
	var err error
	for range 5 {
		s.port, err = freePort()
		if err != nil {
			continue
		}
		if err = s.start(); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("start redis-server: %v", err)
	}
	t.Cleanup(s.kill)
	return s
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// start runs the server on s.port and waits for PING, for at most 10s.
func (s *redisServer) start() error {
	s.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port))
	log := filepath.Join(s.dir, fmt.Sprintf("redis-%d.log", s.port))
	s.cmd = exec.Command(s.bin,
		"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--dir", s.dir, "--logfile", log)
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		_ = cmd.Wait()
		close(done)
	}(s.cmd, s.done)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			out, _ := os.ReadFile(log)
			return fmt.Errorf("redis-server exited at start: %s", lastLines(string(out), 5))
		default:
		}
		if ping(s.addr) == nil {
			return nil
		}
		time.Sleep(10 * time.Millisecond) // a real process starting
	}
	s.kill()
	return fmt.Errorf("redis-server on %s did not answer PING within 10s", s.addr)
}

// kill stops the server with SIGKILL and waits for it to exit.
func (s *redisServer) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGCONT) // in case it was paused
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

// restart starts the server again on the same port, retrying while the
// old socket lingers.
func (s *redisServer) restart() {
	s.t.Helper()
	s.kill()
	var err error
	for range 50 {
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond) // the port is being released
	}
	s.t.Fatalf("restart redis-server on %s: %v", s.addr, err)
}

// pause and resume stop and continue the server process, making it hang
// without closing connections.
func (s *redisServer) pause()  { _ = s.cmd.Process.Signal(syscall.SIGSTOP) }
func (s *redisServer) resume() { _ = s.cmd.Process.Signal(syscall.SIGCONT) }

// ping sends PING over a fresh connection and expects +PONG.
func ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("PING answered %q", line)
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// client returns a go-redis client for the server, closed when the test
// ends.
func (s *redisServer) client(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{
		Addr:                  s.addr,
		ContextTimeoutEnabled: true,
		ReadTimeout:           10 * time.Second, // only the Timeout may bound calls
		WriteTimeout:          10 * time.Second,
		DialTimeout:           time.Second,
	})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// do runs a raw command for a test's own checks.
func (s *redisServer) do(t testing.TB, c *redis.Client, args ...any) any {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := c.Do(ctx, args...).Result()
	if err != nil && err != redis.Nil {
		t.Fatalf("redis %v: %v", args, err)
	}
	return v
}
