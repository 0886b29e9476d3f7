package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/resilience-go/resilience/config"
	"github.com/resilience-go/resilience/proxy"
)

// proxyOpenDuration is how long the route's breaker stays open: long
// enough for the page (one snapshot a second) to show it, short enough to
// watch it recover.
const proxyOpenDuration = 8 * time.Second

// proxyConfig is the proxy under test: one listener, one route whose
// breaker trips at a 50% failure rate once 4 of the last 10 calls are in,
// and the admin server with the dashboard, all on free loopback ports. %s
// is the upstream's host:port.
const proxyConfig = `
listeners:
  - name: public
    address: 127.0.0.1:0
admin:
  enabled: true
  address: 127.0.0.1:0
  dashboard: true
routes:
  - name: orders
    cluster: orders
    policies:
      circuit_breaker:
        failure_rate_threshold: 50
        minimum_calls: 4
        window_type: count
        window_size: 10
        open_duration: %s
        open_jitter: 0
        half_open_probes: 1
clusters:
  - name: orders
    discovery: {static: ["%s"]}
`

// Selectors of the orders route's breaker on the page.
const (
	ordersBadge  = `.state[data-policy="circuitbreaker"][data-name="orders"]`
	ordersButton = `button[data-kind="breakers"][data-name="orders"][data-action="%s"]`
)

// switchable is an upstream that answers 200 "ok" until the test makes it
// fail with 500, and counts the requests it sees.
type switchable struct {
	srv     *httptest.Server
	failing atomic.Bool
	hits    atomic.Int64
}

func newSwitchable(t *testing.T) *switchable {
	t.Helper()
	u := &switchable{}
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		if u.failing.Load() {
			http.Error(w, "upstream failing", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "ok\n")
	}))
	t.Cleanup(u.srv.Close)
	return u
}

// startProxy runs the real proxy for proxyConfig in front of upstream until
// the test ends.
func startProxy(t *testing.T, upstream string) *proxy.Proxy {
	t.Helper()
	cfg, err := config.Parse("e2e.yaml", fmt.Appendf(nil, proxyConfig, proxyOpenDuration, upstream))
	if err != nil {
		t.Fatalf("config.Parse: %v", err)
	}
	p, err := proxy.New(cfg, proxy.Options{})
	if err != nil {
		t.Fatalf("proxy.New: %v", err)
	}
	p.Start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := p.Shutdown(ctx); err != nil {
			t.Errorf("proxy Shutdown: %v", err)
		}
	})
	return p
}

// badgeView is what the page shows of a breaker: its state, the badge's
// text and its computed background colour, read in one evaluation.
type badgeView struct {
	State      string `json:"state"`
	Text       string `json:"text"`
	Background string `json:"background"`
}

// badgeJS evaluates to the orders badge's badgeView, or null when the badge
// is missing, hidden or (with want non-empty) in another state.
func badgeJS(want string) string {
	cond := "false"
	if want != "" {
		cond = fmt.Sprintf("e.dataset.state !== %q", want)
	}
	return `(() => {
		const e = document.querySelector('` + ordersBadge + `');
		if (!e || e.hidden || ` + cond + `) return null;
		return {state: e.dataset.state, text: e.textContent, background: getComputedStyle(e).backgroundColor};
	})()`
}

// waitBadge waits up to within for the page to show the orders breaker in
// state, and returns what it shows.
func waitBadge(t *testing.T, b *tab, state string, within time.Duration) badgeView {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, within+5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Poll[badgeView](badgeJS(state),
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(within)))
	if err != nil {
		now, _ := chromedp.Run(ctx, chromedp.Evaluate[*badgeView](badgeJS("")))
		t.Fatalf("waiting %v for the page to show the orders breaker %s: %v (it shows %+v)", within, state, err, now)
	}
	return v
}

// checkBadge fails the test unless v shows text in colour.
func checkBadge(t *testing.T, when string, v badgeView, text, colour, colourName string) {
	t.Helper()
	if v.Text != text || v.Background != colour {
		t.Errorf("%s: badge shows %q on %s want %q on %s (%s)", when, v.Text, v.Background, text, colour, colourName)
	} else {
		t.Logf("%s: badge shows %q on %s (%s)", when, v.Text, v.Background, colourName)
	}
}

// TestProxyDashboardInBrowser runs the real proxy in front of an upstream
// the test switches between healthy and failing, opens the proxy's admin
// dashboard in headless Chromium and checks, through the page's rendered
// colours and state text, that the route's breaker shows closed (green),
// opens (red) once the upstream fails, goes half-open (amber) after its
// open duration and closes again on a healthy probe; then that the page's
// Force open button makes the proxy itself refuse requests without calling
// the upstream, and Force close lets them through again. The page must
// report no console error or exception.
func TestProxyDashboardInBrowser(t *testing.T) {
	browser := findChromium(t)
	up := newSwitchable(t)
	p := startProxy(t, strings.TrimPrefix(up.srv.URL, "http://"))
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	get := func() (int, string) {
		t.Helper()
		resp, err := client.Get("http://" + p.Addr() + "/orders")
		if err != nil {
			t.Fatalf("GET through the proxy: %v", err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	b := newTab(t, browser)

	for i := range 5 {
		if code, body := get(); code != http.StatusOK || body != "ok\n" {
			t.Fatalf("healthy request %d = %d %q want 200 %q", i, code, body, "ok\n")
		}
	}
	b.step("open the page", 15*time.Second,
		chromedp.Navigate("http://"+p.AdminAddr()+"/dashboard/"),
		chromedp.WaitVisible(chromedp.CSS(ordersBadge)),
		poll(`document.querySelector('#connection').dataset.state === 'live'`),
	)
	checkBadge(t, "healthy upstream", waitBadge(t, b, "closed", 15*time.Second), "closed", green, "green")

	up.failing.Store(true)
	var tripped time.Time
	for i := 0; tripped.IsZero(); i++ {
		code, body := get()
		switch {
		case code == http.StatusServiceUnavailable && strings.Contains(body, "circuitbreaker: open"):
			tripped = time.Now()
		case code != http.StatusInternalServerError:
			t.Fatalf("failing request %d = %d %q want the upstream's 500 or the breaker's 503", i, code, body)
		case i == 50:
			t.Fatalf("the breaker did not open after %d failing requests", i)
		}
	}
	open := waitBadge(t, b, "open", min(15*time.Second, proxyOpenDuration))
	t.Logf("the page showed the breaker open %v after the proxy first refused", time.Since(tripped).Round(time.Millisecond))
	checkBadge(t, "failing upstream", open, "open", red, "red")

	// No traffic while it is open: the page's snapshots alone see the open
	// wait end.
	up.failing.Store(false)
	half := waitBadge(t, b, "half_open", proxyOpenDuration+15*time.Second)
	checkBadge(t, "after the open duration", half, "half open", amber, "amber")
	if code, body := get(); code != http.StatusOK {
		t.Fatalf("probe through the half-open breaker = %d %q want 200", code, body)
	}
	checkBadge(t, "after a healthy probe", waitBadge(t, b, "closed", 15*time.Second), "closed", green, "green")

	b.step("force open", 15*time.Second,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(ordersButton, "force-open"))),
		poll(`[...document.querySelectorAll('#events li')].some(li => li.textContent.includes('manual: force-open by dashboard'))`),
	)
	checkBadge(t, "Force open clicked", waitBadge(t, b, "forced_open", 15*time.Second), "forced open", red, "red")
	hits := up.hits.Load()
	if code, body := get(); code != http.StatusServiceUnavailable || !strings.Contains(body, "circuitbreaker: open") {
		t.Errorf("request after Force open = %d %q want the breaker's 503", code, body)
	}
	if got := up.hits.Load(); got != hits {
		t.Errorf("upstream saw %d requests while the breaker was forced open want 0", got-hits)
	}

	b.step("force close", 15*time.Second,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(ordersButton, "force-close"))),
		poll(`[...document.querySelectorAll('#events li')].some(li => li.textContent.includes('manual: force-close by dashboard'))`),
	)
	checkBadge(t, "Force close clicked", waitBadge(t, b, "closed", 15*time.Second), "closed", green, "green")
	if code, body := get(); code != http.StatusOK || body != "ok\n" {
		t.Errorf("request after Force close = %d %q want 200 %q", code, body, "ok\n")
	}

	b.checkProblems()
}
