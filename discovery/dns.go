package discovery

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/resilience-go/resilience"
)

// DNS is a Source that resolves one service's instances from DNS: A/AAAA
// records of a host name with a fixed port, or SRV records with their own
// ports and weights.
//
// Lookup resolves now, bounded by Timeout, and returns the answer or the
// error; wrap DNS in a Cache to serve the last good answer when DNS fails.
// Watchers get a set resolved every Refresh: a failed refresh, or an answer
// without usable records, keeps the last good set (Err and Stats tell), so
// a DNS hiccup never empties a service. Names are resolved in the order the
// resolver answers; sets are sorted by ID (host:port).
//
// Make one with NewDNS, which resolves nothing yet, and stop it with Close.
// It is safe for concurrent use. Between refreshes no goroutine runs.
type DNS struct {
	cfg    DNSConfig
	feed   *Feed
	poller *poller

	mu    sync.Mutex
	stats DNSStats
}

// DNSStats counts a DNS source's lookups.
type DNSStats struct {
	// Lookups is how many resolutions ran, refreshes included.
	Lookups uint64
	// Failures is how many of them failed.
	Failures uint64
	// LastSuccess is when a resolution last succeeded, on the source's
	// clock; zero if none has.
	LastSuccess time.Time
	// Err is the last resolution's error, nil when it succeeded.
	Err error
}

var _ Source = (*DNS)(nil)

// NewDNS returns a DNS source configured by cfg, or cfg's error. It starts
// refreshing every Refresh; the first resolution happens at the first
// Lookup, Watch or refresh.
func NewDNS(cfg DNSConfig) (*DNS, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	d := &DNS{cfg: cfg, feed: NewFeed(cfg.Service)}
	d.poller = startPoller(cfg.Clock, cfg.Refresh, func() { _, _ = d.resolve(context.Background()) })
	return d, nil
}

// Lookup resolves the name now and returns the instances found, or the
// error (an answer without usable records is ErrNoInstances, a lookup that
// outlasted Timeout ErrTimeout). Another service is ErrUnknownService.
func (d *DNS) Lookup(ctx context.Context, service string) ([]Instance, error) {
	if service != d.cfg.Service {
		return nil, d.unknown(service)
	}
	return d.resolve(ctx)
}

// Watch returns a Watcher of the service's set, refreshed every Refresh. If
// the name was never resolved, Watch resolves it first and fails with that
// error. Another service is ErrUnknownService.
func (d *DNS) Watch(ctx context.Context, service string) (Watcher, error) {
	if service != d.cfg.Service {
		return nil, d.unknown(service)
	}
	if _, ok := d.feed.Snapshot(); !ok {
		if _, err := d.resolve(ctx); err != nil {
			return nil, err
		}
	}
	return d.feed.Watch(ctx), nil
}

// Err returns the last resolution's error, nil when it succeeded.
func (d *DNS) Err() error { return d.Stats().Err }

// Stats returns the source's counters.
func (d *DNS) Stats() DNSStats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats
}

// Close stops the refreshes, waiting for one in progress, and ends every
// watcher. It returns nil.
func (d *DNS) Close() error {
	d.poller.stop()
	d.feed.Close()
	return nil
}

// resolve looks the name up, publishes a good answer and counts.
func (d *DNS) resolve(ctx context.Context) ([]Instance, error) {
	set, err := bounded(ctx, d.cfg.Clock, d.cfg.Timeout, false, d.query)
	if err == ErrTimeout {
		err = fmt.Errorf("discovery: dns: %s: no answer within %v: %w", d.cfg.Host, d.cfg.Timeout, ErrTimeout)
	}
	changed := false
	if err == nil {
		slices.SortFunc(set, func(a, b Instance) int { return cmp.Compare(a.ID, b.ID) })
		_, changed = d.feed.Publish(set)
	}
	d.mu.Lock()
	d.stats.Lookups++
	d.stats.Err = err
	if err != nil {
		d.stats.Failures++
	} else {
		d.stats.LastSuccess = d.cfg.Clock.Now()
	}
	d.mu.Unlock()
	if l := d.cfg.Listener; l != nil {
		if err != nil {
			l.OnEvent(resilience.Event{Kind: resilience.EventFailure, Policy: "discovery", Name: d.cfg.Name, Err: err, Detail: "dns: kept the last good set"})
		} else if changed {
			l.OnEvent(resilience.Event{Kind: resilience.EventSuccess, Policy: "discovery", Name: d.cfg.Name, Detail: fmt.Sprintf("dns: resolved %d instances", len(set))})
		}
	}
	if err != nil {
		return nil, err
	}
	return set, nil
}

// query runs one DNS query and turns the answer into instances.
func (d *DNS) query(ctx context.Context) ([]Instance, error) {
	if d.cfg.SRV {
		return d.querySRV(ctx)
	}
	addrs, err := d.cfg.Resolver.LookupNetIP(ctx, d.cfg.Network, d.cfg.Host)
	if err != nil {
		return nil, fmt.Errorf("discovery: dns: lookup %s: %w", d.cfg.Host, err)
	}
	set := make([]Instance, 0, len(addrs))
	seen := make(map[string]bool, len(addrs))
	for _, a := range addrs {
		a = a.Unmap()
		inst := Instance{Service: d.cfg.Service, Address: a.String(), Port: d.cfg.Port, Weight: 1}
		inst.ID = inst.HostPort()
		if !a.IsValid() || seen[inst.ID] || inst.Validate() != nil {
			continue
		}
		seen[inst.ID] = true
		set = append(set, inst)
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("discovery: dns: %s has no usable address: %w", d.cfg.Host, ErrNoInstances)
	}
	return set, nil
}

func (d *DNS) querySRV(ctx context.Context) ([]Instance, error) {
	_, records, err := d.cfg.Resolver.LookupSRV(ctx, "", "", d.cfg.Host)
	if err != nil {
		return nil, fmt.Errorf("discovery: dns: lookup SRV %s: %w", d.cfg.Host, err)
	}
	set := make([]Instance, 0, len(records))
	seen := make(map[string]bool, len(records))
	for _, r := range records {
		if r == nil {
			continue
		}
		target := strings.TrimSuffix(r.Target, ".")
		inst := Instance{
			Service: d.cfg.Service, Address: target, Port: int(r.Port), Weight: max(int(r.Weight), 1),
			Metadata: map[string]string{"priority": strconv.Itoa(int(r.Priority))},
		}
		inst.ID = inst.HostPort()
		if target == "" || seen[inst.ID] || inst.Validate() != nil {
			continue // "." means no service there; invalid records are skipped
		}
		seen[inst.ID] = true
		set = append(set, inst)
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("discovery: dns: SRV %s has no usable record: %w", d.cfg.Host, ErrNoInstances)
	}
	return set, nil
}

func (d *DNS) unknown(service string) error {
	return fmt.Errorf("discovery: dns source of %s asked for %s: %w", strconv.Quote(d.cfg.Service), strconv.Quote(service), ErrUnknownService)
}
