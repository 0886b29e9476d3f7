package health

import (
	"encoding/json"
	"net/http"
	"strings"
)

var probePaths = map[string]Probe{"livez": ProbeLive, "readyz": ProbeReady, "startupz": ProbeStartup}

// Handler serves the probes, wherever it is mounted, by the last element
// of the request path:
//
//   - /livez, /readyz, /startupz run the probe's checks: 200 with the
//     body "ok" when no critical check failed, else 503 with one line per
//     check ("[+]db ok", "[-]db failed: reason withheld", "[+]db excluded:
//     ok") and "readyz check failed", as kube-apiserver answers.
//   - /readyz/<name> (and so on) runs one check of the probe: 200 "ok" or
//     503 "[-]<name> failed: reason withheld"; 404 for an unknown name.
//
// ?verbose answers with JSON instead: {"probe", "status": "ok"|"fail",
// "checks": [{"name", "status", "error", "critical", "duration",
// "cached"}]}, errors included. ?exclude=name (repeatable, or
// comma-separated) skips checks. Methods other than GET and HEAD get 405.
func (c *Checker) Handler() http.Handler { return http.HandlerFunc(c.serve) }

// Register adds Handler to mux at /livez, /readyz, /startupz and below
// them.
func (c *Checker) Register(mux *http.ServeMux) {
	h := c.Handler()
	for path := range probePaths {
		mux.Handle("/"+path, h)
		mux.Handle("/"+path+"/", h)
	}
}

func (c *Checker) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	probe, ok := probePaths[parts[len(parts)-1]]
	check := ""
	if !ok && len(parts) >= 2 {
		probe, ok = probePaths[parts[len(parts)-2]]
		check = parts[len(parts)-1]
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	verbose := q.Has("verbose") && q.Get("verbose") != "false" && q.Get("verbose") != "0"
	var exclude []string
	for _, v := range q["exclude"] {
		for _, name := range strings.Split(v, ",") {
			if name = strings.TrimSpace(name); name != "" {
				exclude = append(exclude, name)
			}
		}
	}
	var rep Report
	if check != "" {
		res, found := c.runOne(r.Context(), probe, check)
		if !found {
			http.NotFound(w, r)
			return
		}
		// Asked directly, a check fails its endpoint whether critical or not.
		rep = Report{Probe: probe, OK: res.OK(), Checks: []Result{res}}
	} else {
		rep = c.Run(r.Context(), probe, exclude...)
	}
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	status := http.StatusOK
	if !rep.OK {
		status = http.StatusServiceUnavailable
	}
	if verbose {
		h.Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(wireReport(rep))
		return
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	if rep.OK {
		_, _ = w.Write([]byte("ok"))
		return
	}
	var b strings.Builder
	for _, res := range rep.Checks {
		switch res.Status {
		case "ok":
			b.WriteString("[+]" + res.Name + " ok\n")
		case "excluded":
			b.WriteString("[+]" + res.Name + " excluded: ok\n")
		default:
			b.WriteString("[-]" + res.Name + " failed: reason withheld\n")
		}
	}
	if check == "" {
		b.WriteString(probe.String() + " check failed\n")
	}
	_, _ = w.Write([]byte(b.String()))
}

type wireCheck struct {
	Name     string `json:"name"`
	Status   string `json:"status"`
	Error    string `json:"error,omitempty"`
	Critical bool   `json:"critical"`
	Duration string `json:"duration"`
	Cached   bool   `json:"cached,omitempty"`
}

type wire struct {
	Probe  string      `json:"probe"`
	Status string      `json:"status"`
	Checks []wireCheck `json:"checks"`
}

func wireReport(rep Report) wire {
	out := wire{Probe: rep.Probe.String(), Status: "ok", Checks: make([]wireCheck, len(rep.Checks))}
	if !rep.OK {
		out.Status = "fail"
	}
	for i, r := range rep.Checks {
		out.Checks[i] = wireCheck{Name: r.Name, Status: r.Status, Error: r.Error, Critical: r.Critical, Duration: r.Duration.String(), Cached: r.Cached}
	}
	return out
}
