package demo

import (
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name         string
		status       int
		header, body string
		want         outcome
		wantFallback string
	}{
		{"ok", 200, "", "upstream-1: /x\n", outcomeOK, ""},
		{"stale", 200, "stale-cache", "upstream-2: /x\n", outcomeFallback, "stale"},
		{"static-by-header", 503, "static", fallbackBody + "\n", outcomeFallback, "static"},
		{"static-by-body", 503, "", fallbackBody + "\n", outcomeFallback, "static"},
		{"other-fallback", 200, "Chain", "", outcomeFallback, "chain"},
		{"rate-limited", 429, "", `{"detail":"ratelimit: limited: resilience: call rejected"}`, outcomeRejected, ""},
		{"bulkhead", 503, "", `{"detail":"bulkhead: full: resilience: call rejected"}`, outcomeRejected, ""},
		{"upstream-503", 503, "", "dependency outage (chaos)", outcomeFailed, ""},
		{"bad-gateway", 502, "", "", outcomeFailed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(tt.status, tt.header, tt.body)
			if got.outcome != tt.want || got.fallback != tt.wantFallback || got.status != tt.status {
				t.Errorf("classify(%d, %q, %q) = %+v want outcome %d fallback %q", tt.status, tt.header, tt.body, got, tt.want, tt.wantFallback)
			}
		})
	}
}

// TestPaths checks the load's mix: most paths repeat (the stale cache can
// answer them), every fifth is new (only the static fallback can).
func TestPaths(t *testing.T) {
	seen := map[string]int{}
	fresh := 0
	for seq := range 100 {
		p := path(3, seq)
		seen[p]++
		if strings.HasPrefix(p, "/orders/") {
			fresh++
		}
	}
	if fresh != 20 {
		t.Errorf("%d new paths in 100 want 20", fresh)
	}
	hot := 0
	for p, n := range seen {
		if strings.HasPrefix(p, "/catalog/") {
			hot++
			if n < 2 {
				t.Errorf("catalog path %s asked %d times; want repeats", p, n)
			}
		} else if n != 1 {
			t.Errorf("order path %s asked %d times want 1", p, n)
		}
	}
	if hot != hotItems {
		t.Errorf("%d catalog paths want %d", hot, hotItems)
	}
}
