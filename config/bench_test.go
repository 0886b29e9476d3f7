package config_test

import (
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/resilience-go/resilience/config"
)

// TestYAMLLibraryDurations pins what go.yaml.in/yaml/v3 does on its own
// with a time.Duration: it parses "5s" and refuses a bare 5. The decoder
// of this package handles durations itself all the same, for messages
// that say what to write ("5 is not a duration: add a unit, as in
// \"5s\"") and the field's path and column.
func TestYAMLLibraryDurations(t *testing.T) {
	var v struct {
		D time.Duration `yaml:"d"`
	}
	if err := yaml.Unmarshal([]byte("d: 1m30s"), &v); err != nil || v.D != 90*time.Second {
		t.Errorf("yaml.Unmarshal(d: 1m30s) = %v, %v; want 1m30s", v.D, err)
	}
	if err := yaml.Unmarshal([]byte("d: 5"), &v); err == nil {
		t.Errorf("yaml.Unmarshal(d: 5) = %v, nil; want an error", v.D)
	}
}

// TestParseConcurrently parses from many goroutines at once: the decoder
// shares only read-only tables and a sync.Map of type information.
func TestParseConcurrently(t *testing.T) {
	demo, err := config.RenderDemo(config.DemoParams{})
	if err != nil {
		t.Fatal(err)
	}
	want, err := config.Parse("demo.yaml", demo)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				c, err := config.Parse("demo.yaml", demo)
				if err != nil || !config.Diff(want, c).Empty() {
					t.Errorf("concurrent Parse = %v, %v", c, err)
					return
				}
				if _, err := c.Redacted().JSON(); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkParseDemo(b *testing.B) {
	demo, err := config.RenderDemo(config.DemoParams{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(demo)))
	for b.Loop() {
		if _, err := config.Parse("demo.yaml", demo); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDiff(b *testing.B) {
	demo, _ := config.RenderDemo(config.DemoParams{})
	x, _ := config.Parse("a.yaml", demo)
	y, _ := config.Parse("b.yaml", demo)
	b.ReportAllocs()
	for b.Loop() {
		config.Diff(x, y)
	}
}
