package proxy

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/discovery"
	"github.com/resilience-go/resilience/discovery/etcd"
)

// etcdCluster is a cluster "api" discovered in the etcd at endpoint.
const etcdCluster = `
routes: [{name: all, cluster: api}]
clusters:
  - name: api
    discovery:
      etcd:
        endpoints: [%s]
        op_timeout: %s
        dial_timeout: 1s
        retry_interval: 100ms
        max_reconnect_delay: 200ms
`

// registrar registers test upstreams in s as instances of "api", as the
// upstreams' own processes would.
func registrar(t *testing.T, s *etcdServer) *etcd.Registry {
	t.Helper()
	r, err := etcd.New(etcd.Config{Endpoints: []string{s.Endpoint()}, TTL: 10 * time.Second,
		OpTimeout: time.Second, DialTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func register(t *testing.T, r *etcd.Registry, id string, up *httptest.Server) {
	t.Helper()
	u, _ := url.Parse(up.URL)
	port, _ := strconv.Atoi(u.Port())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Register(ctx, discovery.Instance{ID: id, Service: "api", Address: u.Hostname(), Port: port}); err != nil {
		t.Fatalf("Register(%s): %v", id, err)
	}
}

// upstreamsSeen sends n requests and returns the upstreams that answered,
// sorted and joined; a failed request shows as "!<status>".
func upstreamsSeen(t *testing.T, p *Proxy, n int) string {
	t.Helper()
	seen := map[string]bool{}
	for range n {
		code, _, h := get(t, "http://"+p.Addr()+"/")
		if code != 200 {
			seen["!"+strconv.Itoa(code)] = true
			continue
		}
		seen[h.Get("X-Upstream")] = true
	}
	var out []string
	for _, k := range []string{"a", "b", "c"} {
		if seen[k] {
			out = append(out, k)
			delete(seen, k)
		}
	}
	for k := range seen {
		out = append(out, k)
	}
	return strings.Join(out, " ")
}

// TestEtcdDiscovery follows instances in a real etcd: the proxy routes to
// the registered ones, stops routing to one deregistered, starts routing
// to one registered, and keeps routing to the last known set while etcd is
// down; Shutdown closes the etcd client (TestMain checks for leaks).
func TestEtcdDiscovery(t *testing.T) {
	s := startEtcd(t)
	a, b, c := upstream(t, "a", nil), upstream(t, "b", nil), upstream(t, "c", nil)
	reg := registrar(t, s)
	register(t, reg, "a-1", a)
	register(t, reg, "b-1", b)
	p := start(t, parse(t, base+etcdCluster, s.Endpoint(), "1s"))

	steps := []struct {
		name   string
		change func()
		want   string
	}{
		{"registered", func() {}, "a b"},
		{"deregistered", func() {
			if err := reg.Deregister(context.Background(), "b-1"); err != nil {
				t.Fatalf("Deregister: %v", err)
			}
		}, "a"},
		{"added", func() { register(t, reg, "c-1", c) }, "a c"},
		{"etcd-down", s.Stop, "a c"}, // the last known set keeps serving
	}
	for _, st := range steps {
		st.change()
		var got string
		waitFor(t, st.name+": upstreams "+st.want, func() bool {
			got = upstreamsSeen(t, p, 8)
			return got == st.want
		})
	}
	// Still serving from the last known set a while after etcd went down,
	// past several reconnection attempts.
	time.Sleep(500 * time.Millisecond) // real etcd client reconnecting: bounded
	if got := upstreamsSeen(t, p, 8); got != "a c" {
		t.Fatalf("with etcd down, upstreams = %q want %q", got, "a c")
	}
}

// TestEtcdReload replaces an etcd cluster by a reload (its settings
// changed) and then by a static one: each replaced cluster's etcd client
// is closed, and traffic keeps flowing.
func TestEtcdReload(t *testing.T) {
	s := startEtcd(t)
	a := upstream(t, "a", nil)
	register(t, registrar(t, s), "a-1", a)
	p := start(t, parse(t, base+etcdCluster, s.Endpoint(), "1s"))
	old := p.table.Load().clusters["api"]
	steps := []struct {
		name string
		cfg  *config.Config
	}{
		{"etcd-changed", parse(t, base+etcdCluster, s.Endpoint(), "2s")},
		{"to-static", parse(t, base+`
routes: [{name: all, cluster: api}]
clusters: [{name: api, discovery: {static: [%s]}}]
`, addr(a))},
	}
	for _, st := range steps {
		if err := p.Apply(st.cfg); err != nil {
			t.Fatalf("%s: Apply: %v", st.name, err)
		}
		select {
		case <-old.done: // the replaced cluster stopped following etcd
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the replaced cluster still runs", st.name)
		}
		if got := upstreamsSeen(t, p, 4); got != "a" {
			t.Fatalf("%s: upstreams = %q want a", st.name, got)
		}
		old = p.table.Load().clusters["api"]
	}
}

// TestEtcdUnreachable checks that a cluster whose etcd does not answer
// fails after op_timeout, naming the cluster: New fails and leaves nothing
// running; Apply fails and the old configuration keeps serving.
func TestEtcdUnreachable(t *testing.T) {
	down := parse(t, base+etcdCluster, "http://127.0.0.1:1", "300ms")
	t.Run("new", func(t *testing.T) {
		p, err := New(down, Options{})
		if err == nil {
			p.Shutdown(context.Background())
			t.Fatal("New with an unreachable etcd succeeded")
		}
		if !strings.Contains(err.Error(), `cluster "api"`) {
			t.Fatalf("New error = %v want it to name cluster \"api\"", err)
		}
	})
	t.Run("apply", func(t *testing.T) {
		a := upstream(t, "a", nil)
		p := start(t, parse(t, base+`
routes: [{name: all, cluster: api}]
clusters: [{name: api, discovery: {static: [%s]}}]
`, addr(a)))
		if err := p.Apply(down); err == nil || !strings.Contains(err.Error(), `cluster "api"`) {
			t.Fatalf("Apply with an unreachable etcd = %v want an error naming cluster \"api\"", err)
		}
		if got := upstreamsSeen(t, p, 2); got != "a" {
			t.Fatalf("after the failed Apply, upstreams = %q want a", got)
		}
	})
}
