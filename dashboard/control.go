package dashboard

import (
	"errors"
	"net/http"

	"github.com/resilience-go/resilience"
)

// action is one control endpoint.
type action struct {
	path   string // pattern after /dashboard/api/
	kind   string // KindBreaker or KindChaos
	name   string // e.g. "force-open", as in the event's Detail
	to     string // the state it asks for
	do     func(c Controls, name string) error
	event  resilience.EventKind
	detail string
}

// actions are the control endpoints.
var actions = []action{
	breakerAction("force-open", "forced_open", Controls.ForceOpen),
	breakerAction("force-close", "closed", Controls.ForceClose),
	breakerAction("reset", "closed", Controls.Reset),
	chaosAction("enable", true),
	chaosAction("disable", false),
}

func breakerAction(name, to string, do func(Controls, string) error) action {
	return action{
		path: "breakers/{name}/" + name, kind: KindBreaker, name: name, to: to, do: do,
		event: resilience.EventStateChange, detail: manualPrefix + " " + name + " by dashboard",
	}
}

func chaosAction(name string, on bool) action {
	return action{
		path: "chaos/{name}/" + name, kind: KindChaos, name: name, to: chaosState(on),
		do:    func(c Controls, target string) error { return c.SetChaos(target, on) },
		event: resilience.EventFault, detail: manualPrefix + " chaos " + name + " by dashboard",
	}
}

// controlResult is the JSON answer of a control endpoint.
type controlResult struct {
	OK     bool        `json:"ok"`
	Action string      `json:"action"`
	Target Target      `json:"target"`
	Event  EventRecord `json:"event"`
}

// control carries out a on the target named in the path, after checking
// that the request comes from this host's own page (see refuseControl).
// It records the event, passes it to Config.Listener and pushes a fresh
// snapshot to every open page.
func (d *Dashboard) control(w http.ResponseWriter, r *http.Request, a action) {
	if reason := d.refuseControl(r); reason != "" {
		secure(w.Header())
		http.Error(w, "dashboard: "+reason, http.StatusForbidden)
		return
	}
	if d.cfg.Controls == nil {
		secure(w.Header())
		http.Error(w, "dashboard: no controls configured", http.StatusNotFound)
		return
	}
	name := r.PathValue("name")
	if err := a.do(d.cfg.Controls, name); err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, ErrUnknownTarget) {
			status = http.StatusNotFound
		}
		secure(w.Header())
		http.Error(w, err.Error(), status)
		return
	}
	e := resilience.Event{Kind: a.event, Policy: a.kind, Name: name, To: a.to, Detail: a.detail}
	rec := d.feed.record(e)
	if l := d.cfg.Listener; l != nil {
		l.OnEvent(e)
	}
	d.feed.kickAll()
	res := controlResult{OK: true, Action: a.name, Target: Target{Kind: a.kind, Name: name, State: a.to}, Event: rec}
	for _, t := range d.cfg.Controls.Targets() {
		if t.Kind == a.kind && t.Name == name {
			res.Target = t
		}
	}
	writeJSON(w, http.StatusOK, res)
}
