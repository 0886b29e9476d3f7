package circuitbreaker

import (
	"context"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
)

// step is one call in a scripted scenario: its error and latency, and the
// state expected after it.
type step struct {
	err   error
	lat   time.Duration
	state State
}

func ok(s State) step       { return step{state: s} }
func fail(s State) step     { return step{err: errBoom, state: s} }
func slowOK(s State) step   { return step{lat: 2 * time.Second, state: s} }
func slowFail(s State) step { return step{err: errBoom, lat: 2 * time.Second, state: s} }
func repeat(n int, s step) []step {
	out := make([]step, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func script(parts ...any) []step {
	var out []step
	for _, p := range parts {
		switch v := p.(type) {
		case step:
			out = append(out, v)
		case []step:
			out = append(out, v...)
		}
	}
	return out
}

func runScript(t *testing.T, cfg Config, steps []step) {
	t.Helper()
	b, clk := newTest(t, cfg)
	for i, s := range steps {
		slowCall(t, b, clk, s.lat, s.err)
		if got := b.State(); got != s.state {
			t.Fatalf("after call %d (err %v, latency %v): b.State() = %v want %v (metrics %+v)", i, s.err, s.lat, got, s.state, b.Metrics())
		}
	}
}

func TestTripConditions(t *testing.T) {
	const C, O = StateClosed, StateOpen
	tests := []struct {
		name  string
		cfg   Config
		steps []step
	}{
		{
			// gobreaker: ReadyToTrip on ConsecutiveFailures; a success resets the run.
			name:  "consecutive-failures",
			cfg:   Config{ConsecutiveFailures: 3},
			steps: script(fail(C), fail(C), ok(C), fail(C), fail(C), fail(O)),
		},
		{
			name:  "consecutive-ignored-does-not-reset",
			cfg:   Config{ConsecutiveFailures: 2, Classify: func(err error) resilience.Outcome { return resilience.Classify(err) }},
			steps: script(fail(C), step{err: context.Canceled, state: C}, fail(O)),
		},
		{
			// resilience4j minimumNumberOfCalls: 4 failures of 4 calls do not trip below 5 calls.
			name:  "failure-rate-minimum-calls",
			cfg:   Config{FailureRateThreshold: 50, MinimumCalls: 5, WindowSize: 10},
			steps: script(repeat(4, fail(C)), fail(O)),
		},
		{
			// 5 failures of 10 calls is exactly 50%: >= threshold trips.
			name:  "failure-rate-at-threshold",
			cfg:   Config{FailureRateThreshold: 50, MinimumCalls: 10, WindowSize: 10},
			steps: script(repeat(5, ok(C)), repeat(4, fail(C)), fail(O)),
		},
		{
			name:  "failure-rate-below-threshold",
			cfg:   Config{FailureRateThreshold: 50, MinimumCalls: 10, WindowSize: 10},
			steps: script(repeat(6, ok(C)), repeat(4, fail(C)), ok(C), ok(C)),
		},
		{
			// The count window forgets: old failures slide out as successes arrive.
			name:  "failure-rate-window-slides",
			cfg:   Config{FailureRateThreshold: 60, MinimumCalls: 5, WindowSize: 5},
			steps: script(fail(C), fail(C), ok(C), ok(C), ok(C), ok(C), ok(C), fail(C), fail(C), ok(C), fail(O)),
		},
		{
			// A success that evicts a success can raise nothing, but the bucket
			// rotation that pushes MinimumCalls over the bar evaluates the rate.
			name:  "failure-rate-evaluated-on-rotation",
			cfg:   Config{FailureRateThreshold: 20, MinimumCalls: 5, WindowSize: 5},
			steps: script(fail(C), repeat(3, ok(C)), ok(O)),
		},
		{
			// resilience4j slowCallRateThreshold + slowCallDurationThreshold.
			name:  "slow-call-rate",
			cfg:   Config{SlowCallRateThreshold: 50, SlowCallDuration: time.Second, MinimumCalls: 4, WindowSize: 4},
			steps: script(slowOK(C), ok(C), ok(C), slowOK(O)),
		},
		{
			name:  "slow-call-rate-below",
			cfg:   Config{SlowCallRateThreshold: 50, SlowCallDuration: time.Second, MinimumCalls: 4, WindowSize: 4},
			steps: script(slowOK(C), ok(C), ok(C), ok(C), ok(C), ok(C)),
		},
		{
			name:  "any-rate-trips-alone",
			cfg:   Config{FailureRateThreshold: 50, SlowCallRateThreshold: 50, SlowCallDuration: time.Second, MinimumCalls: 2, WindowSize: 2},
			steps: script(ok(C), fail(O)),
		},
		{
			// "Error rate AND p90 latency": 50% failures alone do not trip,
			// nor 10% slow calls alone; both together do.
			name: "require-all-error-and-latency",
			cfg: Config{FailureRateThreshold: 50, SlowCallRateThreshold: 10, SlowCallDuration: time.Second,
				RequireAll: true, MinimumCalls: 10, WindowSize: 10},
			steps: script(repeat(5, ok(C)), repeat(5, fail(C)), repeat(5, fail(C)), slowFail(O)),
		},
		{
			name: "require-all-slow-without-errors",
			cfg: Config{FailureRateThreshold: 50, SlowCallRateThreshold: 10, SlowCallDuration: time.Second,
				RequireAll: true, MinimumCalls: 10, WindowSize: 10},
			steps: script(repeat(10, slowOK(C)), repeat(3, ok(C))),
		},
		{
			// RequireAll does not hold back ConsecutiveFailures.
			name: "require-all-consecutive-still-trips",
			cfg: Config{FailureRateThreshold: 90, SlowCallRateThreshold: 90, SlowCallDuration: time.Second,
				RequireAll: true, ConsecutiveFailures: 3},
			steps: script(fail(C), fail(C), fail(O)),
		},
		{
			name:  "ready-to-trip",
			cfg:   Config{ReadyToTrip: func(m Metrics) bool { return m.Failures >= 2 && m.ConsecutiveFailures == 1 }},
			steps: script(fail(C), ok(C), fail(O)),
		},
		{
			name:  "no-condition-never-trips",
			cfg:   Config{},
			steps: repeat(50, fail(C)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runScript(t, tt.cfg, tt.steps) })
	}
}

func TestClassify(t *testing.T) {
	business := resilience.MarkSuccess(errBoom)
	tests := []struct {
		name         string
		classify     resilience.Classifier
		err          error
		wantCalls    uint64
		wantFailures uint64
	}{
		{"nil-is-success", nil, nil, 1, 0},
		{"error-is-failure", nil, errBoom, 1, 1},
		{"canceled-is-ignored", nil, context.Canceled, 0, 0},
		{"deadline-is-failure", nil, context.DeadlineExceeded, 1, 1},
		{"marked-success", nil, business, 1, 0},
		{"marked-ignored", nil, resilience.MarkIgnored(errBoom), 0, 0},
		{"custom-all-ignored", func(error) resilience.Outcome { return resilience.OutcomeIgnored }, errBoom, 0, 0},
		{"custom-nil-is-failure", func(error) resilience.Outcome { return resilience.OutcomeFailure }, nil, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := newTest(t, Config{Classify: tt.classify})
			call(t, b, tt.err)
			m := b.Metrics()
			if m.Calls != tt.wantCalls || m.Failures != tt.wantFailures {
				t.Errorf("after Done(%v): Calls, Failures = %d, %d want %d, %d", tt.err, m.Calls, m.Failures, tt.wantCalls, tt.wantFailures)
			}
		})
	}
}

func TestResetInterval(t *testing.T) {
	// gobreaker: Interval clears the counts periodically in the closed state.
	b, clk := newTest(t, Config{ConsecutiveFailures: 3, ResetInterval: time.Minute})
	calls(t, b, 2, errBoom)
	clk.Advance(59 * time.Second)
	if m := b.Metrics(); m.ConsecutiveFailures != 2 || m.Calls != 2 {
		t.Fatalf("before interval: ConsecutiveFailures, Calls = %d, %d want 2, 2", m.ConsecutiveFailures, m.Calls)
	}
	// A call admitted before the clear belongs to the old generation.
	stale, err := b.Acquire(ctx)
	if err != nil {
		t.Fatalf("Acquire() = %v", err)
	}
	clk.Advance(time.Second)
	call(t, b, errBoom) // clears first, then counts 1
	stale.Done(errBoom) // ignored
	if m := b.Metrics(); m.ConsecutiveFailures != 1 || m.Calls != 1 {
		t.Fatalf("after interval: ConsecutiveFailures, Calls = %d, %d want 1, 1", m.ConsecutiveFailures, m.Calls)
	}
	call(t, b, errBoom)
	wantState(t, b, StateClosed)
	call(t, b, errBoom)
	wantState(t, b, StateOpen)
}

func TestCountWindowRounding(t *testing.T) {
	tests := []struct {
		size, buckets, want int
	}{
		{100, 10, 100},
		{5, 10, 5},
		{15, 10, 16},
		{101, 10, 110},
		{7, 1, 7},
	}
	for _, tt := range tests {
		b, _ := newTest(t, Config{WindowSize: tt.size, WindowBuckets: tt.buckets})
		calls(t, b, 3*tt.want, nil)
		// The ring holds the last Size calls; each stripe of the current
		// bucket (one, from a single goroutine) holds fewer than a bucket.
		bucket := uint64(b.cw.BucketSize())
		if got := b.Metrics().Calls; got < uint64(tt.want) || got >= uint64(tt.want)+8*bucket {
			t.Errorf("window(%d, %d) holds %d calls want [%d, %d + 8 buckets of %d)", tt.size, tt.buckets, got, tt.want, tt.want, bucket)
		}
		if got := b.cw.Size(); got != tt.want {
			t.Errorf("window(%d, %d).Size() = %d want %d", tt.size, tt.buckets, got, tt.want)
		}
	}
}

func TestTimeWindowExpiry(t *testing.T) {
	b, clk := newTest(t, Config{
		WindowType: WindowTime, WindowDuration: 10 * time.Second, WindowBuckets: 10,
		FailureRateThreshold: 50, MinimumCalls: 4,
	})
	calls(t, b, 3, errBoom)
	if m := b.Metrics(); m.Calls != 3 || m.Failures != 3 {
		t.Fatalf("Calls, Failures = %d, %d want 3, 3", m.Calls, m.Failures)
	}
	clk.Advance(10 * time.Second) // the failures fall out of the window
	if m := b.Metrics(); m.Calls != 0 {
		t.Fatalf("after 10s: Calls = %d want 0", m.Calls)
	}
	calls(t, b, 3, nil)
	call(t, b, errBoom) // 1 of 4 failed: 25%
	wantState(t, b, StateClosed)
	clk.Advance(5 * time.Second)
	calls(t, b, 2, errBoom) // 3 of 6: 50%
	wantState(t, b, StateOpen)
	if m := b.Metrics(); m.Trips != 1 || m.FailuresTotal != 6 || m.SuccessesTotal != 3 {
		t.Errorf("Trips, FailuresTotal, SuccessesTotal = %d, %d, %d want 1, 6, 3", m.Trips, m.FailuresTotal, m.SuccessesTotal)
	}
}

func TestTimeWindowPartialExpiry(t *testing.T) {
	b, clk := newTest(t, Config{WindowType: WindowTime, WindowDuration: 10 * time.Second, WindowBuckets: 10})
	for i := range 10 {
		calls(t, b, i+1, nil) // bucket i holds i+1 calls
		clk.Advance(time.Second)
	}
	// Now in bucket 10: buckets 1..9 remain, 2+...+10 = 54 calls.
	if got := b.Metrics().Calls; got != 54 {
		t.Errorf("Calls = %d want 54", got)
	}
	clk.Advance(5 * time.Second) // buckets 6..9 remain: 7+8+9+10 = 34
	if got := b.Metrics().Calls; got != 34 {
		t.Errorf("Calls = %d want 34", got)
	}
}

func TestConsecutiveCounts(t *testing.T) {
	for _, cfg := range []Config{{WindowSize: 20}, {WindowType: WindowTime}} {
		b, _ := newTest(t, cfg)
		steps := []struct {
			err              error
			wantFail, wantOK uint64
		}{
			{nil, 0, 1}, {errBoom, 1, 0}, {errBoom, 2, 0}, {context.Canceled, 2, 0},
			{nil, 0, 1}, {nil, 0, 2}, {nil, 0, 3}, {errBoom, 1, 0},
		}
		for i, s := range steps {
			call(t, b, s.err)
			if m := b.Metrics(); m.ConsecutiveFailures != s.wantFail || m.ConsecutiveSuccesses != s.wantOK {
				t.Fatalf("%v call %d: ConsecutiveFailures, ConsecutiveSuccesses = %d, %d want %d, %d", cfg.WindowType, i, m.ConsecutiveFailures, m.ConsecutiveSuccesses, s.wantFail, s.wantOK)
			}
		}
	}
}
