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

// screenshotPath is where the test leaves a picture of the page, for
// humans; it is not committed.
const screenshotPath = "/tmp/dashboard.png"

// Colours of assets/style.css, as getComputedStyle reports them.
const (
	green = "rgb(26, 127, 55)"
	red   = "rgb(207, 34, 46)"
)

// badge selects the upstream breaker's state badge.
const badge = `.state[data-policy="circuitbreaker"][data-name="upstream"]`

// TestDashboardInBrowser serves the dashboard on loopback in front of a
// real breaker and a real upstream, opens it in headless Chromium, and
// checks that the page loads without console errors, shows the breaker
// closed in green, shows it open in red once the upstream fails, and
// closes it again with the Reset button.
func TestDashboardInBrowser(t *testing.T) {
	browser := findChromium(t)
	f := newFixture(t)

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
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	defer cancelTab()

	var mu sync.Mutex
	var problems []string
	// The first Run starts the browser with ctx's lifetime; later steps get
	// bounded contexts derived from it.
	if err := chromedp.Listen(ctx, func(ev any) {
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
			mu.Lock()
			problems = append(problems, p)
			mu.Unlock()
		}
	}); err != nil {
		t.Fatalf("starting %s: %v", browser, err)
	}
	step := func(name string, timeout time.Duration, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(15*time.Second))
	}

	step("open the page", 15*time.Second,
		chromedp.Navigate(f.url+"/dashboard"),
		chromedp.WaitVisible(chromedp.CSS(badge)),
		poll(`document.querySelector('`+badge+`').classList.contains('state-closed')`),
	)
	if got := computedBackground(t, ctx); got != green {
		t.Errorf("closed breaker's badge background = %s want %s (green)", got, green)
	}
	// Let a few snapshots of healthy traffic draw the sparklines.
	step("healthy traffic shows", 15*time.Second, poll(`(() => {
		const s = document.querySelector('section.policy[data-policy="circuitbreaker"][data-name="upstream"]');
		return s && !s.querySelector('dl').hidden && parseFloat(s.querySelector('dd').textContent) > 0;
	})()`))

	f.setFailing(true)
	step("breaker opens on the page", 20*time.Second,
		poll(`document.querySelector('`+badge+`').classList.contains('state-open')`))
	if got := computedBackground(t, ctx); got != red {
		t.Errorf("open breaker's badge background = %s want %s (red)", got, red)
	}
	step("the state change is listed", 5*time.Second,
		poll(`[...document.querySelectorAll('#events li')].some(li => li.textContent.includes('closed → open'))`))

	f.setFailing(false)
	step("reset closes it", 15*time.Second,
		chromedp.Click(chromedp.CSS(`button[data-name="upstream"][data-action="reset"]`)),
		poll(`document.querySelector('`+badge+`').classList.contains('state-closed')`),
		poll(`[...document.querySelectorAll('#events li')].some(li => li.textContent.includes('manual: reset by dashboard'))`),
	)
	if got := computedBackground(t, ctx); got != green {
		t.Errorf("reset breaker's badge background = %s want %s (green)", got, green)
	}
	if got := f.breakerState(); got != "closed" {
		t.Errorf("breaker state after the Reset button = %q want closed", got)
	}

	// A picture for humans: open the breaker again by hand so it shows red
	// next to the events.
	step("force open", 15*time.Second,
		chromedp.Click(chromedp.CSS(`button[data-name="upstream"][data-action="force-open"]`)),
		poll(`document.querySelector('`+badge+`').classList.contains('state-forced_open')`),
		chromedp.Sleep(time.Second), // let more snapshots draw
	)
	shotCtx, cancelShot := context.WithTimeout(ctx, 10*time.Second)
	png, err := chromedp.Run(shotCtx, chromedp.FullScreenshot(100))
	cancelShot()
	if err != nil {
		t.Errorf("screenshot: %v", err)
	} else if err := os.WriteFile(screenshotPath, png, 0o644); err != nil {
		t.Logf("writing %s: %v", screenshotPath, err)
	} else {
		t.Logf("screenshot of the page: %s", screenshotPath)
	}

	mu.Lock()
	defer mu.Unlock()
	for _, p := range problems {
		t.Errorf("browser reported %s", p)
	}
}

// computedBackground returns the breaker badge's computed background
// colour.
func computedBackground(t *testing.T, ctx context.Context) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector('`+badge+`')).backgroundColor`))
	if err != nil {
		t.Fatalf("reading the badge's colour: %v", err)
	}
	return c
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
