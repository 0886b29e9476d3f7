package proxy

import (
	"sync/atomic"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/dashboard"
)

// controls hands the dashboard's buttons to the current table's
// dashboard.Registry, so that they reach the instances in force after a
// reload.
type controls struct{ p *Proxy }

func (c controls) reg() *dashboard.Registry { return c.p.table.Load().controls }

func (c controls) Targets() []dashboard.Target         { return c.reg().Targets() }
func (c controls) ForceOpen(name string) error         { return c.reg().ForceOpen(name) }
func (c controls) ForceClose(name string) error        { return c.reg().ForceClose(name) }
func (c controls) Reset(name string) error             { return c.reg().Reset(name) }
func (c controls) SetChaos(name string, on bool) error { return c.reg().SetChaos(name, on) }

// dashEvents forwards the state changes of breakers and chaos injectors to
// the dashboard's recent-events list once the admin server has made the
// dashboard; before that, and without a dashboard, it drops them. Policies
// built before the dashboard keep this one listener, so no rebuild is needed.
type dashEvents struct {
	d atomic.Pointer[dashboard.Dashboard]
}

// OnEvent implements resilience.Listener.
func (e *dashEvents) OnEvent(ev resilience.Event) {
	if ev.Kind != resilience.EventStateChange {
		return
	}
	if d := e.d.Load(); d != nil {
		d.Listener().OnEvent(ev)
	}
}
