package etcd

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// maxBody bounds an answer's body: a larger one is refused as malformed.
const maxBody = 64 << 20

// Backoff between rounds of attempts over every endpoint, within one
// request: firstDelay, growing by half each round up to MaxReconnectDelay.
const firstDelay = 100 * time.Millisecond

// client speaks etcd's v3 JSON gateway over net/http: it posts JSON to
// Endpoints[i]+path, failing over to the next endpoint when one cannot be
// reached, and authenticates when Username is set.
type client struct {
	endpoints []string // base URLs, no trailing slash
	username  string
	password  string
	maxDelay  time.Duration
	clk       clock.Clock
	tr        *http.Transport
	hc        *http.Client

	first  atomic.Uint32 // index of the endpoint to try first: the last that answered
	closed atomic.Bool

	authLock chan struct{} // a lock that waits with a context
	tokenMu  sync.Mutex
	token    string // "" until authenticated, and after a rejection
}

func newClient(cfg Config) *client {
	eps := make([]string, len(cfg.Endpoints))
	for i, ep := range cfg.Endpoints {
		eps[i], _ = endpointURL(ep, cfg.TLS != nil)
	}
	interval := max(cfg.DialTimeout/3, time.Second)
	dialer := &net.Dialer{
		Timeout: cfg.DialTimeout,
		// A peer that vanished without closing (a powered-off host) is
		// found within about 10s+DialTimeout, even on an idle watch.
		KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 10 * time.Second, Interval: interval, Count: 3},
	}
	tr := &http.Transport{
		Proxy:               nil, // etcd is reached directly, whatever HTTP_PROXY says
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: cfg.DialTimeout,
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true, // on TLS endpoints that offer it: one connection for everything
	}
	if cfg.TLS != nil {
		tr.TLSClientConfig = cfg.TLS.Clone()
	}
	return &client{
		endpoints: eps,
		username:  cfg.Username,
		password:  cfg.Password,
		maxDelay:  cfg.MaxReconnectDelay,
		clk:       cfg.Clock,
		tr:        tr,
		hc:        &http.Client{Transport: tr},
		authLock:  make(chan struct{}, 1),
	}
}

// close drops the idle connections, now and after any request still in
// flight (see do).
func (c *client) close() {
	c.closed.Store(true)
	c.tr.CloseIdleConnections()
}

// call posts in to path and decodes the answer into out.
func (c *client) call(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return c.do(ctx, path, body, nil, func(ep string, resp *http.Response) error {
		defer resp.Body.Close()
		data, err := readBody(resp.Body)
		if err != nil {
			return &connError{endpoint: ep, err: err}
		}
		if err := json.Unmarshal(data, out); err != nil {
			return &malformedError{endpoint: ep, err: err}
		}
		return nil
	})
}

// do posts body to path, on the endpoint that answered last first, and
// hands a 200 answer to handle, which owns its body. Every request this
// package sends is idempotent, so do tries again, on the next endpoint,
// after a connection error (refused, reset, cut) or an Unavailable answer
// (no leader); after a round over every endpoint it waits (firstDelay,
// growing up to MaxReconnectDelay) and goes round again, until ctx ends,
// unless every endpoint of the round failed its TLS handshake for good.
// An answer that rejects the token gets one new token and one more try.
// Any other error answer is returned at once, as a *statusError.
func (c *client) do(ctx context.Context, path string, body []byte, header http.Header,
	handle func(endpoint string, resp *http.Response) error) error {
	defer func() {
		if c.closed.Load() { // a request that outlived close: drop its connection
			c.tr.CloseIdleConnections()
		}
	}()
	var last error
	delay, failed, renewed := firstDelay, 0, false
	permanent := 0 // failures in this round that waiting does not mend
	for {
		i := int(c.first.Load()) % len(c.endpoints)
		ep := c.endpoints[i]
		token, err := c.tokenFor(ctx, ep)
		if err == nil {
			err = c.post(ctx, ep, path, body, token, header, handle)
		}
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ended(ctx, err)
		}
		var se *statusError
		switch {
		case errors.As(err, &se) && se.authExpired() && c.username != "" && !renewed:
			renewed = true
			c.dropToken(token)
			continue
		case isConnError(err) || (errors.As(err, &se) && se.unavailable()):
			last = err
			if isTLSError(err) {
				permanent++
			}
			c.first.CompareAndSwap(uint32(i), uint32(i+1)%uint32(len(c.endpoints)))
			if failed++; failed < len(c.endpoints) {
				continue
			}
			if permanent == failed {
				return err // every endpoint refused TLS: a setup error
			}
			failed, permanent = 0, 0
			if clock.Sleep(ctx, c.clk, delay) != nil {
				return ended(ctx, last)
			}
			delay = min(delay*3/2, max(c.maxDelay, firstDelay))
		default:
			return err
		}
	}
}

// ended is the error of a request whose context ended: ctx's error, with
// the last failure as detail.
func ended(ctx context.Context, last error) error {
	if errors.Is(last, ctx.Err()) {
		last = nil
	}
	return &endedError{ctxErr: ctx.Err(), last: last}
}

// endedError is ctx's error, and the failure before it, if any.
type endedError struct {
	ctxErr error
	last   error // nil if none
}

func (e *endedError) Error() string {
	if e.last == nil {
		return e.ctxErr.Error()
	}
	return e.ctxErr.Error() + " (last error: " + e.last.Error() + ")"
}

func (e *endedError) Unwrap() error { return e.ctxErr }

// post sends one request to one endpoint.
func (c *client) post(ctx context.Context, ep, path string, body []byte, token string, header http.Header,
	handle func(string, *http.Response) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	// Idempotent: the transport may resend it on a connection that was
	// closed while idle (the header is not sent).
	req.Header["Idempotency-Key"] = nil
	if token != "" && token != noToken {
		req.Header.Set("Authorization", token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return &connError{endpoint: ep, err: err}
	}
	if resp.StatusCode != http.StatusOK {
		data, rerr := readBody(resp.Body)
		resp.Body.Close()
		if rerr != nil && len(data) == 0 {
			return &connError{endpoint: ep, err: rerr}
		}
		return parseStatus(resp.StatusCode, data)
	}
	return handle(ep, resp)
}

func readBody(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	if err == nil && len(data) > maxBody {
		err = fmt.Errorf("answer larger than %d bytes", maxBody)
	}
	return data, err
}

// connError is a failure to reach an endpoint or to read its answer.
type connError struct {
	endpoint string
	err      error
}

func (e *connError) Error() string { return e.endpoint + ": " + e.err.Error() }
func (e *connError) Unwrap() error { return e.err }

func isConnError(err error) bool {
	var ce *connError
	return errors.As(err, &ce)
}

// isTLSError reports a TLS handshake that failed for a reason waiting
// does not mend: an untrusted or mismatched certificate, or an endpoint
// that does not speak TLS.
func isTLSError(err error) bool {
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &unknown) ||
		errors.As(err, &host) || errors.As(err, &invalid)
}

// malformedError is an answer that does not decode.
type malformedError struct {
	endpoint string
	err      error
}

func (e *malformedError) Error() string {
	return "malformed answer from " + e.endpoint + ": " + e.err.Error()
}
func (e *malformedError) Unwrap() error { return e.err }

// CheckEndpoint reports why ep is not an endpoint a Registry accepts
// ("http://host:port", "https://host:port" or "host:port"), or nil. Config
// validation elsewhere (the proxy's YAML) uses it to name the bad field.
func CheckEndpoint(ep string) error {
	if strings.TrimSpace(ep) == "" || strings.ContainsAny(ep, " \t\r\n") {
		return errors.New("blank, or contains spaces")
	}
	_, err := endpointURL(ep, false)
	return err
}

// endpointURL turns an endpoint ("http://host:port", "https://host:port",
// or "host:port", which is https when tlsOn) into the base URL requests
// go to, or says why it cannot.
func endpointURL(ep string, tlsOn bool) (string, error) {
	if !strings.Contains(ep, "://") {
		if tlsOn {
			ep = "https://" + ep
		} else {
			ep = "http://" + ep
		}
	}
	scheme, rest, _ := strings.Cut(ep, "://")
	scheme = strings.ToLower(scheme)
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("scheme %q is not http or https", scheme)
	}
	host, _, _ := strings.Cut(rest, "/")
	if host == "" || strings.ContainsAny(host, "?#@") {
		return "", errors.New("no host")
	}
	if _, _, err := net.SplitHostPort(host); err != nil && !strings.Contains(err.Error(), "missing port") {
		return "", err
	}
	return scheme + "://" + host, nil
}
