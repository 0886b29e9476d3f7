package proxy

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/config"
)

const reloadYAML = base + `
routes:
  - name: keep
    match: {path_prefix: /keep}
    cluster: %s
    policies:
      circuit_breaker: {failure_rate_threshold: 0, consecutive_failures: 1, open_duration: 1h}
  - name: move
    cluster: %s
clusters:
  - {name: a, discovery: {static: [%s]}}
  - {name: b, discovery: {static: [%s]}}
`

func TestApplyKeepsUnchangedBreaker(t *testing.T) {
	a, b := upstream(t, "a", nil), upstream(t, "b", nil)
	p := start(t, parse(t, reloadYAML, "a", "a", addr(a), addr(b)))
	br := p.table.Load().routes[0].pol.breaker
	br.ForceOpen()
	before := br.State()
	if _, body, _ := get(t, "http://"+p.Addr()+"/other"); body != "a" {
		t.Fatalf("before reload /other = %q want a", body)
	}
	if err := p.Apply(parse(t, reloadYAML, "a", "b", addr(a), addr(b))); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if _, body, _ := get(t, "http://"+p.Addr()+"/other"); body != "b" {
		t.Fatalf("after reload /other = %q want b", body)
	}
	nb := p.table.Load().routes[0].pol.breaker
	if nb != br || nb.State() != before || before == circuitbreaker.StateClosed {
		t.Fatalf("kept breaker: same=%v state=%v want same instance, %v", nb == br, nb.State(), before)
	}
	if code, _, _ := get(t, "http://"+p.Addr()+"/keep"); code != 503 {
		t.Fatalf("/keep with open breaker = %d want 503", code)
	}
}

func TestWatcherRejectsInvalid(t *testing.T) {
	a, b := upstream(t, "a", nil), upstream(t, "b", nil)
	dir := t.TempDir()
	path := filepath.Join(dir, "proxy.yaml")
	good := []byte(reloadYAMLf("a", addr(a), addr(b)))
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p := start(t, cfg)
	errc := make(chan error, 4)
	w, err := config.NewWatcher(config.WatcherConfig{
		Path: path, Interval: -1, Clock: clock.NewManual(time.Unix(0, 0)),
		OnChange: func(u config.Update) { _ = p.Apply(u.Config) },
		OnError:  func(err error) { errc <- err },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := os.WriteFile(path, []byte(reloadYAMLf("b", addr(a), addr(b))), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(); err != nil {
		t.Fatalf("Reload(valid) = %v", err)
	}
	if _, body, _ := get(t, "http://"+p.Addr()+"/"); body != "b" {
		t.Fatalf("after valid reload / = %q want b", body)
	}
	if err := os.WriteFile(path, []byte("routes: [{name: x, cluster: nope, bogus: 1}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.Reload(); !errors.Is(err, config.ErrInvalid) {
		t.Fatalf("Reload(invalid) = %v want ErrInvalid", err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, config.ErrInvalid) {
			t.Fatalf("OnError got %v want ErrInvalid", err)
		}
	default:
		t.Fatal("OnError was not called for the invalid file")
	}
	if _, body, _ := get(t, "http://"+p.Addr()+"/"); body != "b" {
		t.Fatalf("after invalid reload / = %q want b (config in force)", body)
	}
}

func reloadYAMLf(cl, a, b string) string {
	return base + `
routes:
  - name: move
    cluster: ` + cl + `
clusters:
  - {name: a, discovery: {static: [` + a + `]}}
  - {name: b, discovery: {static: [` + b + `]}}
`
}
