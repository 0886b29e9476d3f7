// Package etcdtest starts a real single-member etcd for tests, on free
// loopback ports, and stops it when the test ends. The binary comes from
// $ETCD_BIN, PATH or /usr/bin/etcd (scripts/etcd.sh ensure installs it);
// without one the test skips, or fails when CI is set. The discovery/etcd
// and proxy packages share it; StartTLS serves clients over TLS.
package etcdtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
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
	roots      *x509.CertPool // nil: plain http
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
	return start(t, &Server{t: t, bin: etcdBinary(t), dir: t.TempDir()})
}

// StartTLS starts a fresh etcd that serves clients over TLS (https
// Endpoint) with a self-signed certificate for 127.0.0.1, which RootCAs
// trusts.
func StartTLS(t *testing.T) *Server {
	t.Helper()
	s := &Server{t: t, bin: etcdBinary(t), dir: t.TempDir()}
	s.roots = selfSigned(t, s.dir)
	return start(t, s)
}

// RootCAs trusts the certificate of a server made by StartTLS; nil for
// others.
func (s *Server) RootCAs() *x509.CertPool { return s.roots }

// selfSigned writes cert.pem and key.pem for 127.0.0.1 into dir and
// returns a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "etcdtest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(filepath.Join(dir, "cert.pem"), certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	return pool
}

func start(t *testing.T, s *Server) *Server {
	t.Helper()
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

// Endpoint is the client URL: https for a server made by StartTLS.
func (s *Server) Endpoint() string {
	if s.roots != nil {
		return "https://127.0.0.1:" + strconv.Itoa(s.clientPort)
	}
	return "http://127.0.0.1:" + strconv.Itoa(s.clientPort)
}

func (s *Server) args() []string {
	peer := "http://127.0.0.1:" + strconv.Itoa(s.peerPort)
	var tlsArgs []string
	if s.roots != nil {
		tlsArgs = []string{"--cert-file", filepath.Join(s.dir, "cert.pem"), "--key-file", filepath.Join(s.dir, "key.pem")}
	}
	return append(tlsArgs,
		"--name", "test",
		"--data-dir", filepath.Join(s.dir, "data"),
		"--listen-client-urls", s.Endpoint(),
		"--advertise-client-urls", s.Endpoint(),
		"--listen-peer-urls", peer,
		"--initial-advertise-peer-urls", peer,
		"--initial-cluster", "test="+peer,
		"--initial-cluster-state", "new",
		"--initial-cluster-token", "resilience-test",
		"--heartbeat-interval", "50",
		"--election-timeout", "500",
		"--logger", "zap",
		"--log-level", "error",
	)
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

	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.roots}}}
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
