package chaos_test

import (
	"errors"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/resilience-go/resilience/chaos"
)

func TestValidateNamesTheField(t *testing.T) {
	ok := chaos.Fault{Name: "ok", Kind: chaos.KindError, Probability: 0.5}
	tests := []struct {
		name  string
		fault chaos.Fault
		want  string
	}{
		{"probability above 1", chaos.Fault{Kind: chaos.KindError, Probability: 1.5}, "chaos: Faults[1].Probability 1.5 must be in [0,1]"},
		{"probability negative", chaos.Fault{Kind: chaos.KindError, Probability: -0.1}, "chaos: Faults[1].Probability -0.1 must be in [0,1]"},
		{"probability NaN", chaos.Fault{Kind: chaos.KindError, Probability: math.NaN()}, "chaos: Faults[1].Probability NaN must be in [0,1]"},
		{"probability Inf", chaos.Fault{Kind: chaos.KindError, Probability: math.Inf(1)}, "chaos: Faults[1].Probability +Inf must be in [0,1]"},
		{"unknown kind", chaos.Fault{Kind: "boom"}, `chaos: Faults[1].Kind "boom" must be latency, error or abort`},
		{"missing kind", chaos.Fault{Probability: 1}, `chaos: Faults[1].Kind "" must be latency, error or abort`},
		{"negative latency", chaos.Fault{Kind: chaos.KindLatency, Latency: -time.Second}, "chaos: Faults[1].Latency -1s must be >= 0"},
		{"zero latency", chaos.Fault{Kind: chaos.KindLatency}, "chaos: Faults[1].Latency 0s must be > 0 for a latency fault"},
		{"negative jitter", chaos.Fault{Kind: chaos.KindLatency, Latency: time.Second, Jitter: -1}, "chaos: Faults[1].Jitter -1ns must be >= 0"},
		{"overflowing jitter", chaos.Fault{Kind: chaos.KindLatency, Latency: time.Second, Jitter: math.MaxInt64}, "chaos: Faults[1].Jitter 2562047h47m16.854775807s plus Latency 1s overflows"},
		{"latency on an error", chaos.Fault{Kind: chaos.KindError, Latency: time.Second}, "chaos: Faults[1].Latency 1s applies only to latency faults"},
		{"jitter on an abort", chaos.Fault{Kind: chaos.KindAbort, HTTPStatus: 500, Jitter: time.Second}, "chaos: Faults[1].Jitter 1s applies only to latency faults"},
		{"status on a latency", chaos.Fault{Kind: chaos.KindLatency, Latency: time.Second, HTTPStatus: 503}, "chaos: Faults[1].HTTPStatus 503 applies only to error and abort faults"},
		{"code on a latency", chaos.Fault{Kind: chaos.KindLatency, Latency: time.Second, GRPCCode: 14}, "chaos: Faults[1].GRPCCode 14 applies only to error and abort faults"},
		{"abort without status", chaos.Fault{Kind: chaos.KindAbort, Probability: 1}, "chaos: Faults[1] of kind abort needs HTTPStatus or GRPCCode"},
		{"status too high", chaos.Fault{Kind: chaos.KindAbort, HTTPStatus: 600}, "chaos: Faults[1].HTTPStatus 600 must be in 100..599"},
		{"status too low", chaos.Fault{Kind: chaos.KindAbort, HTTPStatus: 99}, "chaos: Faults[1].HTTPStatus 99 must be in 100..599"},
		{"gRPC code 17", chaos.Fault{Kind: chaos.KindAbort, GRPCCode: 17}, "chaos: Faults[1].GRPCCode 17 must be <= 16"},
		{"bad header", chaos.Fault{Kind: chaos.KindError, Header: "X Canary"}, `chaos: Faults[1].Header "X Canary" is not a valid header name`},
		{"duplicate name", chaos.Fault{Name: "ok", Kind: chaos.KindError}, `chaos: Faults[1].Name "ok" duplicates Faults[0]`},
		{"schedule From negative", chaos.Fault{Kind: chaos.KindError, Schedule: chaos.Schedule{From: -1}}, "chaos: Faults[1].Schedule.From -1ns must be >= 0"},
		{"schedule Until negative", chaos.Fault{Kind: chaos.KindError, Schedule: chaos.Schedule{Until: -time.Second}}, "chaos: Faults[1].Schedule.Until -1s must be >= 0"},
		{"schedule Until before From", chaos.Fault{Kind: chaos.KindError, Schedule: chaos.Schedule{From: 2 * time.Second, Until: time.Second}}, "chaos: Faults[1].Schedule.Until 1s must be after From 2s"},
		{"schedule Every negative", chaos.Fault{Kind: chaos.KindError, Schedule: chaos.Schedule{Every: -time.Second}}, "chaos: Faults[1].Schedule.Every -1s must be >= 0"},
		{"schedule For negative", chaos.Fault{Kind: chaos.KindError, Schedule: chaos.Schedule{Every: time.Second, For: -1}}, "chaos: Faults[1].Schedule.For -1ns must be >= 0"},
		{"schedule For without Every", chaos.Fault{Kind: chaos.KindError, Schedule: chaos.Schedule{For: time.Second}}, "chaos: Faults[1].Schedule.For 1s needs Every"},
		{"schedule Every without For", chaos.Fault{Kind: chaos.KindError, Schedule: chaos.Schedule{Every: time.Second}}, "chaos: Faults[1].Schedule.For 0s must be > 0 when Every is set"},
		{"schedule For longer than Every", chaos.Fault{Kind: chaos.KindError, Schedule: chaos.Schedule{Every: time.Second, For: 2 * time.Second}}, "chaos: Faults[1].Schedule.For 2s must be <= Every 1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := chaos.Config{Faults: []chaos.Fault{ok, tt.fault}}
			err := cfg.Validate()
			if !errors.Is(err, chaos.ErrInvalidConfig) || err.Error() != tt.want {
				t.Fatalf("Validate() = %v want %q", err, tt.want)
			}
			if inj, err := chaos.New(cfg); inj != nil || err == nil || err.Error() != tt.want {
				t.Errorf("New() = %v, %v want nil, %q", inj, err, tt.want)
			}
			inj, err := chaos.New(chaos.Config{Faults: []chaos.Fault{ok}})
			if err != nil {
				t.Fatal(err)
			}
			if err := inj.SetFaults(cfg.Faults); err == nil || err.Error() != tt.want {
				t.Errorf("SetFaults() = %v want %q", err, tt.want)
			}
			if got := inj.Faults(); len(got) != 1 || got[0].Name != "ok" {
				t.Errorf("a rejected SetFaults changed the faults to %+v", got)
			}
		})
	}
	if err := (chaos.Config{TriggerHeader: "bad header"}).Validate(); err == nil ||
		err.Error() != `chaos: TriggerHeader "bad header" is not a valid header name` {
		t.Errorf("Validate(bad TriggerHeader) = %v", err)
	}
}

func TestFaultDefaults(t *testing.T) {
	inj, err := chaos.New(chaos.Config{Faults: []chaos.Fault{
		{Kind: chaos.KindLatency, Latency: time.Second},
		{Kind: chaos.KindError},
		{Kind: chaos.KindAbort, GRPCCode: 5},
		{Kind: chaos.KindAbort, HTTPStatus: 429},
		{Name: "grpc-only-error", Kind: chaos.KindError, GRPCCode: 4},
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []chaos.Fault{
		{Name: "latency-0", Kind: chaos.KindLatency, Latency: time.Second},
		{Name: "error-1", Kind: chaos.KindError, HTTPStatus: 503, GRPCCode: 14},
		{Name: "abort-2", Kind: chaos.KindAbort, HTTPStatus: 404, GRPCCode: 5},
		{Name: "abort-3", Kind: chaos.KindAbort, HTTPStatus: 429, GRPCCode: 8},
		{Name: "grpc-only-error", Kind: chaos.KindError, HTTPStatus: 504, GRPCCode: 4},
	}
	if got := inj.Faults(); !reflect.DeepEqual(got, want) {
		t.Errorf("Faults() = %+v\nwant %+v", got, want)
	}
	if inj.Enabled() || inj.Name() != "chaos" {
		t.Errorf("zero Config: Enabled() = %v, Name() = %q want false, chaos", inj.Enabled(), inj.Name())
	}
	if inj.Seed() == 0 {
		t.Error("Seed() = 0; a zero Seed must pick a random one")
	}
	if d := chaos.DefaultConfig(); d.Validate() != nil || d.Enabled || d.TriggerHeader != chaos.DefaultTriggerHeader {
		t.Errorf("DefaultConfig() = %+v", d)
	}
}

// FuzzConfigValidate checks that Validate never panics, that New agrees
// with it, and that a valid injector decides calls without panicking.
func FuzzConfigValidate(f *testing.F) {
	f.Add("error", 0.5, int64(0), int64(0), 0, uint32(0), "", int64(0), int64(0), int64(0), int64(0))
	f.Add("latency", 1.0, int64(time.Second), int64(time.Millisecond), 0, uint32(0), "X-Canary", int64(0), int64(time.Minute), int64(10*time.Second), int64(time.Second))
	f.Add("abort", 0.0, int64(0), int64(0), 503, uint32(14), "", int64(-1), int64(0), int64(0), int64(0))
	f.Add("boom", math.NaN(), int64(-1), int64(-1), 600, uint32(17), "bad header", int64(5), int64(1), int64(-1), int64(7))
	f.Fuzz(func(t *testing.T, kind string, p float64, latency, jitter int64, status int, code uint32, header string, from, until, every, window int64) {
		fault := chaos.Fault{Name: "f", Kind: chaos.Kind(kind), Probability: p, Latency: time.Duration(latency),
			Jitter: time.Duration(jitter), HTTPStatus: status, GRPCCode: code, Header: header,
			Schedule: chaos.Schedule{From: time.Duration(from), Until: time.Duration(until), Every: time.Duration(every), For: time.Duration(window)}}
		cfg := chaos.Config{Faults: []chaos.Fault{fault}, Enabled: true, Seed: 1, Clock: newManual()}
		verr := cfg.Validate()
		inj, err := chaos.New(cfg)
		if (verr == nil) != (err == nil) {
			t.Fatalf("Validate() = %v but New() = %v", verr, err)
		}
		if err != nil {
			if !errors.Is(err, chaos.ErrInvalidConfig) {
				t.Fatalf("New error %v does not match ErrInvalidConfig", err)
			}
			return
		}
		got := inj.Faults()[0]
		if got.Kind != chaos.KindLatency && (got.HTTPStatus < 100 || got.HTTPStatus > 599 || got.GRPCCode > 16) {
			t.Fatalf("valid fault %+v got statuses %d/%d", fault, got.HTTPStatus, got.GRPCCode)
		}
		if got.Kind == chaos.KindLatency {
			return // Acquire would wait on the manual clock
		}
		for range 4 {
			_, err := inj.Acquire(t.Context())
			if err != nil && !errors.Is(err, chaos.ErrInjected) {
				t.Fatalf("Acquire = %v, not an injected fault", err)
			}
		}
	})
}
