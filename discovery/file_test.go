package discovery_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/discovery"
)

// writeFile replaces path atomically, as FileConfig recommends.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

const fileAB = `[
  {"id": "a", "service": "api", "address": "10.0.0.1", "port": 8080},
  {"id": "b", "service": "api", "address": "10.0.0.2", "port": 8080, "weight": 5},
  {"id": "d", "service": "db", "address": "10.0.1.1", "port": 5432}
]`

func newTestFile(t *testing.T, content string, mod func(*discovery.FileConfig)) (*discovery.File, *clock.Manual, string, *recorder) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "instances.json")
	writeFile(t, path, content)
	m := clock.NewManual(t0)
	rec := &recorder{}
	cfg := discovery.FileConfig{Path: path, Interval: time.Second, Clock: m, Listener: rec}
	if mod != nil {
		mod(&cfg)
	}
	f, err := discovery.NewFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f, m, path, rec
}

func TestFileReloadsOnChange(t *testing.T) {
	ctx := context.Background()
	f, m, path, rec := newTestFile(t, fileAB, nil)
	got, err := f.Lookup(ctx, "api")
	if err != nil || ids(got) != "[a b]" || got[0].Weight != 1 || got[1].Weight != 5 {
		t.Fatalf("Lookup(api) = %+v, %v", got, err)
	}
	if got, _ := f.Lookup(ctx, "db"); ids(got) != "[d]" {
		t.Fatalf("Lookup(db) = %s want [d]", ids(got))
	}
	if got, err := f.Lookup(ctx, "none"); err != nil || len(got) != 0 {
		t.Fatalf("Lookup(none) = %s, %v want empty", ids(got), err)
	}
	w, err := f.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if u := next(t, w); ids(u.Instances) != "[a b]" {
		t.Fatalf("first Next = %s", ids(u.Instances))
	}

	writeFile(t, path, `[{"id": "c", "service": "api", "address": "10.0.0.3", "port": 8080}]`)
	m.Advance(999 * time.Millisecond)
	noNext(t, w) // not checked yet
	m.Advance(time.Millisecond)
	if u := next(t, w); ids(u.Instances) != "[c]" {
		t.Fatalf("after change Next = %s want [c]", ids(u.Instances))
	}
	if got, _ := f.Lookup(ctx, "db"); len(got) != 0 {
		t.Fatalf("db after it left the file = %s want empty", ids(got))
	}
	s := f.Stats()
	if s.Checks != 2 || s.Loads != 2 || s.Failures != 0 || s.Instances != 1 || !s.LastLoad.Equal(t0.Add(time.Second)) {
		t.Fatalf("Stats = %+v want 2 checks, 2 loads, 1 instance, loaded at t0+1s", s)
	}
	if rec.count(resilience.EventSuccess) != 2 {
		t.Fatalf("EventSuccess count = %d want 2", rec.count(resilience.EventSuccess))
	}

	// Same content, new file and mtime: read and hashed, not published.
	writeFile(t, path, `[{"id": "c", "service": "api", "address": "10.0.0.3", "port": 8080}]`)
	m.Advance(time.Second)
	noNext(t, w)
	if s := f.Stats(); s.Checks != 3 || s.Loads != 2 {
		t.Fatalf("Stats after rewrite with same content = %+v want 3 checks, 2 loads", s)
	}
	// Unchanged file: several checks, nothing published.
	m.Advance(3 * time.Second)
	if s := f.Stats(); s.Checks != 6 || s.Loads != 2 {
		t.Fatalf("Stats after idle checks = %+v want 6 checks, 2 loads", s)
	}
	noNext(t, w)
}

func TestFileKeepsLastGoodSet(t *testing.T) {
	ctx := context.Background()
	f, m, path, rec := newTestFile(t, fileAB, nil)
	w, err := f.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	next(t, w)

	bad := []struct {
		name, content string
		want          error
	}{
		{"syntax", `[{"id": "a", "service": "api"`, discovery.ErrInvalidInstance},
		{"invalid-port", `[{"id": "a", "service": "api", "address": "10.0.0.1", "port": 70000}]`, discovery.ErrInvalidPort},
		{"weight-zero", `[{"id": "a", "service": "api", "address": "10.0.0.1", "port": 1, "weight": 0}]`, discovery.ErrInvalidWeight},
		{"duplicate", `[{"id": "a", "service": "api", "address": "10.0.0.1", "port": 1}, {"id": "a", "service": "db", "address": "10.0.0.2", "port": 1}]`, discovery.ErrDuplicateID},
		{"no-service", `[{"id": "a", "address": "10.0.0.1", "port": 1}]`, discovery.ErrInvalidID},
	}
	for i, tt := range bad {
		writeFile(t, path, tt.content)
		m.Advance(time.Second)
		if err := f.Err(); !errors.Is(err, tt.want) || !strings.Contains(err.Error(), path) {
			t.Fatalf("%s: Err() = %v want %v naming the file", tt.name, err, tt.want)
		}
		if got, _ := f.Lookup(ctx, "api"); ids(got) != "[a b]" {
			t.Fatalf("%s: Lookup = %s want the last good [a b]", tt.name, ids(got))
		}
		if n := rec.count(resilience.EventFailure); n != i+1 {
			t.Fatalf("%s: %d failure events want %d", tt.name, n, i+1)
		}
	}
	noNext(t, w)
	// The same bad file is not decoded or reported again.
	m.Advance(2 * time.Second)
	if n := rec.count(resilience.EventFailure); n != len(bad) {
		t.Fatalf("failure events after repeated checks = %d want %d", n, len(bad))
	}
	if s := f.Stats(); s.Failures != uint64(len(bad)+2) || s.Err == nil {
		t.Fatalf("Stats = %+v want %d failures and Err", s, len(bad)+2)
	}

	// A missing file is an error too; the set stays.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	m.Advance(time.Second)
	if err := f.Err(); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("Err() after remove = %v want os.ErrNotExist", err)
	}
	if got, _ := f.Lookup(ctx, "api"); ids(got) != "[a b]" {
		t.Fatalf("Lookup after remove = %s", ids(got))
	}

	// Fixing the file recovers.
	writeFile(t, path, `[{"id": "z", "service": "api", "address": "10.0.0.9", "port": 80}]`)
	m.Advance(time.Second)
	if err := f.Err(); err != nil {
		t.Fatalf("Err() after fix = %v", err)
	}
	if u := next(t, w); ids(u.Instances) != "[z]" {
		t.Fatalf("Next after fix = %s want [z]", ids(u.Instances))
	}
}

// A YAML-like format through the Decode hook: "id address port" lines.
func decodeLines(data []byte) ([]discovery.Instance, error) {
	var out []discovery.Instance
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 3 {
			return nil, errors.New("want id address port")
		}
		p, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, err
		}
		out = append(out, discovery.Instance{ID: f[0], Address: f[1], Port: p})
	}
	return out, nil
}

func TestFileDecodeHookAndDefaultService(t *testing.T) {
	f, m, path, _ := newTestFile(t, "a 10.0.0.1 80\nb api.internal 443\n", func(c *discovery.FileConfig) {
		c.Decode = decodeLines
		c.Service = "api"
	})
	got, err := f.Lookup(context.Background(), "api")
	if err != nil || ids(got) != "[a b]" || got[1].Address != "api.internal" || got[0].Weight != 1 {
		t.Fatalf("Lookup = %+v, %v", got, err)
	}
	writeFile(t, path, "a 10.0.0.1 0\n") // the hook's output is validated too
	m.Advance(time.Second)
	if !errors.Is(f.Err(), discovery.ErrInvalidPort) {
		t.Fatalf("Err() = %v want ErrInvalidPort", f.Err())
	}
	writeFile(t, path, "garbage\n")
	m.Advance(time.Second)
	if err := f.Err(); err == nil || !strings.Contains(err.Error(), "want id address port") {
		t.Fatalf("Err() = %v want the hook's error", err)
	}
}

func TestNewFileErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	writeFile(t, good, fileAB)
	big := filepath.Join(dir, "big.json")
	writeFile(t, big, fileAB)
	broken := filepath.Join(dir, "broken.json")
	writeFile(t, broken, "[")
	tests := []struct {
		name     string
		cfg      discovery.FileConfig
		contains string
	}{
		{"no-path", discovery.FileConfig{}, "Path is empty"},
		{"interval", discovery.FileConfig{Path: good, Interval: time.Microsecond}, "Interval 1µs must be >= 1ms"},
		{"max-size", discovery.FileConfig{Path: good, MaxSize: -1}, "MaxSize -1 must be >= 0"},
		{"service", discovery.FileConfig{Path: good, Service: "a/b"}, "must not contain"},
		{"missing", discovery.FileConfig{Path: filepath.Join(dir, "nope.json")}, "no such file"},
		{"directory", discovery.FileConfig{Path: dir}, "not a regular file"},
		{"too-big", discovery.FileConfig{Path: big, MaxSize: 10}, "larger than MaxSize 10"},
		{"broken", discovery.FileConfig{Path: broken}, "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := discovery.NewFile(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.contains) {
				if f != nil {
					f.Close()
				}
				t.Fatalf("NewFile() = %v want an error saying %q", err, tt.contains)
			}
		})
	}
}

func TestFileClose(t *testing.T) {
	f, m, _, _ := newTestFile(t, fileAB, nil)
	w, err := f.Watch(context.Background(), "api")
	if err != nil {
		t.Fatal(err)
	}
	next(t, w)
	if m.Timers() != 1 {
		t.Fatalf("Timers() = %d want 1 (the check)", m.Timers())
	}
	f.Close()
	if m.Timers() != 0 {
		t.Fatalf("Timers() after Close = %d want 0", m.Timers())
	}
	if _, err := w.Next(context.Background()); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Next after Close = %v want ErrClosed", err)
	}
	if _, err := f.Lookup(context.Background(), "api"); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Lookup after Close = %v want ErrClosed", err)
	}
	if _, err := f.Watch(context.Background(), "api"); !errors.Is(err, discovery.ErrClosed) {
		t.Fatalf("Watch after Close = %v want ErrClosed", err)
	}
}

// With the real clock, checks run on timer goroutines that end with Close.
func TestFileRealClock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "instances.json")
	writeFile(t, path, fileAB)
	f, err := discovery.NewFile(discovery.FileConfig{Path: path, Interval: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := f.Watch(context.Background(), "db")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	next(t, w)
	writeFile(t, path, `[{"id": "e", "service": "db", "address": "10.0.1.2", "port": 5432}]`)
	if u := next(t, w); ids(u.Instances) != "[e]" {
		t.Fatalf("Next = %s want [e]", ids(u.Instances))
	}
}
