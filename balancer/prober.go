package balancer

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
)

// HTTPProber probes an endpoint with an HTTP GET of Path and expects a 2xx
// answer. The zero value probes "http://<addr>/".
type HTTPProber struct {
	// Path is the path and query to GET. Empty means "/".
	Path string
	// Scheme is "http" or "https". Empty means "http".
	Scheme string
	// Host, when set, is sent as the Host header. Empty means the
	// endpoint's address.
	Host string
	// Client sends the probes. Nil means a client that opens a fresh
	// connection for every probe (keep-alives off, so probes test
	// connection setup and leave no idle connections behind) and follows
	// no redirects.
	Client *http.Client
}

var _ Prober = HTTPProber{}

var defaultProbeClient = &http.Client{
	Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// Probe GETs the endpoint's Path and returns nil on a 2xx status, an error
// wrapping ErrProbeFailed on any other status, and the transport error
// when the request fails.
func (p HTTPProber) Probe(ctx context.Context, e Endpoint) error {
	scheme, path := p.Scheme, p.Path
	if scheme == "" {
		scheme = "http"
	}
	if path == "" || path[0] != '/' {
		path = "/" + path
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+e.Addr+path, nil)
	if err != nil {
		return err
	}
	if p.Host != "" {
		req.Host = p.Host
	}
	req.Header.Set("User-Agent", "resilience-go-healthcheck")
	client := p.Client
	if client == nil {
		client = defaultProbeClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("%w: %s answered %d", ErrProbeFailed, e.Addr, resp.StatusCode)
	}
	return nil
}

// TCPProber probes an endpoint by opening a TCP connection to its address
// and closing it at once.
type TCPProber struct {
	// Dialer opens the connections. Nil means a zero net.Dialer.
	Dialer *net.Dialer
}

var _ Prober = TCPProber{}

// Probe returns nil when a connection to the endpoint's address opens.
func (p TCPProber) Probe(ctx context.Context, e Endpoint) error {
	d := p.Dialer
	if d == nil {
		d = &net.Dialer{}
	}
	conn, err := d.DialContext(ctx, "tcp", e.Addr)
	if err != nil {
		return err
	}
	return conn.Close()
}
