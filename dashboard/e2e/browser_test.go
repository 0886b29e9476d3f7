package e2e

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// screenshotPath is where the test leaves a picture of the page, for
// humans; it is not committed.
const screenshotPath = "/tmp/dashboard.png"

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
	b := newTab(t, browser)
	ctx := b.ctx

	b.step("open the page", 15*time.Second,
		chromedp.Navigate(f.url+"/dashboard"),
		chromedp.WaitVisible(chromedp.CSS(badge)),
		poll(`document.querySelector('`+badge+`').classList.contains('state-closed')`),
	)
	if got := computedBackground(t, ctx); got != green {
		t.Errorf("closed breaker's badge background = %s want %s (green)", got, green)
	}
	// Let a few snapshots of healthy traffic draw the sparklines.
	b.step("healthy traffic shows", 15*time.Second, poll(`(() => {
		const s = document.querySelector('section.policy[data-policy="circuitbreaker"][data-name="upstream"]');
		return s && !s.querySelector('dl').hidden && parseFloat(s.querySelector('dd').textContent) > 0;
	})()`))

	f.setFailing(true)
	b.step("breaker opens on the page", 20*time.Second,
		poll(`document.querySelector('`+badge+`').classList.contains('state-open')`))
	if got := computedBackground(t, ctx); got != red {
		t.Errorf("open breaker's badge background = %s want %s (red)", got, red)
	}
	b.step("the state change is listed", 5*time.Second,
		poll(`[...document.querySelectorAll('#events li')].some(li => li.textContent.includes('closed → open'))`))

	f.setFailing(false)
	b.step("reset closes it", 15*time.Second,
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
	b.step("force open", 15*time.Second,
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

	b.checkProblems()
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
