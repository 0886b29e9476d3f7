package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Colours of assets/style.css, as getComputedStyle reports them.
const (
	green = "rgb(26, 127, 55)"
	amber = "rgb(154, 103, 0)"
	red   = "rgb(207, 34, 46)"
)

// tab is a headless Chromium tab that records what the page reports as
// wrong: console errors and failed assertions, uncaught exceptions and
// error log entries (failed loads, CSP violations).
type tab struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	problems []string
}

// newTab starts browser (from findChromium) with a fresh profile and opens
// a tab; the test's cleanup closes both.
func newTab(t *testing.T, browser string) *tab {
	t.Helper()
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(browser),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(t.TempDir()),
			chromedp.WindowSize(1280, 900),
		)...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	b := &tab{t: t, ctx: ctx}
	// The first Run starts the browser with ctx's lifetime; later steps get
	// bounded contexts derived from it.
	if err := chromedp.Listen(ctx, b.record); err != nil {
		t.Fatalf("starting %s: %v", browser, err)
	}
	return b
}

func (b *tab) record(ev any) {
	var p string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			p = fmt.Sprintf("console.%s: %s", ev.Type, args(ev.Args))
		}
	case *runtime.EventExceptionThrown:
		p = "exception: " + ev.ExceptionDetails.Text
		if ex := ev.ExceptionDetails.Exception; ex != nil && ex.Description != "" {
			p += " " + ex.Description
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError {
			p = fmt.Sprintf("log %s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	}
	if p != "" {
		b.mu.Lock()
		b.problems = append(b.problems, p)
		b.mu.Unlock()
	}
}

// step runs actions within timeout and fails the test if they fail.
func (b *tab) step(name string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", name, err)
	}
}

// checkProblems fails the test for every problem the page reported so far.
func (b *tab) checkProblems() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("browser reported %s", p)
	}
}

// poll waits up to 15s for the JavaScript expression to be truthy.
func poll(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))
}

// args renders console arguments for a failure message.
func args(as []*runtime.RemoteObject) string {
	var parts []string
	for _, a := range as {
		switch {
		case a.Description != "":
			parts = append(parts, a.Description)
		case len(a.Value) > 0:
			parts = append(parts, string(a.Value))
		default:
			parts = append(parts, string(a.Type))
		}
	}
	return strings.Join(parts, " ")
}

// findChromium returns the browser binary: CHROMIUM_BIN, then the usual
// names on PATH, then /usr/bin/chromium. Without one the test skips; when
// CI is set it installs one with scripts/chromium.sh ensure, and fails if
// that does not work.
func findChromium(t *testing.T) string {
	t.Helper()
	if bin := lookChromium(); bin != "" {
		return bin
	}
	script, _ := filepath.Abs("../../scripts/chromium.sh")
	msg := "chromium not found (set CHROMIUM_BIN or run " + script + " ensure)"
	if os.Getenv("CI") == "" {
		t.Skip(msg)
	}
	out, err := exec.Command(script, "ensure").CombinedOutput()
	if bin := lookChromium(); bin != "" {
		return bin
	}
	t.Fatalf("%s; CI is set, so the browser test must run, and %s ensure failed: %v\n%s", msg, script, err, out)
	return ""
}

func lookChromium() string {
	if bin := os.Getenv("CHROMIUM_BIN"); bin != "" {
		if _, err := os.Stat(bin); err == nil {
			return bin
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if bin, err := exec.LookPath(name); err == nil {
			return bin
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}
