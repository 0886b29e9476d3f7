package discovery

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/resilience-go/resilience"
)

// File is a Source read from a file of instances (JSON by default, any
// format through FileConfig.Decode), reloaded when the file changes.
//
// Every Interval, File stats the file; when its size, modification time or
// identity (a rename put a new file in place) changed, it reads the file
// and hashes it, and only when the hash changed does it decode, validate
// and publish the new sets. A file that is missing, too large, or does not
// decode or validate changes nothing: the last good sets keep being served,
// Err and Stats report the error, and the Listener gets an EventFailure.
// The next good version is picked up at the following check.
//
// Services not in the file have an empty set. Make one with NewFile, which
// reads the file once and fails if it cannot, and stop it with Close. It is
// safe for concurrent use. Between checks no goroutine runs.
type File struct {
	cfg    FileConfig
	hub    *hub
	poller *poller

	reload sync.Mutex // serializes checks; guards last, bad and badErr
	last   fileState  // the file last loaded
	bad    fileState  // the file that last failed to decode, if any
	badErr error

	mu    sync.Mutex
	stats FileStats
	err   error
}

// FileStats counts a File's checks.
type FileStats struct {
	// Checks is how many times the file was examined, NewFile's load
	// included.
	Checks uint64
	// Loads is how many times a changed file was decoded and published.
	Loads uint64
	// Failures is how many checks failed.
	Failures uint64
	// LastLoad is when the current sets were loaded, on the File's clock.
	LastLoad time.Time
	// Instances is how many instances the current file holds.
	Instances int
	// Err is the last check's error, nil when it succeeded.
	Err error
}

type fileState struct {
	info os.FileInfo
	hash [sha256.Size]byte
}

var _ Source = (*File)(nil)

// NewFile reads cfg.Path once and starts checking it every Interval. A
// file that cannot be read or decoded is an error here, since there is no
// last good set to serve yet.
func NewFile(cfg FileConfig) (*File, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	f := &File{cfg: cfg.withDefaults(), hub: newHub(true)}
	if err := f.Reload(); err != nil {
		return nil, err
	}
	f.poller = startPoller(f.cfg.Clock, f.cfg.Interval, func() { _ = f.Reload() })
	return f, nil
}

// Reload checks the file now, as the periodic check does, and returns that
// check's error (nil when the file is unchanged or was loaded).
func (f *File) Reload() error {
	f.reload.Lock()
	defer f.reload.Unlock()
	n, changed, repeat, err := f.check()
	f.mu.Lock()
	if err != nil && f.err != nil && err.Error() == f.err.Error() {
		repeat = true // the same failure as last time: report it once
	}
	f.stats.Checks++
	f.err = err
	f.stats.Err = err
	if err != nil {
		f.stats.Failures++
	} else if changed {
		f.stats.Loads++
		f.stats.LastLoad = f.cfg.Clock.Now()
		f.stats.Instances = n
	}
	f.mu.Unlock()
	if l := f.cfg.Listener; l != nil {
		switch {
		case err != nil && !repeat:
			l.OnEvent(resilience.Event{Kind: resilience.EventFailure, Policy: "discovery", Name: f.cfg.Name, Err: err, Detail: "file: kept the last good set"})
		case changed:
			l.OnEvent(resilience.Event{Kind: resilience.EventSuccess, Policy: "discovery", Name: f.cfg.Name, Detail: fmt.Sprintf("file: loaded %d instances", n)})
		}
	}
	return err
}

// check examines the file and publishes a changed, valid one. repeat says
// that the error is the one the same bad file gave at the last check, which
// is not reported again. It runs under f.reload.
func (f *File) check() (n int, changed, repeat bool, err error) {
	info, err := os.Stat(f.cfg.Path)
	if err != nil {
		return 0, false, false, fmt.Errorf("discovery: file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return 0, false, false, fmt.Errorf("discovery: file: %s is not a regular file", f.cfg.Path)
	}
	if sameStat(f.last.info, info) {
		return 0, false, false, nil
	}
	if sameStat(f.bad.info, info) {
		return 0, false, true, f.badErr
	}
	data, err := readLimited(f.cfg.Path, f.cfg.MaxSize)
	if err != nil {
		return 0, false, false, err
	}
	sum := sha256.Sum256(data)
	if f.last.info != nil && sum == f.last.hash {
		f.last.info = info // touched or rewritten with the same content
		return 0, false, false, nil
	}
	list, err := f.cfg.Decode(data)
	if err == nil {
		list, err = prepareList(list, f.cfg.Service)
	}
	if err != nil {
		err = fmt.Errorf("discovery: file %s: %w", f.cfg.Path, err)
		f.bad, f.badErr = fileState{info: info, hash: sum}, err
		return 0, false, false, err
	}
	groups := map[string][]Instance{}
	for _, inst := range list {
		groups[inst.Service] = append(groups[inst.Service], inst)
	}
	f.hub.publishAll(groups)
	f.last = fileState{info: info, hash: sum}
	f.bad, f.badErr = fileState{}, nil
	return len(list), true, false, nil
}

// sameStat reports whether b is the same file as a with the same size and
// modification time: then its content is taken as unchanged.
func sameStat(a, b os.FileInfo) bool {
	return a != nil && b != nil && os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

func readLimited(path string, limit int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("discovery: file: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("discovery: file: read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("discovery: file: %s is larger than MaxSize %d bytes", path, limit)
	}
	return data, nil
}

// Err returns the last check's error, nil when it succeeded. While it is
// not nil, the sets loaded before are still served.
func (f *File) Err() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

// Stats returns the File's counters.
func (f *File) Stats() FileStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats
}

// Lookup returns service's instances from the last good file (none for a
// service it does not list).
func (f *File) Lookup(ctx context.Context, service string) ([]Instance, error) {
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	set, _ := f.hub.lookup(service)
	if f.closed() {
		return nil, ErrClosed
	}
	return set, nil
}

// Watch returns a Watcher of service's set, which changes when a changed
// file is loaded.
func (f *File) Watch(ctx context.Context, service string) (Watcher, error) {
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	return f.hub.watch(ctx, service)
}

func (f *File) closed() bool {
	f.hub.mu.Lock()
	defer f.hub.mu.Unlock()
	return f.hub.closed
}

// Close stops the checks, waiting for one in progress, and ends every
// watcher. It must not be called from the Listener. It returns nil.
func (f *File) Close() error {
	f.poller.stop()
	f.hub.close()
	return nil
}
