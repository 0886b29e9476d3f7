package dashboard

import (
	"encoding/json"
	"maps"
	"math"
	"net/http"
	"time"

	"github.com/resilience-go/resilience/stats"
)

// Snapshot is what the page draws: the JSON of /dashboard/api/snapshot and
// of each "snapshot" server-sent event.
type Snapshot struct {
	// Time is when it was taken, on the dashboard's clock.
	Time time.Time `json:"time"`
	// Interval is the push period in milliseconds, so the page can label
	// its sparklines.
	Interval int64 `json:"interval_ms"`
	// Instances are the registry's instances, sorted by policy then name.
	// Non-finite rates and gauges are reported as 0, since JSON has no NaN.
	Instances []stats.InstanceSnapshot `json:"instances"`
	// Targets are what the controls can act on; empty without Controls.
	Targets []Target `json:"targets"`
	// Events are the recent events, oldest first. The stream sends them in
	// its first snapshot (and after it fell behind) and omits them after,
	// sending each new event as an "event" message instead.
	Events []EventRecord `json:"events,omitempty"`
}

// Snapshot returns the page's data now, with the recent events.
func (d *Dashboard) Snapshot() Snapshot { return d.snapshot(true) }

func (d *Dashboard) snapshot(withEvents bool) Snapshot {
	s := Snapshot{
		Time:      d.cfg.Clock.Now(),
		Interval:  d.cfg.Interval.Milliseconds(),
		Instances: d.cfg.Registry.Snapshot(),
		Targets:   []Target{},
	}
	for i := range s.Instances {
		finite(&s.Instances[i])
	}
	if d.cfg.Controls != nil {
		if t := d.cfg.Controls.Targets(); t != nil {
			s.Targets = t
		}
	}
	if withEvents {
		s.Events = d.feed.recent()
		if s.Events == nil {
			s.Events = []EventRecord{}
		}
	}
	return s
}

// snapshotMessage returns the snapshot as a server-sent event.
func (d *Dashboard) snapshotMessage(withEvents bool) []byte {
	data, err := json.Marshal(d.snapshot(withEvents))
	if err != nil {
		// Unreachable: finite removed what JSON cannot hold.
		data = []byte(`{"error":"snapshot not serialisable"}`)
	}
	return sseMessage("snapshot", data)
}

// finite replaces NaN and ±Inf, which encoding/json refuses, by 0. Maps a
// Source returned are copied before they change, as the Source may share
// them.
func finite(s *stats.InstanceSnapshot) {
	s.Rate10s = finiteMap(s.Rate10s)
	s.Rate1m = finiteMap(s.Rate1m)
	s.Gauges.Values = finiteMap(s.Gauges.Values)
}

func finiteMap(m map[string]float64) map[string]float64 {
	copied := false
	for k, v := range m {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			continue
		}
		if !copied {
			m, copied = maps.Clone(m), true
		}
		m[k] = 0
	}
	return m
}

func (d *Dashboard) serveSnapshot(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, d.snapshot(true))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "dashboard: "+err.Error(), http.StatusInternalServerError)
		return
	}
	secure(w.Header())
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}
