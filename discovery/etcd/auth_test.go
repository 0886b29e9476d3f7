package etcd

import (
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func (r *Registry) tokenForTest() string {
	r.cli.tokenMu.Lock()
	defer r.cli.tokenMu.Unlock()
	return r.cli.token
}

func (r *Registry) setTokenForTest(token string) {
	r.cli.tokenMu.Lock()
	defer r.cli.tokenMu.Unlock()
	r.cli.token = token
}

// Username and Password on a real etcd: without auth enabled the Registry
// sends no token; once auth is on, it authenticates, sends the token, and
// gets a new one whenever etcd rejects it; a wrong password fails at once.
func TestAuth(t *testing.T) {
	s := startEtcd(t)
	ctx := bg(t)
	raw := rawClient(t, s)
	r := newRegistry(t, s, func(c *Config) { c.Username, c.Password = "root", "secret" })

	// No auth yet: the Registry works without a token.
	if err := r.Register(ctx, inst("a", 1)); err != nil {
		t.Fatalf("Register without auth enabled = %v", err)
	}
	if tok := r.tokenForTest(); tok != noToken {
		t.Fatalf("token without auth enabled = %q want none", tok)
	}

	// Auth enabled meanwhile: etcd refuses the request without a user,
	// and the Registry authenticates.
	raw.enableAuth("secret")
	got, err := r.Lookup(ctx, "api")
	if err != nil || ids(got) != "[a]" {
		t.Fatalf("Lookup after auth was enabled = %s, %v want [a]", ids(got), err)
	}
	first := r.tokenForTest()
	if first == "" || first == noToken {
		t.Fatalf("token after auth was enabled = %q want one", first)
	}

	// A token etcd rejects (expired, or lost in a restart) is replaced.
	r.setTokenForTest("bogus.1")
	if err := r.Register(ctx, inst("b", 2)); err != nil {
		t.Fatalf("Register with a rejected token = %v", err)
	}
	if tok := r.tokenForTest(); tok == "bogus.1" || tok == "" {
		t.Fatalf("token after a rejection = %q want a new one", tok)
	}
	w, err := r.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	nextUntil(t, w, "[a b]")
	r.setTokenForTest("bogus.2") // the watch's creation is refused, then retried
	st, err := r.openWatch(ctx, "api", 1)
	if err != nil {
		t.Fatalf("openWatch with a rejected token = %v", err)
	}
	st.close()
	if err := r.Deregister(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	nextUntil(t, w, "[b]")
	if kvs := raw.get("/services/api/", true); len(kvs) != 1 || string(kvs[0].Key) != "/services/api/b" {
		t.Fatalf("keys = %+v want /services/api/b alone", kvs)
	}

	// A wrong password is refused at once, not retried until OpTimeout.
	bad := newRegistry(t, s, func(c *Config) { c.Username, c.Password, c.OpTimeout = "root", "wrong", 10*time.Second })
	start := time.Now()
	_, err = bad.Lookup(ctx, "api")
	if err == nil || errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), `authenticate as "root"`) ||
		!strings.Contains(err.Error(), "authentication failed") || time.Since(start) > 5*time.Second {
		t.Fatalf("Lookup with a wrong password = %v after %v want an authentication error at once", err, time.Since(start))
	}
	// Without credentials, etcd's refusal is passed on.
	anon := newRegistry(t, s, nil)
	if _, err := anon.Lookup(ctx, "api"); err == nil || !strings.Contains(err.Error(), "user name is empty") {
		t.Fatalf("Lookup without credentials = %v want etcd's refusal", err)
	}
}

// Requests fail over from an endpoint that refuses connections to the
// next, and later requests start with the one that answered.
func TestEndpointFailover(t *testing.T) {
	s := startEtcd(t)
	ctx := bg(t)
	down := "http://127.0.0.1:" + strconv.Itoa(freePort(t))
	r := newRegistry(t, s, func(c *Config) { c.Endpoints, c.MaxReconnectDelay = []string{down, s.Endpoint()}, time.Hour })
	start := time.Now()
	if err := r.Register(ctx, inst("a", 1)); err != nil {
		t.Fatalf("Register with the first endpoint down = %v", err)
	}
	got, err := r.Lookup(ctx, "api")
	if err != nil || ids(got) != "[a]" {
		t.Fatalf("Lookup = %s, %v want [a]", ids(got), err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("failover took %v: it waited instead of trying the next endpoint", d)
	}
	if i := r.cli.first.Load(); i != 1 {
		t.Fatalf("first endpoint = %d want 1 (the one that answered)", i)
	}
	w, err := r.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	nextUntil(t, w, "[a]")
	if err := r.Deregister(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	nextUntil(t, w, "[]")
}
