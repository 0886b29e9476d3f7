package config_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/config"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// breakerFile is a valid config whose breaker threshold is pct.
func breakerFile(pct string) string {
	return withPolicies("      circuit_breaker: {failure_rate_threshold: " + pct + "}\n      retry: {max_attempts: 2}\n")
}

// recorder collects what a Watcher delivers.
type recorder struct {
	mu      sync.Mutex
	updates []config.Update
	errs    []error
}

func (r *recorder) onChange(u config.Update) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updates = append(r.updates, u)
}

func (r *recorder) onError(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, err)
}

func (r *recorder) counts() (updates, errs int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.updates), len(r.errs)
}

// writeFile writes content with a modification time of its own, so that
// a poll sees the change whatever the file system's time resolution.
func writeFile(t *testing.T, path, content string, mtime time.Time) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

type watchEnv struct {
	path string
	clk  *clock.Manual
	rec  *recorder
	w    *config.Watcher
	n    int // files written, for distinct mtimes
}

func newWatchEnv(t *testing.T, content string) *watchEnv {
	t.Helper()
	e := &watchEnv{path: filepath.Join(t.TempDir(), "proxy.yaml"), clk: clock.NewManual(t0), rec: &recorder{}}
	e.write(t, content)
	w, err := config.NewWatcher(config.WatcherConfig{Path: e.path, Clock: e.clk, OnChange: e.rec.onChange, OnError: e.rec.onError})
	if err != nil {
		t.Fatalf("NewWatcher: %v", err)
	}
	t.Cleanup(w.Close)
	e.w = w
	return e
}

func (e *watchEnv) write(t *testing.T, content string) {
	e.n++
	writeFile(t, e.path, content, t0.Add(time.Duration(e.n)*time.Minute))
}

func (e *watchEnv) wantCounts(t *testing.T, step string, updates, errs int) {
	t.Helper()
	if u, er := e.rec.counts(); u != updates || er != errs {
		t.Fatalf("%s: %d updates and %d errors delivered, want %d and %d", step, u, er, updates, errs)
	}
}

func TestWatcherPollsAndKeepsTheLastValidConfig(t *testing.T) {
	e := newWatchEnv(t, breakerFile("50"))
	if c, v := e.w.Current(); v != 1 || c.Routes[0].Policies.CircuitBreaker.FailureRateThreshold != 50 {
		t.Fatalf("Current() = version %d, threshold %v; want 1 and 50", v, c.Routes[0].Policies.CircuitBreaker.FailureRateThreshold)
	}

	e.clk.Advance(time.Second)
	e.wantCounts(t, "unchanged file", 0, 0)

	e.write(t, breakerFile("60"))
	e.clk.Advance(time.Second)
	e.wantCounts(t, "valid change", 1, 0)
	u := e.rec.updates[0]
	if u.Version != 2 || u.Config.Routes[0].Policies.CircuitBreaker.FailureRateThreshold != 60 || u.Previous == nil {
		t.Errorf("update = version %d, threshold %v; want 2 and 60", u.Version, u.Config.Routes[0].Policies.CircuitBreaker.FailureRateThreshold)
	}
	if u.Changes.Keep("api", config.KindCircuitBreaker) || !u.Changes.Keep("api", config.KindRetry) {
		t.Errorf("Changes = %+v, want the breaker changed and the retry kept", u.Changes.Policies)
	}

	e.write(t, breakerFile("150"))
	e.clk.Advance(time.Second)
	e.wantCounts(t, "invalid change", 1, 1)
	var errs *config.Errors
	if !errors.As(e.rec.errs[0], &errs) || errs.List[0].Path != "routes[0].policies.circuit_breaker.failure_rate_threshold" {
		t.Errorf("OnError got %v, want the threshold's error", e.rec.errs[0])
	}
	if _, v := e.w.Current(); v != 2 {
		t.Errorf("Current() version = %d after an invalid change, want 2 kept", v)
	}

	e.clk.Advance(3 * time.Second)
	e.wantCounts(t, "same invalid file polled again", 1, 1)

	// SIGHUP: an explicit reload reports the problem again.
	if err := e.w.Reload(); !errors.Is(err, config.ErrInvalid) {
		t.Errorf("Reload() = %v, want the invalid file's errors", err)
	}
	e.wantCounts(t, "Reload of the invalid file", 1, 2)

	e.write(t, breakerFile("70"))
	if err := e.w.Reload(); err != nil {
		t.Errorf("Reload() = %v", err)
	}
	e.wantCounts(t, "Reload of a fixed file", 2, 2)
	if got := e.rec.updates[1].Version; got != 3 {
		t.Errorf("version after reload = %d want 3", got)
	}
	e.clk.Advance(time.Second)
	e.wantCounts(t, "poll after the reload", 2, 2)

	e.write(t, breakerFile("70")) // touched: new mtime, same content
	e.clk.Advance(time.Second)
	if err := e.w.Reload(); err != nil {
		t.Errorf("Reload() of unchanged content = %v", err)
	}
	e.wantCounts(t, "touched file", 2, 2)
}

func TestWatcherReportsAMissingFile(t *testing.T) {
	e := newWatchEnv(t, breakerFile("50"))
	if err := os.Remove(e.path); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(time.Second)
	e.clk.Advance(time.Second)
	e.wantCounts(t, "file removed", 0, 1)
	if !errors.Is(e.rec.errs[0], fs.ErrNotExist) {
		t.Errorf("OnError got %v, want fs.ErrNotExist", e.rec.errs[0])
	}
	e.write(t, breakerFile("55"))
	e.clk.Advance(time.Second)
	e.wantCounts(t, "file back", 1, 1)
}

func TestWatcherClose(t *testing.T) {
	e := newWatchEnv(t, breakerFile("50"))
	if n := e.clk.Timers(); n != 1 {
		t.Fatalf("Timers() = %d want 1 poll timer", n)
	}
	e.w.Close()
	e.w.Close()
	if n := e.clk.Timers(); n != 0 {
		t.Errorf("Timers() after Close = %d want 0", n)
	}
	e.write(t, breakerFile("60"))
	e.clk.Advance(time.Minute)
	e.wantCounts(t, "after Close", 0, 0)
	if err := e.w.Reload(); err != nil {
		t.Errorf("Reload() after Close = %v", err)
	}
	e.wantCounts(t, "Reload after Close", 1, 0)
}

func TestNewWatcherRefusesAnInvalidStart(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	writeFile(t, bad, "listeners: []\n", t0)
	tests := []struct {
		name string
		cfg  config.WatcherConfig
		is   error
	}{
		{"no path", config.WatcherConfig{}, nil},
		{"missing file", config.WatcherConfig{Path: filepath.Join(dir, "none.yaml")}, fs.ErrNotExist},
		{"invalid file", config.WatcherConfig{Path: bad}, config.ErrInvalid},
	}
	for _, tt := range tests {
		w, err := config.NewWatcher(tt.cfg)
		if w != nil || err == nil || (tt.is != nil && !errors.Is(err, tt.is)) {
			t.Errorf("%s: NewWatcher = %v, %v; want nil and an error matching %v", tt.name, w, err, tt.is)
		}
	}
}

func TestWatcherWithoutPolling(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.yaml")
	writeFile(t, path, breakerFile("50"), t0)
	clk := clock.NewManual(t0)
	w, err := config.NewWatcher(config.WatcherConfig{Path: path, Interval: -1, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if n := clk.Timers(); n != 0 {
		t.Errorf("Timers() = %d with polling off", n)
	}
	writeFile(t, path, breakerFile("60"), t0.Add(time.Minute))
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	if c, v := w.Current(); v != 2 || c.Routes[0].Policies.CircuitBreaker.FailureRateThreshold != 60 {
		t.Errorf("Current() = version %d after Reload with no OnChange, want 2 with threshold 60", v)
	}
}

// TestWatcherCallbackMayReload checks that OnChange can call Reload and
// Current without deadlocking, and that events stay in order.
func TestWatcherCallbackMayReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.yaml")
	writeFile(t, path, breakerFile("50"), t0)
	var versions []uint64
	var w *config.Watcher
	w, err := config.NewWatcher(config.WatcherConfig{Path: path, Interval: -1, OnChange: func(u config.Update) {
		versions = append(versions, u.Version)
		if u.Version == 2 {
			writeFile(t, path, breakerFile("70"), t0.Add(2*time.Minute))
			if err := w.Reload(); err != nil {
				t.Errorf("Reload from OnChange: %v", err)
			}
			if _, v := w.Current(); v != 3 {
				t.Errorf("Current() from OnChange = version %d want 3", v)
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	writeFile(t, path, breakerFile("60"), t0.Add(time.Minute))
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	if want := []uint64{2, 3}; len(versions) != 2 || versions[0] != 2 || versions[1] != 3 {
		t.Errorf("versions delivered = %v want %v", versions, want)
	}
}

// TestWatcherHammer reloads from many goroutines while the file changes;
// under -race it checks the locking, and that versions arrive in order.
func TestWatcherHammer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.yaml")
	writeFile(t, path, breakerFile("50"), t0)
	var mu sync.Mutex
	var versions []uint64
	clk := clock.NewManual(t0)
	w, err := config.NewWatcher(config.WatcherConfig{Path: path, Clock: clk, OnChange: func(u config.Update) {
		mu.Lock()
		versions = append(versions, u.Version)
		mu.Unlock()
	}, OnError: func(error) {}})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 25 {
				if g == 0 {
					pct := []string{"10", "20", "30", "150"}[i%4] // one in four invalid
					tmp := path + ".tmp"
					writeFile(t, tmp, breakerFile(pct), t0.Add(time.Duration(i+1)*time.Minute))
					if err := os.Rename(tmp, path); err != nil {
						t.Error(err)
					}
				}
				if g == 1 {
					clk.Advance(time.Second)
				}
				_ = w.Reload()
				if c, _ := w.Current(); c == nil || c.Routes[0].Policies.CircuitBreaker.FailureRateThreshold > 100 {
					t.Error("Current() returned an invalid config")
				}
			}
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(versions); i++ {
		if versions[i] != versions[i-1]+1 {
			t.Fatalf("versions delivered out of order: %v", versions)
		}
	}
	if _, v := w.Current(); len(versions) == 0 || versions[len(versions)-1] != v {
		t.Errorf("last version delivered %v, Current %d", versions, v)
	}
}
