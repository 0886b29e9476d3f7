package main

// The soak's proxy process: this test binary re-executed with soakChildEnv
// set (soakChildMain, its debug server), and the parent's handle on it
// (soakChild: start, readiness, goroutine/heap/RSS probes, admin metrics).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// soakChildEnv, set to "1", makes the test binary run the resilience
// command (os.Args[1:]) instead of the tests, with a debug server that
// reports its goroutines; see soakChildMain.
const soakChildEnv = "RESILIENCE_TEST_MAIN"

// soakChildMain is the child process: the resilience command with main's
// signal handling, plus a loopback debug server (its address printed first)
// serving /goroutines (runtime.NumGoroutine), /heap (the live heap after a
// GC) and /stacks (a goroutine profile), since the proxy's /metrics has no
// Go runtime metrics.
func soakChildMain() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/goroutines", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, runtime.NumGoroutine()) })
	mux.HandleFunc("/stacks", func(w http.ResponseWriter, _ *http.Request) { _ = pprof.Lookup("goroutine").WriteTo(w, 1) })
	mux.HandleFunc("/heap", func(w http.ResponseWriter, _ *http.Request) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Fprint(w, ms.HeapAlloc)
	})
	go func() { _ = http.Serve(ln, mux) }()
	// Never outlive the test: exit when the parent is gone, even if it was
	// killed before its cleanups ran (e.g. by go test's -timeout).
	go func(parent int) {
		for range time.Tick(time.Second) {
			if os.Getppid() != parent {
				os.Exit(3)
			}
		}
	}(os.Getppid())
	fmt.Printf("soak-debug: listening on %s\n", ln.Addr())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// soakChild is the proxy process.
type soakChild struct {
	cmd    *exec.Cmd
	stdout *soakBuffer
	stderr *soakBuffer
	done   chan struct{}
	err    error // cmd.Wait's result, once done is closed

	proxy, admin, debug string
	hc                  *http.Client
}

// soakBuffer is a bytes.Buffer safe for the exec copier and the test.
type soakBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *soakBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *soakBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// startSoakChild starts the proxy process on cfgPath and waits until it is
// ready; a cleanup kills it if the test has not stopped it.
func startSoakChild(t *testing.T, cfgPath string) *soakChild {
	t.Helper()
	c := &soakChild{stdout: &soakBuffer{}, stderr: &soakBuffer{}, done: make(chan struct{}),
		hc: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}}
	c.cmd = exec.Command(os.Args[0], "proxy", "--config", cfgPath, "--drain", "5s")
	c.cmd.Env = append(os.Environ(), soakChildEnv+"=1")
	c.cmd.Stdout, c.cmd.Stderr = c.stdout, c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.err = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
	re := regexp.MustCompile(`soak-debug: listening on (\S+)\n(?s:.*)listening on (\S+), admin on (\S+)\n`)
	waitFor(t, 60*time.Second, "the proxy to start", func() bool {
		select {
		case <-c.done:
			t.Fatalf("proxy exited: %v; stderr:\n%s", c.err, c.stderr.String())
		default:
		}
		m := re.FindStringSubmatch(c.stdout.String())
		if m == nil {
			return false
		}
		c.debug, c.proxy, c.admin = m[1], m[2], m[3]
		return true
	})
	waitFor(t, 30*time.Second, "the proxy to be ready", func() bool {
		resp, err := c.hc.Get("http://" + c.admin + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return c
}

// get returns the body of the child's debug endpoint path.
func (c *soakChild) get(t *testing.T, path string) string {
	t.Helper()
	resp, err := c.hc.Get("http://" + c.debug + path)
	if err != nil {
		t.Fatalf("debug %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func (c *soakChild) goroutines(t *testing.T) int {
	t.Helper()
	n, err := strconv.Atoi(c.get(t, "/goroutines"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// heapMB is the child's live heap after a GC, in MiB.
func (c *soakChild) heapMB(t *testing.T) float64 {
	t.Helper()
	n, err := strconv.ParseFloat(c.get(t, "/heap"), 64)
	if err != nil {
		t.Fatal(err)
	}
	return n / (1 << 20)
}

// rssMB is the child's resident set size (VmRSS), in MiB.
func (c *soakChild) rssMB(t *testing.T) float64 {
	t.Helper()
	mb, err := c.rss()
	if err != nil {
		t.Fatal(err)
	}
	return mb
}

func (c *soakChild) rss() (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, err := strconv.ParseFloat(f[1], 64)
			return kb / 1024, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/PID/status")
}

// metrics returns the admin /metrics lines that start with one of prefixes.
func (c *soakChild) metrics(t *testing.T, prefixes ...string) string {
	t.Helper()
	resp, err := c.hc.Get("http://" + c.admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var out strings.Builder
	for line := range strings.Lines(string(b)) {
		for _, p := range prefixes {
			if strings.HasPrefix(line, p) {
				out.WriteString("  " + line)
			}
		}
	}
	return out.String()
}
