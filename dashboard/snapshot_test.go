package dashboard

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/resilience-go/resilience/stats"
)

// TestSnapshotNonFinite checks that NaN and Inf gauges, which JSON cannot
// hold, are sent as 0 without changing the Source's map.
func TestSnapshotNonFinite(t *testing.T) {
	e := newEnv(t, Config{})
	shared := map[string]float64{"nan": math.NaN(), "inf": math.Inf(1), "ok": 2.5}
	e.reg.Instance("custom", "x").SetSource(func() stats.Gauges { return stats.Gauges{Values: shared} })
	w := e.serve(httptest.NewRequest(http.MethodGet, "/dashboard/api/snapshot", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("snapshot = %d %s want 200", w.Code, w.Body)
	}
	var s Snapshot
	if err := json.Unmarshal(w.Body.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	in, _ := instance(s, "custom", "x")
	if v := in.Gauges.Values; v["nan"] != 0 || v["inf"] != 0 || v["ok"] != 2.5 {
		t.Errorf("gauges = %v want nan and inf as 0, ok 2.5", v)
	}
	if !math.IsNaN(shared["nan"]) || !math.IsInf(shared["inf"], 1) {
		t.Errorf("the Source's map was changed: %v", shared)
	}
	if msg := string(e.d.snapshotMessage(false)); len(msg) < 20 || msg[:16] != "event: snapshot\n" {
		t.Errorf("snapshotMessage = %q", msg)
	}
}

func TestFiniteMap(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]float64
		want map[string]float64
	}{
		{"nil", nil, nil},
		{"finite", map[string]float64{"a": 1}, map[string]float64{"a": 1}},
		{"mixed", map[string]float64{"a": math.Inf(-1), "b": -3}, map[string]float64{"a": 0, "b": -3}},
	}
	for _, tt := range tests {
		got := finiteMap(tt.in)
		if len(got) != len(tt.want) {
			t.Errorf("%s: finiteMap(%v) = %v want %v", tt.name, tt.in, got, tt.want)
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("%s: finiteMap(%v)[%s] = %v want %v", tt.name, tt.in, k, got[k], v)
			}
		}
	}
}
