package dashboard

import (
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/resilience-go/resilience"
	"github.com/resilience-go/resilience/clock"
)

// EventRecord is one recent event as the page lists it: a state change a
// policy reported through Dashboard.Listener, or a manual control.
type EventRecord struct {
	// Seq numbers the events in the order recorded, from 1.
	Seq uint64 `json:"seq"`
	// Time is when the dashboard recorded the event, on its clock.
	Time time.Time `json:"time"`
	// Kind is the resilience.EventKind's name, e.g. "state_change".
	Kind string `json:"kind"`
	// Policy is the instance's policy kind, e.g. "circuitbreaker".
	Policy string `json:"policy"`
	// Name is the instance's name.
	Name string `json:"name"`
	// From is the state left by a state change; empty for a manual
	// control.
	From string `json:"from,omitempty"`
	// To is the state entered: by a state change, or asked for by a
	// manual control ("forced_open", "closed", "enabled", "disabled").
	To string `json:"to,omitempty"`
	// Detail is the event's Detail, e.g. "manual: reset by dashboard".
	Detail string `json:"detail,omitempty"`
	// Error is the event's Err as text, if any.
	Error string `json:"error,omitempty"`
}

// manualPrefix starts the Detail of manual controls; the Listener keeps
// such events whatever their kind.
const manualPrefix = "manual:"

// clientBuffer is how many event messages wait for a slow stream before
// the stream falls back to one full snapshot.
const clientBuffer = 64

// feed keeps the recent events and fans new ones out to the open streams.
type feed struct {
	clk        clock.Clock
	maxEvents  int
	maxClients int

	mu      sync.Mutex
	seq     uint64
	ring    []EventRecord // oldest first, at most maxEvents
	clients map[*client]struct{}
	count   atomic.Int64 // len(clients), read without the lock
}

// client is one open event stream.
type client struct {
	msgs chan []byte   // formatted "event" messages
	kick chan struct{} // cap 1: send a snapshot now
	full atomic.Bool   // the kicked snapshot must carry the recent events
}

func newFeed(clk clock.Clock, maxEvents, maxClients int) *feed {
	return &feed{clk: clk, maxEvents: maxEvents, maxClients: maxClients, clients: map[*client]struct{}{}}
}

// subscribe adds a stream, or reports false when maxClients are open.
func (f *feed) subscribe() (*client, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.clients) >= f.maxClients {
		return nil, false
	}
	c := &client{msgs: make(chan []byte, clientBuffer), kick: make(chan struct{}, 1)}
	f.clients[c] = struct{}{}
	f.count.Store(int64(len(f.clients)))
	return c, true
}

func (f *feed) unsubscribe(c *client) {
	f.mu.Lock()
	delete(f.clients, c)
	f.count.Store(int64(len(f.clients)))
	f.mu.Unlock()
}

// record stamps e, keeps it among the recent events and sends it to every
// stream. It never blocks: a stream whose buffer is full gets a full
// snapshot instead.
func (f *feed) record(e resilience.Event) EventRecord {
	rec := EventRecord{
		Time: f.clk.Now(), Kind: e.Kind.String(), Policy: e.Policy, Name: e.Name,
		From: e.From, To: e.To, Detail: e.Detail,
	}
	if e.Err != nil {
		rec.Error = e.Err.Error()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	rec.Seq = f.seq
	if len(f.ring) == f.maxEvents {
		copy(f.ring, f.ring[1:])
		f.ring = f.ring[:len(f.ring)-1]
	}
	f.ring = append(f.ring, rec)
	if len(f.clients) == 0 {
		return rec
	}
	// Marshalled under the lock so that every stream sees events in Seq
	// order; events are rare (state changes, clicks).
	data, _ := json.Marshal(rec) // an EventRecord always marshals
	msg := sseMessage("event", data)
	for c := range f.clients {
		select {
		case c.msgs <- msg:
		default:
			c.full.Store(true)
			c.poke()
		}
	}
	return rec
}

// kickAll asks every stream for a snapshot now.
func (f *feed) kickAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.clients {
		c.poke()
	}
}

func (c *client) poke() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

// recent returns a copy of the recent events, oldest first.
func (f *feed) recent() []EventRecord {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]EventRecord(nil), f.ring...)
}

// sseMessage formats one server-sent event; data holds no newline (JSON
// from encoding/json).
func sseMessage(event string, data []byte) []byte {
	b := make([]byte, 0, len(event)+len(data)+16)
	b = append(b, "event: "...)
	b = append(b, event...)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	return append(b, "\n\n"...)
}

// listener is the Listener the dashboard exposes.
type listener struct{ f *feed }

// OnEvent records state changes and manual controls; every other event
// returns at once, without allocating.
func (l listener) OnEvent(e resilience.Event) {
	if e.Kind != resilience.EventStateChange && !strings.HasPrefix(e.Detail, manualPrefix) {
		return
	}
	l.f.record(e)
}
