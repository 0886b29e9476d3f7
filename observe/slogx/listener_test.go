package slogx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
	"github.com/resilience-go/resilience/observe/slogx"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// line is one decoded JSON log line.
type line struct {
	Level      string         `json:"level"`
	Msg        string         `json:"msg"`
	Resilience map[string]any `json:"resilience"`
}

// syncBuffer is a bytes.Buffer safe for the handler and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines(t *testing.T) []line {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []line
	for _, raw := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		if raw == "" {
			continue
		}
		var l line
		if err := json.Unmarshal([]byte(raw), &l); err != nil {
			t.Fatalf("bad JSON line %q: %v", raw, err)
		}
		out = append(out, l)
	}
	return out
}

func newListener(t *testing.T, level slog.Level, cfg slogx.Config) (*slogx.Listener, *syncBuffer, *clock.Manual) {
	t.Helper()
	buf := &syncBuffer{}
	clk := clock.NewManual(t0)
	cfg.Logger = slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: level}))
	cfg.Clock = clk
	l, err := slogx.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, buf, clk
}

func TestEventLines(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		cfg       slogx.Config
		event     resilience.Event
		wantLevel string // "" means no line
		wantAttrs map[string]any
	}{
		{"success-not-logged", slogx.Config{}, resilience.Event{Kind: resilience.EventSuccess, Policy: "circuitbreaker", Name: "db"}, "", nil},
		{"success-logged-on-request", slogx.Config{LogSuccess: true},
			resilience.Event{Kind: resilience.EventSuccess, Policy: "circuitbreaker", Name: "db", Latency: time.Millisecond},
			"DEBUG", map[string]any{"kind": "success", "latency": float64(time.Millisecond)}},
		{"breaker-opens-warn", slogx.Config{},
			resilience.Event{Kind: resilience.EventStateChange, Policy: "circuitbreaker", Name: "db", From: "closed", To: "open"},
			"WARN", map[string]any{"policy": "circuitbreaker", "name": "db", "kind": "state_change", "from": "closed", "to": "open"}},
		{"breaker-half-opens-info", slogx.Config{},
			resilience.Event{Kind: resilience.EventStateChange, Policy: "circuitbreaker", Name: "db", From: "open", To: "half_open"},
			"INFO", map[string]any{"from": "open", "to": "half_open"}},
		{"adaptive-limit-debug", slogx.Config{},
			resilience.Event{Kind: resilience.EventStateChange, Policy: "adaptive", Name: "a", From: "20", To: "18"},
			"DEBUG", map[string]any{"from": "20", "to": "18"}},
		{"rejected-warn", slogx.Config{},
			resilience.Event{Kind: resilience.EventRejected, Policy: "ratelimit", Name: "api", Delay: 2 * time.Second, Err: boom},
			"WARN", map[string]any{"kind": "rejected", "delay": float64(2 * time.Second), "err": "boom"}},
		{"retry-info", slogx.Config{},
			resilience.Event{Kind: resilience.EventRetry, Policy: "retry", Name: "r", Attempt: 2, Delay: 100 * time.Millisecond, Err: boom},
			"INFO", map[string]any{"attempt": 2.0, "delay": float64(100 * time.Millisecond), "err": "boom"}},
		{"fallback-warn", slogx.Config{},
			resilience.Event{Kind: resilience.EventFallback, Policy: "fallback", Name: "f", Detail: "cache"},
			"WARN", map[string]any{"kind": "fallback", "detail": "cache"}},
		{"timeout-warn", slogx.Config{},
			resilience.Event{Kind: resilience.EventTimeout, Policy: "timeout", Name: "t", Latency: time.Second},
			"WARN", map[string]any{"kind": "timeout"}},
		{"panic-error", slogx.Config{},
			resilience.Event{Kind: resilience.EventPanic, Policy: "bulkhead", Name: "p", Err: resilience.ErrPanicked, Detail: "nil map"},
			"ERROR", map[string]any{"kind": "panic", "detail": "nil map"}},
		{"custom-level", slogx.Config{Level: func(resilience.Event) slog.Level { return slog.LevelError }},
			resilience.Event{Kind: resilience.EventRetry, Policy: "retry", Name: "r"},
			"ERROR", map[string]any{"kind": "retry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, buf, _ := newListener(t, slog.LevelDebug, tt.cfg)
			l.OnEvent(tt.event)
			lines := buf.lines(t)
			if tt.wantLevel == "" {
				if len(lines) != 0 {
					t.Fatalf("OnEvent(%+v) logged %+v want nothing", tt.event, lines)
				}
				return
			}
			if len(lines) != 1 {
				t.Fatalf("OnEvent(%+v) logged %d lines want 1", tt.event, len(lines))
			}
			got := lines[0]
			if got.Level != tt.wantLevel || got.Msg != "resilience "+tt.event.Kind.String() {
				t.Errorf("line level, msg = %s, %q want %s, %q", got.Level, got.Msg, tt.wantLevel, "resilience "+tt.event.Kind.String())
			}
			for k, want := range tt.wantAttrs {
				if got.Resilience[k] != want {
					t.Errorf("resilience.%s = %v (%T) want %v", k, got.Resilience[k], got.Resilience[k], want)
				}
			}
		})
	}
}

func TestSampling(t *testing.T) {
	l, buf, clk := newListener(t, slog.LevelInfo, slogx.Config{Burst: 3, SampleEvery: 5, Interval: 10 * time.Second})
	storm := resilience.Event{Kind: resilience.EventRejected, Policy: "circuitbreaker", Name: "db"}
	for range 100 {
		l.OnEvent(storm)
	}
	other := resilience.Event{Kind: resilience.EventRejected, Policy: "circuitbreaker", Name: "cache"}
	l.OnEvent(other) // another key: not sampled by db's storm
	lines := buf.lines(t)
	// 3 in the burst, then events 8, 13, ..., 98 of the storm: 19 sampled.
	if len(lines) != 3+19+1 {
		t.Fatalf("logged %d lines want %d", len(lines), 3+19+1)
	}
	if s := lines[3].Resilience["sampled"]; s != 5.0 {
		t.Fatalf("4th line sampled = %v want 5", s)
	}
	if got := l.Suppressed(); got != 100-3-19 {
		t.Fatalf("Suppressed() = %d want %d", got, 100-3-19)
	}
	clk.Advance(9 * time.Second)
	if n := len(buf.lines(t)); n != 23 {
		t.Fatalf("before the interval ends: %d lines want 23", n)
	}
	clk.Advance(time.Second) // the interval ends: one summary line
	lines = buf.lines(t)
	if len(lines) != 24 {
		t.Fatalf("after the interval: %d lines want 24", len(lines))
	}
	sum := lines[23]
	if sum.Msg != "resilience events suppressed" || sum.Level != "WARN" || sum.Resilience["suppressed"] != 78.0 ||
		sum.Resilience["name"] != "db" || sum.Resilience["kind"] != "rejected" {
		t.Fatalf("summary line = %+v want WARN suppressed=78 for db rejected", sum)
	}
	l.OnEvent(storm) // a new interval starts with a fresh burst
	if lines = buf.lines(t); len(lines) != 25 || lines[24].Resilience["sampled"] != nil {
		t.Fatalf("first event of the next interval: %d lines, last %+v want 25, unsampled", len(lines), lines[len(lines)-1])
	}
}

func TestCloseFlushes(t *testing.T) {
	l, buf, _ := newListener(t, slog.LevelInfo, slogx.Config{Burst: 1, SampleEvery: 1000, Interval: time.Hour})
	for range 10 {
		l.OnEvent(resilience.Event{Kind: resilience.EventRetry, Policy: "retry", Name: "r"})
	}
	l.Close()
	lines := buf.lines(t)
	if len(lines) != 2 || lines[1].Resilience["suppressed"] != 9.0 || lines[1].Level != "INFO" {
		t.Fatalf("after Close: %+v want the first line and suppressed=9 at INFO", lines)
	}
}

func TestDisabledLevelsSkipSampling(t *testing.T) {
	l, buf, _ := newListener(t, slog.LevelWarn, slogx.Config{Burst: 1})
	for range 10 {
		l.OnEvent(resilience.Event{Kind: resilience.EventRetry, Policy: "retry", Name: "r"}) // Info
	}
	if n := len(buf.lines(t)); n != 0 || l.Suppressed() != 0 {
		t.Fatalf("Info events under a Warn logger: %d lines, %d suppressed want 0, 0", n, l.Suppressed())
	}
	if raceEnabled {
		return
	}
	e := resilience.Event{Kind: resilience.EventRetry, Policy: "retry", Name: "r", Err: errors.New("x")}
	if n := testing.AllocsPerRun(1000, func() { l.OnEvent(e) }); n != 0 {
		t.Fatalf("OnEvent of a disabled level allocates %v times want 0", n)
	}
}

func TestMaxKeys(t *testing.T) {
	l, buf, _ := newListener(t, slog.LevelInfo, slogx.Config{Burst: 1, SampleEvery: 1000, MaxKeys: 2})
	for i := range 10 {
		l.OnEvent(resilience.Event{Kind: resilience.EventRejected, Policy: "bulkhead", Name: fmt.Sprintf("pool/k%d", i)})
	}
	// k0 and k1 have keys of their own; k2..k9 share the overflow key,
	// whose burst of 1 logs k2 only.
	if n := len(buf.lines(t)); n != 3 {
		t.Fatalf("logged %d lines want 3", n)
	}
	if got := l.Suppressed(); got != 7 {
		t.Fatalf("Suppressed() = %d want 7", got)
	}
}

func TestHammer(t *testing.T) {
	l, buf, clk := newListener(t, slog.LevelInfo, slogx.Config{Burst: 5, SampleEvery: 7, Interval: time.Second})
	const workers, per = 8, 2000
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range per {
				l.OnEvent(resilience.Event{Kind: resilience.EventRejected, Policy: "p", Name: fmt.Sprint("n", w%2)})
				if w == 0 && i%100 == 0 {
					clk.Advance(300 * time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	l.Close()
	var logged, suppressed int
	for _, ln := range buf.lines(t) {
		if k, ok := ln.Resilience["suppressed"].(float64); ok {
			suppressed += int(k)
		} else {
			logged++
		}
	}
	if logged+suppressed != workers*per {
		t.Fatalf("logged %d + suppressed %d = %d want %d", logged, suppressed, logged+suppressed, workers*per)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		cfg     slogx.Config
		wantErr string
	}{
		{"zero", slogx.Config{}, ""},
		{"default", slogx.DefaultConfig(), ""},
		{"negative-burst", slogx.Config{Burst: -1}, "Burst"},
		{"negative-sample", slogx.Config{SampleEvery: -1}, "SampleEvery"},
		{"negative-interval", slogx.Config{Interval: -time.Second}, "Interval"},
		{"negative-keys", slogx.Config{MaxKeys: -1}, "MaxKeys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Validate() = %v want an error naming %s", err, tt.wantErr)
			}
			if _, nerr := slogx.New(tt.cfg); nerr == nil {
				t.Fatalf("New() accepted %+v", tt.cfg)
			}
		})
	}
}

func FuzzConfigValidate(f *testing.F) {
	f.Add(0, 0, int64(0), 0)
	f.Add(-1, 5, int64(time.Second), 3)
	f.Add(1, -5, int64(-1), -3)
	f.Fuzz(func(t *testing.T, burst, every int, interval int64, keys int) {
		cfg := slogx.Config{Burst: burst, SampleEvery: every, Interval: time.Duration(interval), MaxKeys: keys}
		err := cfg.Validate()
		bad := burst < 0 || every < 0 || interval < 0 || keys < 0
		if (err != nil) != bad {
			t.Fatalf("Validate(%+v) = %v want error %v", cfg, err, bad)
		}
		if err == nil {
			l, err := slogx.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			l.Close()
		}
	})
}
