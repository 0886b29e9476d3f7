package config_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/resilience-go/resilience/circuitbreaker"
	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/discovery"
)

func TestValidateConfigBuiltInGo(t *testing.T) {
	cb := circuitbreaker.DefaultConfig()
	cb.FailureRateThreshold = 150
	c := &config.Config{
		Listeners: []config.Listener{{Name: "a", Address: "127.0.0.1:8080", Protocols: []string{"http1"}}},
		Routes: []config.Route{{Name: "r", Cluster: "missing", Match: config.Match{PathPrefix: "/"},
			Policies: config.Policies{CircuitBreaker: &cb}}},
		Clusters: []config.Cluster{{Name: "c", LoadBalancing: config.LoadBalancing{Policy: config.LBRoundRobin},
			Discovery: config.Discovery{Static: &discovery.StaticConfig{Service: "c", Endpoints: []string{"127.0.0.1:1"}}}}},
	}
	err := c.Validate()
	var errs *config.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Validate() = %v, want *Errors", err)
	}
	var got []string
	for _, e := range errs.List {
		got = append(got, e.Error())
	}
	want := []string{
		`routes[0].cluster: unknown cluster "missing"`,
		`routes[0].policies.circuit_breaker.failure_rate_threshold: 150 must be in (0, 100] or 0 (off)`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Validate() errors = %q\nwant %q", got, want)
	}
	c.Routes[0].Cluster, cb.FailureRateThreshold = "c", 50
	if err := c.Validate(); err != nil {
		t.Errorf("Validate() of the fixed config = %v", err)
	}
}

func TestValidateDoesNotChangeTheConfig(t *testing.T) {
	c := mustParse(t, withPolicies("      chaos: {faults: [{kind: latency, latency: 1ms}, {kind: error}]}\n"))
	before := c.Clone()
	c.Routes[0].Policies.Chaos.Faults[1].Probability = 7 // invalid
	if err := c.Validate(); err == nil {
		t.Fatal("Validate() = nil for probability 7")
	}
	if got := c.Routes[0].Policies.Chaos.Faults[1].Probability; got != 7 {
		t.Errorf("Validate changed the probability to %v", got)
	}
	c.Routes[0].Policies.Chaos.Faults[1].Probability = 0
	if !reflect.DeepEqual(c, before) {
		t.Errorf("Validate changed the config")
	}
}

func TestSuggestions(t *testing.T) {
	tests := []struct{ key, want string }{
		{"failureRateThreshold", `failure_rate_threshold`},
		{"failure-rate-threshold", `failure_rate_threshold`},
		{"failure_treshold", `failure_rate_threshold`},
		{"window_sise", `window_size`},
		{"open_duraton", `open_duration`},
	}
	for _, tt := range tests {
		_, err := config.Parse("p.yaml", []byte(withPolicies("      circuit_breaker: {"+tt.key+": 1}\n")))
		var e config.Error
		if !errors.As(err, &e) {
			t.Fatalf("Parse with key %q: %v", tt.key, err)
		}
		if want := `unknown field, did you mean "` + tt.want + `"?`; e.Msg != want {
			t.Errorf("key %q: Msg = %q want %q", tt.key, e.Msg, want)
		}
	}
}

func TestValidateZeroValuesMeanDefaults(t *testing.T) {
	// A Config built in Go may leave every "empty means" field empty.
	c := &config.Config{
		Listeners: []config.Listener{{Name: "a"}, {Name: "a"}},
		Routes:    []config.Route{{Name: "r", Cluster: "c", Policies: config.Policies{Fallback: &config.FallbackPolicy{Static: &config.StaticResponse{}}}}},
		Clusters: []config.Cluster{{Name: "c", HealthCheck: &config.HealthCheck{},
			Discovery: config.Discovery{Static: &discovery.StaticConfig{Endpoints: []string{"127.0.0.1:1"}}}}},
		Admin: config.Admin{Enabled: true},
	}
	err := c.Validate()
	want := `listeners[1].name: "a" repeats the name of listeners[0]` + "\n" +
		`listeners[1].address: "127.0.0.1:8080" conflicts with listeners[0] "127.0.0.1:8080"`
	if err == nil || err.Error() != want {
		t.Errorf("Validate() = %v\nwant %s", err, want)
	}
	if c.Clusters[0].Discovery.Static.Service != "" {
		t.Errorf("Validate filled in the service name of the caller's config")
	}
}
