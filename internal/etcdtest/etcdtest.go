// Package etcdtest starts a real single-member etcd for tests, on free
// loopback ports, and stops it when the test ends. The binary comes from
// $ETCD_BIN, PATH or /usr/bin/etcd (scripts/etcd.sh ensure installs it);
// without one the test skips, or fails when CI is set. The discovery/etcd
// and proxy modules share it.
package etcdtest

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is a real single-member etcd on free loopback ports, started
// by a test and stopped at its end. Stop and Start restart it on the same
// ports and data directory.
type Server struct {
	t          testing.TB
	bin        string
	dir        string
	clientPort int
	peerPort   int
	cmd        *exec.Cmd
	exited     chan struct{}
	log        *os.File
}

// etcdBinary finds etcd: $ETCD_BIN, then PATH, then /usr/bin/etcd. Without
// it the test skips, or fails when CI is set: scripts/etcd.sh ensure
// installs it.
func etcdBinary(t testing.TB) string {
	t.Helper()
	if b := os.Getenv("ETCD_BIN"); b != "" {
		if _, err := os.Stat(b); err == nil {
			return b
		}
	}
	if b, err := exec.LookPath("etcd"); err == nil {
		return b
	}
	if _, err := os.Stat("/usr/bin/etcd"); err == nil {
		return "/usr/bin/etcd"
	}
	msg := "etcd binary not found (ETCD_BIN, PATH, /usr/bin/etcd); run scripts/etcd.sh ensure to install Debian's etcd-server"
	if os.Getenv("CI") != "" {
		t.Fatal(msg + " (CI is set, so this is a failure)")
	}
	t.Skip(msg)
	return ""
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Start starts a fresh etcd and registers its stop with t.Cleanup.
func Start(t *testing.T) *Server {
	t.Helper()
	s := &Server{t: t, bin: etcdBinary(t), dir: t.TempDir()}
	t.Cleanup(s.Stop)
	var err error
	for attempt := 0; attempt < 3; attempt++ { // a free port can be taken meanwhile
		s.clientPort, s.peerPort = FreePort(t), FreePort(t)
		if s.clientPort == s.peerPort {
			continue
		}
		if err = s.start(); err == nil {
			return s
		}
		os.RemoveAll(filepath.Join(s.dir, "data"))
	}
	t.Fatalf("etcd did not start: %v", err)
	return nil
}

// Endpoint is the client URL.
func (s *Server) Endpoint() string { return "http://127.0.0.1:" + strconv.Itoa(s.clientPort) }

func (s *Server) args() []string {
	peer := "http://127.0.0.1:" + strconv.Itoa(s.peerPort)
	return []string{
		"--name", "test",
		"--data-dir", filepath.Join(s.dir, "data"),
		"--listen-client-urls", s.Endpoint(),
		"--advertise-client-urls", s.Endpoint(),
		"--listen-peer-urls", peer,
		"--initial-advertise-peer-urls", peer,
		"--initial-cluster", "test=" + peer,
		"--initial-cluster-state", "new",
		"--initial-cluster-token", "resilience-test",
		"--heartbeat-interval", "50",
		"--election-timeout", "500",
		"--logger", "zap",
		"--log-level", "error",
	}
}

// start runs etcd and waits, at most 20s, until it reports healthy.
func (s *Server) start() error {
	log, err := os.OpenFile(filepath.Join(s.dir, "etcd.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin, s.args()...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return err
	}
	s.cmd, s.log, s.exited = cmd, log, make(chan struct{})
	go func(exited chan struct{}) {
		cmd.Wait()
		close(exited)
	}(s.exited)

	client := &http.Client{Timeout: time.Second}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			s.cmd = nil
			log.Close()
			return fmt.Errorf("etcd exited at start: %s", s.logTail())
		default:
		}
		resp, err := client.Get(s.Endpoint() + "/health")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK && bytes.Contains(body, []byte(`"true"`)) {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond) // real network server: bounded poll
	}
	s.kill()
	return fmt.Errorf("etcd not healthy within 20s: %s", s.logTail())
}

// Start restarts a stopped server on the same ports and data.
func (s *Server) Start() {
	s.t.Helper()
	if s.cmd != nil {
		s.t.Fatal("etcd is already running")
	}
	if err := s.start(); err != nil {
		s.t.Fatal(err)
	}
}

// Stop stops the server gracefully (SIGTERM), or kills it after 10s.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.cmd = nil
	s.log.Close()
}

func (s *Server) kill() {
	if s.cmd != nil {
		s.cmd.Process.Kill()
		<-s.exited
		s.cmd = nil
		s.log.Close()
	}
}

func (s *Server) logTail() string {
	b, _ := os.ReadFile(filepath.Join(s.dir, "etcd.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 10 {
		lines = lines[len(lines)-10:]
	}
	return strings.Join(lines, "\n")
}
