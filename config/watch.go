package config

import (
	"crypto/sha256"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/resilience-go/resilience/clock"
)

// DefaultWatchInterval is how often a Watcher checks its file when
// WatcherConfig.Interval is zero.
const DefaultWatchInterval = time.Second

// WatcherConfig configures a Watcher.
type WatcherConfig struct {
	// Path is the configuration file. Required.
	Path string `yaml:"path" json:"path"`
	// Interval is how often the file's modification time and size are
	// checked; when either changed, the file is read and, if its content
	// changed, parsed. Zero means DefaultWatchInterval (1s); negative
	// turns polling off, leaving Reload.
	Interval time.Duration `yaml:"interval" json:"interval"`
	// OnChange receives each new valid configuration, in version order,
	// one call at a time, never under the Watcher's locks: it may call
	// Reload or Current. Nil means none; read Current instead.
	OnChange func(Update) `yaml:"-" json:"-"`
	// OnError receives each failed check: an *Errors for an invalid file
	// (the previous configuration stays in force), or the error reading
	// it. A poll reports the same problem once; Reload reports it every
	// time. Called like OnChange. Nil means none.
	OnError func(error) `yaml:"-" json:"-"`
	// Clock times the polls. Nil means the real clock; tests pass
	// clock.NewManual(t0) and Advance it by Interval to make a poll.
	Clock clock.Clock `yaml:"-" json:"-"`
}

// Update is a new configuration delivered by a Watcher.
type Update struct {
	// Version counts the configurations: the one NewWatcher loaded is 1,
	// each change delivered adds 1.
	Version uint64
	// Config is the new configuration, valid; Previous the one it
	// replaces.
	Config, Previous *Config
	// Changes says what changed, so the proxy can keep the policies in
	// Changes.Keep and their state.
	Changes Changes
}

// Watcher keeps a configuration file's latest valid version: it polls the
// file on its Clock and re-reads it when Reload is called (the proxy calls
// Reload on SIGHUP). A valid change is delivered to OnChange with a new
// version; an invalid one goes to OnError and is never delivered, the
// previous configuration staying current. Make one with NewWatcher and
// stop it with Close. A Watcher is safe for concurrent use; it starts no
// goroutine of its own (polls run in the Clock's timer).
type Watcher struct {
	cfg WatcherConfig
	clk clock.Clock

	checkMu sync.Mutex // one check at a time, so versions follow file order

	mu         sync.Mutex // guards the fields below
	current    *Config
	version    uint64
	stamp      fileStamp // of the last file read
	seenHash   [32]byte  // content of the last file read
	goodHash   [32]byte  // content of current
	lastErr    string    // the last problem reported by a poll
	timer      clock.Timer
	closed     bool
	queue      []event
	delivering bool
}

type fileStamp struct {
	mod  time.Time
	size int64
}

type event struct {
	update *Update
	err    error
}

// NewWatcher loads cfg.Path and starts polling it. It fails, watching
// nothing, when the file cannot be read or is invalid: a proxy must not
// start without a valid configuration.
func NewWatcher(cfg WatcherConfig) (*Watcher, error) {
	if cfg.Path == "" {
		return nil, errors.New("config: WatcherConfig.Path is empty")
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultWatchInterval
	}
	w := &Watcher{cfg: cfg, clk: clock.Or(cfg.Clock)}
	st, err := os.Stat(cfg.Path)
	if err != nil {
		return nil, err
	}
	data, err := readFile(cfg.Path)
	if err != nil {
		return nil, err
	}
	c, err := Parse(cfg.Path, data)
	if err != nil {
		return nil, err
	}
	w.current, w.version = c, 1
	w.stamp = fileStamp{st.ModTime(), st.Size()}
	w.seenHash = sha256.Sum256(data)
	w.goodHash = w.seenHash
	if cfg.Interval > 0 {
		w.timer = w.clk.AfterFunc(cfg.Interval, w.poll)
	}
	return w, nil
}

// Current returns the configuration in force and its version.
func (w *Watcher) Current() (*Config, uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.current, w.version
}

// Reload reads the file now, whatever its modification time, and applies
// it when it is valid and changed. It returns nil when the file is valid
// (changed or not), else the problem, also given to OnError. It returns
// before OnChange and OnError have been called if another goroutine is
// delivering, which then delivers in order.
func (w *Watcher) Reload() error {
	err := w.check(true)
	w.deliver()
	return err
}

// Close stops polling. Reload still works. It is safe to call twice.
func (w *Watcher) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	if w.timer != nil {
		w.timer.Stop()
	}
}

func (w *Watcher) poll() {
	_ = w.check(false)
	w.deliver()
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.timer.Reset(w.cfg.Interval)
	}
}

// check reads and applies the file if it changed (or force), queueing
// the event to deliver.
func (w *Watcher) check(force bool) error {
	w.checkMu.Lock()
	defer w.checkMu.Unlock()
	st, err := os.Stat(w.cfg.Path)
	if err != nil {
		w.fail(err, force)
		return err
	}
	stamp := fileStamp{st.ModTime(), st.Size()}
	w.mu.Lock()
	same := stamp == w.stamp
	w.mu.Unlock()
	if same && !force {
		return nil
	}
	data, err := readFile(w.cfg.Path)
	if err != nil {
		w.fail(err, force)
		return err
	}
	hash := sha256.Sum256(data)
	w.mu.Lock()
	w.stamp = stamp
	skip := hash == w.goodHash || (hash == w.seenHash && !force)
	w.seenHash = hash
	if hash == w.goodHash {
		w.lastErr = ""
	}
	w.mu.Unlock()
	if skip {
		return nil
	}
	c, err := Parse(w.cfg.Path, data)
	if err != nil {
		w.fail(err, force)
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	prev := w.current
	w.version++
	w.current, w.goodHash, w.lastErr = c, hash, ""
	if w.cfg.OnChange != nil {
		w.queue = append(w.queue, event{update: &Update{Version: w.version, Config: c, Previous: prev, Changes: Diff(prev, c)}})
	}
	return nil
}

// fail queues err for OnError, unless a poll already reported the same.
func (w *Watcher) fail(err error, force bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	msg := err.Error()
	if !force && msg == w.lastErr {
		return
	}
	w.lastErr = msg
	if w.cfg.OnError != nil {
		w.queue = append(w.queue, event{err: err})
	}
}

// deliver calls the callbacks for the queued events, in order, one at a
// time, without holding any lock; a goroutine that finds another
// delivering leaves its events to it.
func (w *Watcher) deliver() {
	w.mu.Lock()
	if w.delivering {
		w.mu.Unlock()
		return
	}
	w.delivering = true
	locked := true
	defer func() { // also when a callback panics
		if !locked {
			w.mu.Lock()
		}
		w.delivering = false
		w.mu.Unlock()
	}()
	for len(w.queue) > 0 {
		ev := w.queue[0]
		w.queue = w.queue[1:]
		w.mu.Unlock()
		locked = false
		if ev.update != nil {
			w.cfg.OnChange(*ev.update)
		} else {
			w.cfg.OnError(ev.err)
		}
		w.mu.Lock()
		locked = true
	}
}
