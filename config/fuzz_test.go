package config_test

import (
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/resilience-go/resilience/config"
)

// FuzzParse feeds any bytes to Parse: it must return either a valid
// Config or an *Errors whose entries all say something, never both, never
// neither, never panic; and a Config must survive YAML and Parse again.
func FuzzParse(f *testing.F) {
	for _, file := range exampleFiles(f) {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	demo, err := config.RenderDemo(config.DemoParams{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(demo)
	f.Add([]byte(breakerFile("150")))
	f.Add([]byte("x-a: &a {name: a}\nlisteners: [*a, {<<: *a, name: b}]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := config.Parse("fuzz.yaml", data)
		if (c == nil) == (err == nil) {
			t.Fatalf("Parse = %v, %v: want exactly one of a Config and an error", c, err)
		}
		if err != nil {
			var errs *config.Errors
			if !errors.As(err, &errs) || len(errs.List) == 0 {
				t.Fatalf("Parse error %v (%T) is not a non-empty *Errors", err, err)
			}
			for _, e := range errs.List {
				if e.Msg == "" || e.File != "fuzz.yaml" || e.Line < 0 || e.Column < 0 {
					t.Fatalf("malformed error %#v", e)
				}
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a config that Validate rejects: %v", err)
		}
		y, err := c.YAML()
		if err != nil {
			t.Fatalf("YAML: %v", err)
		}
		back, err := config.Parse("back.yaml", y)
		if err != nil {
			t.Fatalf("Parse(YAML()) failed:\n%v\n%s", err, y)
		}
		if !reflect.DeepEqual(back, c) {
			t.Fatalf("Parse(YAML()) differs from the config:\n%s", y)
		}
		if _, err := c.Redacted().JSON(); err != nil {
			t.Fatalf("JSON: %v", err)
		}
	})
}
