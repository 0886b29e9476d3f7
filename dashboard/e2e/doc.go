// Package e2e holds the browser tests of the dashboard: one serves the page
// on loopback in front of a real circuit breaker, the other runs the real
// sidecar proxy (package proxy) in front of an upstream the test switches
// between healthy and failing and opens the proxy's admin dashboard; both
// drive the page in headless Chromium. It is a module of its own so that
// the root module never depends on chromedp. Run scripts/chromium.sh
// ensure first; without a browser the tests skip, or fail when CI is set.
package e2e
