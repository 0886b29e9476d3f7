package etcd

import (
	"crypto/tls"
	"errors"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/internal/etcdtest"
)

// An etcd that serves clients over TLS: https endpoints and host:port ones
// (https since TLS is set) work, over HTTP/2 (etcd offers it), watch and
// lease renewals included; a certificate the Registry does not trust is
// refused at once.
func TestTLS(t *testing.T) {
	s := etcdtest.StartTLS(t)
	ctx := bg(t)
	hostport := strings.TrimPrefix(s.Endpoint(), "https://")
	tests := []struct{ name, endpoint string }{
		{"https-url", s.Endpoint()},
		{"host-port", hostport},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRegistry(t, s, func(c *Config) {
				c.Endpoints, c.TLS, c.TTL = []string{tt.endpoint}, &tls.Config{RootCAs: s.RootCAs()}, 2*time.Second
			})
			if err := r.Register(ctx, inst("a", 1)); err != nil {
				t.Fatalf("Register over TLS = %v", err)
			}
			w, err := r.Watch(ctx, "api")
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			nextUntil(t, w, "[a]")
			var proto string
			trace := httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
				if c, ok := i.Conn.(*tls.Conn); ok {
					proto = c.ConnectionState().NegotiatedProtocol
				}
			}})
			if err := r.Register(trace, inst("b", 2)); err != nil {
				t.Fatal(err)
			}
			if proto != "h2" {
				t.Fatalf("negotiated protocol %q want h2", proto)
			}
			nextUntil(t, w, "[a b]")
			// Past the 2s TTL: the renewals went through.
			time.Sleep(2500 * time.Millisecond) // etcd's lease runs on real time
			if got, err := r.Lookup(ctx, "api"); err != nil || ids(got) != "[a b]" {
				t.Fatalf("Lookup after the TTL = %s, %v want [a b]", ids(got), err)
			}
			if err := r.Close(); err != nil {
				t.Fatalf("Close = %v", err)
			}
			if _, err := w.Next(ctx); !errors.Is(err, discovery.ErrClosed) {
				t.Fatalf("Next after Close = %v want ErrClosed", err)
			}
		})
	}
	untrusted := newRegistry(t, s, func(c *Config) { c.OpTimeout = 10 * time.Second })
	start := time.Now()
	if _, err := untrusted.Lookup(ctx, "api"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Lookup without trusting the certificate = %v want a certificate error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("a certificate error took %v: it was retried", d)
	}
}
