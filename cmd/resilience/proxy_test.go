package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/proxy"
)

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("listeners: [{name: public}]\nroutes: [{name: all, cluster: backend}]\nclusters: [{name: backend, discovery: {static: [\"127.0.0.1:9001\"]}}]\n"), 0o600)
	os.WriteFile(bad, []byte("listeners: [{name: public}]\nroutes:\n  - name: all\n    cluster: backnd\n    policies:\n      circuit_breaker: {failure_rate_threshold: 150}\nclusters: [{name: backend, discovery: {static: [\"127.0.0.1:9001\"]}}]\n"), 0o600)
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr []string
	}{
		{"ok", []string{"validate", good}, 0, "ok", nil},
		{"broken", []string{"validate", bad}, 1, "", []string{bad + ":4:14: routes[0].cluster", bad + ":6:", "failure_rate_threshold"}},
		{"missing", []string{"validate", filepath.Join(dir, "nope.yaml")}, 1, "", []string{"no such file"}},
		{"no-arg", []string{"validate"}, 2, "", []string{"usage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.wantCode || !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Fatalf("run(%q) = %d stdout %q want %d, %q; stderr %s", tt.args, code, stdout.String(), tt.wantCode, tt.wantStdout, stderr.String())
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("run(%q) stderr %q want it to contain %q", tt.args, stderr.String(), w)
				}
			}
		})
	}
}

func TestProxyCommand(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "up") }))
	defer up.Close()
	path := filepath.Join(t.TempDir(), "proxy.yaml")
	cfg := fmt.Sprintf("listeners: [{name: public, address: \"127.0.0.1:0\"}]\nadmin: {address: \"127.0.0.1:0\"}\nroutes: [{name: all, cluster: b}]\nclusters: [{name: b, discovery: {static: [%q]}}]\n", strings.TrimPrefix(up.URL, "http://"))
	os.WriteFile(path, []byte(cfg), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan *proxy.Proxy, 1)
	done := make(chan int, 1)
	var stdout, stderr bytes.Buffer
	go func() { done <- runProxy(ctx, []string{"--config", path}, &stdout, &stderr, started) }()
	var p *proxy.Proxy
	select {
	case p = <-started:
	case code := <-done:
		t.Fatalf("runProxy exited %d: %s", code, stderr.String())
	}
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
	resp, err := c.Get("http://" + p.Addr() + "/")
	if err != nil {
		cancel()
		<-done
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	c.CloseIdleConnections()
	cancel()
	if code := <-done; code != 0 || string(b) != "up" {
		t.Fatalf("proxy command: body %q exit %d want %q 0; stderr %s", b, code, "up", stderr.String())
	}
}

// TestProxyCommandMemoryLimit: process.memory_limit becomes the runtime's
// soft memory limit at start, and a reload changes it.
func TestProxyCommandMemoryLimit(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	path := filepath.Join(t.TempDir(), "proxy.yaml")
	write := func(limit string) {
		cfg := "listeners: [{name: public, address: \"127.0.0.1:0\"}]\nadmin: {enabled: false}\n" +
			"routes: [{name: all, cluster: b}]\nclusters: [{name: b, discovery: {static: [\"127.0.0.1:1\"]}}]\n" +
			"process: {memory_limit: " + limit + "}\n"
		if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("48MiB")
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan *proxy.Proxy, 1)
	done := make(chan int, 1)
	var stdout, stderr bytes.Buffer
	go func() { done <- runProxy(ctx, []string{"--config", path}, &stdout, &stderr, started) }()
	select {
	case <-started:
	case code := <-done:
		t.Fatalf("runProxy exited %d: %s", code, stderr.String())
	}
	if got := debug.SetMemoryLimit(-1); got < 48<<20 {
		t.Errorf("memory limit after start = %d want at least the target %d", got, 48<<20)
	}
	write("none")
	deadline := time.Now().Add(10 * time.Second)
	for debug.SetMemoryLimit(-1) != math.MaxInt64 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // the watcher polls the file
	}
	got := debug.SetMemoryLimit(-1)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("proxy command exit %d; stderr %s", code, stderr.String())
	}
	if got != math.MaxInt64 {
		t.Errorf("memory limit after reloading with none = %d want none", got)
	}
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("memory limit after the command = %d want the one before, %d", after, before)
	}
	if !strings.Contains(stderr.String(), `msg="memory limit" target=48MiB source=config min_gc_percent=25`) ||
		!strings.Contains(stderr.String(), `msg="memory limit" limit=none source=none`) {
		t.Errorf("the log does not report both limits:\n%s", stderr.String())
	}
}
