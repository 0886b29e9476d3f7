// Package e2e holds the browser test of the dashboard: it serves the page
// on loopback in front of a real circuit breaker and drives it in headless
// Chromium. It is a module of its own so that the root module never
// depends on chromedp. Run scripts/chromium.sh ensure first; without a
// browser the test skips, or fails when CI is set.
package e2e
