// Package dashboard serves a live web page of the policies in a
// stats.Registry: breaker states in colour, request rates, error and
// rejection percentages, latency percentiles with sparklines, every gauge a
// policy reports (limiter and bulkhead usage, instance health, ejections),
// the recent state changes, and buttons to force breakers open or closed
// and switch fault injection on and off.
//
// The page is three hand-written files (HTML, vanilla JavaScript, CSS)
// embedded in the binary with go:embed: it loads nothing from elsewhere,
// works offline, and its Content-Security-Policy forbids any other origin.
// It updates over server-sent events:
//
//	GET  /dashboard                  the page
//	GET  /dashboard/events           text/event-stream
//	GET  /dashboard/api/snapshot     the same data as JSON
//	POST /dashboard/api/breakers/{name}/force-open|force-close|reset
//	POST /dashboard/api/chaos/{name}/enable|disable
//
// # Updates
//
// Each open page holds one event stream, served by its own goroutine: a
// full snapshot (with the recent events) at once, then a "snapshot" event
// every Config.Interval read from the Registry, an "event" message as soon
// as a policy reports a state change through Dashboard.Listener or a
// control is used, and a heartbeat comment every Config.Heartbeat. The
// goroutine ends when the client disconnects, a write fails (each write has
// a 10s deadline) or Close is called; at most Config.MaxClients streams are
// served at once, the others get 503. The page keeps the last 60 points of
// each series for its sparklines.
//
// # Controls
//
// Config.Controls carries out the buttons; Registry implements it over
// breakers and fault injectors added by name, and the sidecar proxy over
// its routes. Force-close and reset both close the breaker with
// Breaker.Reset, so it goes on tripping by itself (see Controls). A
// control request is carried out only when
//
//   - it is a POST (other methods get 405);
//   - it comes from a loopback address and names a loopback host (403
//     otherwise): behind a reverse proxy every request seems local, so do
//     not put one in front of the controls;
//   - it is not cross-site (Sec-Fetch-Site and Origin) and carries the
//     per-process token the page embeds, in the X-Dashboard-Token header
//     (403 otherwise), so that no other web page open in the user's
//     browser can drive it.
//
// Every control is recorded as an event (EventStateChange for breakers,
// EventFault for chaos, with a Detail such as "manual: force-open by
// dashboard"), listed on the page and passed to Config.Listener.
//
// # Defaults and concurrency
//
// The zero Config shows stats.Default(), pushes every second, serves 32
// streams, keeps 100 events and has no controls. A Dashboard is safe for
// concurrent use; its Listener takes a short lock only for state changes
// and manual controls, and never blocks on a slow page. Most callers want:
//
//	d, _ := dashboard.New(dashboard.Config{Registry: reg, Controls: ctl})
//	defer d.Close()
//	mux.Handle("/dashboard", d.Handler())
//	mux.Handle("/dashboard/", d.Handler())
package dashboard
