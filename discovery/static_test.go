package discovery_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/discovery"
)

func TestStatic(t *testing.T) {
	ctx := context.Background()
	s, err := discovery.Static("api", "10.0.0.2:8080;weight=3", "10.0.0.1:8080", "[::1]:8080;zone=local")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Lookup(ctx, "api")
	if err != nil || ids(got) != "[10.0.0.1:8080 10.0.0.2:8080 [::1]:8080]" {
		t.Fatalf("Lookup = %s, %v", ids(got), err)
	}
	if got[1].Weight != 3 || got[2].Zone != "local" || got[0].Service != "api" {
		t.Fatalf("Lookup = %+v", got)
	}
	if _, err := s.Lookup(ctx, "db"); !errors.Is(err, discovery.ErrUnknownService) {
		t.Fatalf("Lookup(db) = %v want ErrUnknownService", err)
	}
	w, err := s.Watch(ctx, "api")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if u := next(t, w); len(u.Instances) != 3 {
		t.Fatalf("first Next = %s", ids(u.Instances))
	}
	if err := s.SetHealth("10.0.0.1:8080", discovery.Unhealthy); err != nil {
		t.Fatal(err)
	}
	if u := next(t, w); u.Instances[0].Health != discovery.Unhealthy || u.Version != 2 {
		t.Fatalf("after SetHealth Next = %+v", u)
	}
	if err := s.SetHealth("10.0.0.1:8080", discovery.Unhealthy); err != nil {
		t.Fatal(err)
	}
	noNext(t, w) // same state: no duplicate update
	if err := s.SetHealth("10.9.9.9:1", discovery.Healthy); !errors.Is(err, discovery.ErrNotFound) {
		t.Fatalf("SetHealth(unknown) = %v want ErrNotFound", err)
	}
}

func TestStaticErrors(t *testing.T) {
	tests := []struct {
		name     string
		cfg      discovery.StaticConfig
		want     error
		contains string
	}{
		{"no-service", discovery.StaticConfig{Endpoints: []string{"10.0.0.1:80"}}, discovery.ErrInvalidID, "Service is empty"},
		{"no-endpoints", discovery.StaticConfig{Service: "api"}, discovery.ErrNoInstances, "Endpoints"},
		{"bad-endpoint", discovery.StaticConfig{Service: "api", Endpoints: []string{"10.0.0.1:80", "10.0.0.1"}}, discovery.ErrInvalidPort, `"10.0.0.1" misses a port`},
		{"duplicate", discovery.StaticConfig{Service: "api", Endpoints: []string{"10.0.0.1:80", "10.0.0.1:80"}}, discovery.ErrDuplicateID, "repeats"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.contains) {
				t.Fatalf("Validate() = %v want %v saying %q", err, tt.want, tt.contains)
			}
			if _, err2 := discovery.NewStatic(tt.cfg); err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("NewStatic() = %v want %v", err2, err)
			}
		})
	}
	if _, err := discovery.StaticInstances("api", inst("a", 1), inst("a", 2)); !errors.Is(err, discovery.ErrDuplicateID) {
		t.Fatalf("StaticInstances(dup) = %v want ErrDuplicateID", err)
	}
	other := inst("b", 1)
	other.Service = "db"
	if _, err := discovery.StaticInstances("api", other); !errors.Is(err, discovery.ErrInvalidInstance) {
		t.Fatalf("StaticInstances(other service) = %v want ErrInvalidInstance", err)
	}
	noService := inst("c", 1)
	noService.Service = ""
	s, err := discovery.StaticInstances("api", noService)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Lookup(context.Background(), "api"); got[0].Service != "api" {
		t.Fatalf("StaticInstances did not fill in the service: %+v", got)
	}
}
