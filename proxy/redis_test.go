package proxy

import (
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// startRedis runs a throwaway redis-server on a free loopback port, or
// skips the test when none is installed.
func startRedis(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("REDIS_SERVER")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("redis-server"); err != nil {
			t.Skip("redis-server not installed")
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for i := 0; ; i++ {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return addr
		}
		if i > 200 {
			t.Fatalf("redis-server did not start: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestRedisRateLimit(t *testing.T) {
	raddr := startRedis(t)
	up := upstream(t, "a", nil)
	p := start(t, parse(t, base+`
redis: {url: "redis://%s"}
routes:
  - name: all
    cluster: b
    policies:
      rate_limit:
        key: {source: header, header: X-Api-Key}
        redis: {rate: 1, per: 1h, burst: 1, on_failure: closed}
clusters: [{name: b, discovery: {static: [%s]}}]
`, raddr, addr(up)))
	url := "http://" + p.Addr() + "/"
	if code, _, _ := get(t, url, "X-Api-Key", "k1"); code != 200 {
		t.Fatalf("k1 first = %d want 200", code)
	}
	if code, _, _ := get(t, url, "X-Api-Key", "k1"); code != 429 {
		t.Fatalf("k1 second = %d want 429", code)
	}
	if code, _, _ := get(t, url, "X-Api-Key", "k2"); code != 200 {
		t.Fatalf("k2 first = %d want 200 (own bucket)", code)
	}
}
