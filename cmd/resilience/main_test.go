package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/resilience-go/resilience/internal/leaktest"
)

func TestMain(m *testing.M) {
	if os.Getenv(soakChildEnv) == "1" {
		os.Exit(soakChildMain()) // the proxy process of TestSoak
	}
	leaktest.VerifyTestMain(m)
}

func TestRunCommands(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{"no-args", nil, 2, "", "usage:"},
		{"help", []string{"help"}, 0, "commands:", ""},
		{"unknown", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"demo-bad-flag", []string{"demo", "--nope"}, 2, "", "flag provided but not defined"},
		{"demo-bad-duration", []string{"demo", "--duration", "-1s"}, 2, "", "must be positive"},
		{"demo-bad-workers", []string{"demo", "--workers", "0"}, 2, "", "must be positive"},
		{"demo-extra-arg", []string{"demo", "now"}, 2, "", `unexpected argument "now"`},
		{"demo-help", []string{"demo", "-h"}, 0, "", "-duration"},
		{"demo-proxy-flag-gone", []string{"demo", "--proxy"}, 2, "", "flag provided but not defined: -proxy"},
		{"demo-cancelled", []string{"demo", "--duration", "1h"}, 0, "summary", ""},
		{"demo-cancelled-urls", []string{"demo"}, 0, "/dashboard", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(cancelled, tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Fatalf("run(%q) = %d want %d; stderr: %s", tt.args, code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) || !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Fatalf("run(%q) stdout %q stderr %q; want them to contain %q and %q", tt.args, stdout.String(), stderr.String(), tt.wantStdout, tt.wantStderr)
			}
		})
	}
}
