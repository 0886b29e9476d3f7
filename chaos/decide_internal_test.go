package chaos

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
)

// These tests call decide directly: it makes the decisions Acquire,
// Middleware and RoundTripper act on, without waiting out the delays.

func newTestInjector(t *testing.T, cfg Config) *Injector {
	t.Helper()
	inj, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return inj
}

func TestProbabilityStatistics(t *testing.T) {
	const n = 100_000
	probs := []float64{0, 0.001, 0.05, 0.25, 0.5, 0.9, 1}
	faults := make([]Fault, len(probs))
	for i, p := range probs {
		faults[i] = Fault{Name: fmt.Sprint("p", p), Kind: KindLatency, Latency: time.Millisecond, Probability: p}
	}
	for _, seed := range []uint64{1, 2, 0xdeadbeef} {
		counts := make([]int, len(probs))
		joint := 0
		var fired []string
		rec := resilience.ListenerFunc(func(e resilience.Event) { fired = append(fired, e.Detail) })
		inj := newTestInjector(t, Config{Faults: faults, Enabled: true, Seed: seed, Listener: rec})
		for range n {
			fired = fired[:0]
			d := inj.decide(context.Background(), nil)
			if want := time.Duration(len(fired)) * time.Millisecond; d.delay != want {
				t.Fatalf("delay %v for %d latency faults; want %v", d.delay, len(fired), want)
			}
			var q, h bool
			for _, name := range fired {
				for i, p := range probs {
					if name == fmt.Sprint("p", p, "/latency") {
						counts[i]++
					}
				}
				q = q || name == "p0.25/latency"
				h = h || name == "p0.5/latency"
			}
			if q && h {
				joint++
			}
		}
		for i, p := range probs {
			got := float64(counts[i]) / n
			// Five standard deviations: a correct generator fails this
			// about once in two million seeds.
			tol := 5 * math.Sqrt(p*(1-p)/n)
			if got < p-tol || got > p+tol {
				t.Errorf("seed %d: fault with probability %v fired in %.4f of calls; want within %.4f", seed, p, got, tol)
			}
		}
		if got, tol := float64(joint)/n, 5*math.Sqrt(0.125*0.875/n); math.Abs(got-0.125) > tol {
			t.Errorf("seed %d: faults 0.25 and 0.5 fired together in %.4f of calls; independent draws give 0.125±%.4f", seed, got, tol)
		}
		if s := inj.Stats(); s.Calls != n {
			t.Errorf("Stats().Calls = %d want %d", s.Calls, n)
		}
	}
}

func TestJitterIsUniformWithinBounds(t *testing.T) {
	const n = 50_000
	lat, jit := 100*time.Millisecond, 50*time.Millisecond
	inj := newTestInjector(t, Config{Enabled: true, Seed: 9, Faults: []Fault{
		{Kind: KindLatency, Latency: lat, Jitter: jit, Probability: 1},
	}})
	var sum float64
	lo, hi := time.Duration(math.MaxInt64), time.Duration(0)
	for range n {
		d := inj.decide(context.Background(), nil).delay
		lo, hi = min(lo, d), max(hi, d)
		sum += float64(d - lat)
	}
	if lo < lat || hi > lat+jit {
		t.Errorf("delays in [%v, %v] want within [%v, %v]", lo, hi, lat, lat+jit)
	}
	if lo > lat+jit/100 || hi < lat+jit*99/100 {
		t.Errorf("delays in [%v, %v] do not cover [%v, %v]", lo, hi, lat, lat+jit)
	}
	// Mean of uniform [0, J]: J/2 with standard error J/sqrt(12n).
	mean, want, tol := sum/n, float64(jit)/2, 5*float64(jit)/math.Sqrt(12*n)
	if math.Abs(mean-want) > tol {
		t.Errorf("mean jitter %v want %v±%v", time.Duration(mean), time.Duration(want), time.Duration(tol))
	}
}

func TestHeaderRestrictedFaults(t *testing.T) {
	inj := newTestInjector(t, Config{Enabled: true, Seed: 3, Faults: []Fault{
		{Name: "canary-only", Kind: KindAbort, HTTPStatus: 500, Probability: 1, Header: "x-canary"},
	}})
	tests := []struct {
		name   string
		header http.Header
		fires  bool
	}{
		{"no header map (Acquire)", nil, false},
		{"header absent", http.Header{"Other": {"1"}}, false},
		{"header empty", http.Header{"X-Canary": {""}}, false},
		{"header present", http.Header{"X-Canary": {"1"}}, true},
		{"trigger overrides", http.Header{"X-Chaos-Fault": {"canary-only"}}, true},
	}
	for _, tt := range tests {
		if got := inj.decide(context.Background(), tt.header).fault != nil; got != tt.fires {
			t.Errorf("%s: fired = %v want %v", tt.name, got, tt.fires)
		}
	}
}

func TestListContains(t *testing.T) {
	tests := []struct {
		list, name string
		want       bool
	}{
		{"a", "a", true},
		{"a,b", "b", true},
		{" a , b ", "b", true},
		{"ab", "a", false},
		{"a,,", "", true},
		{"", "a", false},
		{"x,y", "xy", false},
	}
	for _, tt := range tests {
		if got := listContains(tt.list, tt.name); got != tt.want {
			t.Errorf("listContains(%q, %q) = %v want %v", tt.list, tt.name, got, tt.want)
		}
	}
}

func TestScheduleActive(t *testing.T) {
	s := Schedule{From: 10 * time.Second, Until: 70 * time.Second, Every: 20 * time.Second, For: 5 * time.Second}
	tests := []struct {
		at   time.Duration
		want bool
	}{
		{0, false}, {9999 * time.Millisecond, false}, {10 * time.Second, true}, {14 * time.Second, true},
		{15 * time.Second, false}, {29 * time.Second, false}, {30 * time.Second, true}, {34 * time.Second, true},
		{35 * time.Second, false}, {50 * time.Second, true}, {69 * time.Second, false}, {70 * time.Second, false},
		{90 * time.Second, false},
	}
	for _, tt := range tests {
		if got := s.active(tt.at); got != tt.want {
			t.Errorf("%+v.active(%v) = %v want %v", s, tt.at, got, tt.want)
		}
	}
	if !(Schedule{}).active(0) || !(Schedule{}).active(time.Hour) {
		t.Error("the zero Schedule is not always active")
	}
}

// FuzzTriggerHeader checks that the allocation-free matcher used on every
// request agrees with the splitter used to propagate names, and that a
// Middleware-style decision on any header value never panics.
func FuzzTriggerHeader(f *testing.F) {
	f.Add("db-slow, cache-miss", "cache-miss")
	f.Add(",,a,,", "a")
	f.Add(" ", "")
	f.Add("a,b", "a,b")
	inj, err := New(Config{Enabled: true, Seed: 1, Faults: []Fault{{Name: "x", Kind: KindAbort, HTTPStatus: 500}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, value, name string) {
		split := false
		for _, n := range headerNames([]string{value}) {
			split = split || n == name
		}
		if name != "" && strings.TrimSpace(name) == name && !strings.Contains(name, ",") {
			if got := listContains(value, name); got != split {
				t.Fatalf("listContains(%q, %q) = %v but headerNames finds it: %v", value, name, got, split)
			}
		}
		d := inj.decide(context.Background(), http.Header{DefaultTriggerHeader: {value}})
		if want := listContains(value, "x"); (d.fault != nil) != want {
			t.Fatalf("header %q: fault fired = %v want %v", value, d.fault != nil, want)
		}
	})
}
