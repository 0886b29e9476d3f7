package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Process tunes the proxy's own process rather than the traffic.
type Process struct {
	// MemoryLimit is the memory the proxy aims to stay within, through
	// the Go runtime's soft memory limit (runtime/debug.SetMemoryLimit): as
	// the memory the runtime manages nears it, the garbage collector runs
	// more often, spending CPU to keep the heap from doubling between
	// collections. It counts heap, stacks and runtime metadata, not the
	// pages of the executable (about 13 MB), which RSS also counts.
	//
	// It is a target, not a cliff: while the live data needs more, the
	// proxy raises the runtime's limit so that the collector never runs
	// more often than it would at GOGC=25, and memory grows with the load
	// rather than the collector taking the CPU.
	//
	// Zero means automatic: $GOMEMLIMIT when set, or else 90% of the
	// memory limit of the process's cgroup (a container's limit), each set
	// as it is, since exceeding it risks being killed; with neither, a
	// target of 48MiB, which keeps the proxy within 64 MB of RSS at 1000
	// busy connections, for some of its throughput at that load (the
	// collector's work; nothing at moderate loads). "none" (-1) sets
	// no limit, whatever the environment says. Otherwise at least
	// MinMemoryLimit. Written as bytes or with a unit: "48MiB", "1GiB",
	// "500MB". A reload applies a new value.
	MemoryLimit ByteSize `yaml:"memory_limit" json:"memory_limit"`
}

// MinMemoryLimit is the smallest Process.MemoryLimit accepted: below it
// the collector would run all the time.
const MinMemoryLimit = 16 << 20

// NoMemoryLimit is the Process.MemoryLimit that "none" stands for.
const NoMemoryLimit ByteSize = -1

// ByteSize is a size in bytes, written in the file as an integer or with
// a unit: B, KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB
// (powers of 1000), as in "64MiB" or "1.5GB". "none" is -1, a size that a
// field documents as "no limit".
type ByteSize int64

var byteUnits = []struct {
	name string
	mult float64
}{
	{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"kB", 1e3}, {"B", 1},
}

// errByteSize is the error of a size that does not parse.
var errByteSize = errors.New(`want bytes such as 67108864, "64MiB", "1.5GB" or "none"`)

// ParseByteSize parses a size as written in the file.
func ParseByteSize(s string) (ByteSize, error) {
	t := strings.TrimSpace(s)
	if t == "none" {
		return NoMemoryLimit, nil
	}
	num, mult := t, 1.0
	for _, u := range byteUnits {
		if rest, ok := strings.CutSuffix(t, u.name); ok {
			num, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	if n, err := strconv.ParseInt(num, 10, 64); err == nil && mult == 1 {
		if n < 0 {
			return 0, fmt.Errorf("%q is negative", s)
		}
		return ByteSize(n), nil
	}
	if strings.HasPrefix(num, "-") {
		return 0, fmt.Errorf("%q is negative", s)
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || !decimal(num) {
		return 0, fmt.Errorf("%q: %w", s, errByteSize)
	}
	v := f * mult
	switch {
	case v >= math.MaxInt64:
		return 0, fmt.Errorf("%q is too large", s)
	}
	return ByteSize(math.Round(v)), nil
}

// decimal reports whether s is digits with at most one '.' among them.
func decimal(s string) bool {
	digits, dots := 0, 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
			dots++
		default:
			return false
		}
	}
	return digits > 0 && dots <= 1
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseByteSize.
func (b *ByteSize) UnmarshalText(text []byte) error {
	v, err := ParseByteSize(string(text))
	if err != nil {
		return err
	}
	*b = v
	return nil
}

// MarshalText implements encoding.TextMarshaler with String.
func (b ByteSize) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// String writes b in the largest power-of-1024 unit that divides it
// exactly ("64MiB", "1500B"), or "none" for -1.
func (b ByteSize) String() string {
	switch {
	case b == NoMemoryLimit:
		return "none"
	case b <= 0:
		return strconv.FormatInt(int64(b), 10)
	}
	for _, u := range byteUnits[:4] {
		m := ByteSize(u.mult)
		if b%m == 0 {
			return strconv.FormatInt(int64(b/m), 10) + u.name
		}
	}
	return strconv.FormatInt(int64(b), 10)
}

func (v *validator) process(p *Process) {
	switch m := p.MemoryLimit; {
	case m == 0 || m == NoMemoryLimit:
	case m < 0:
		v.errf("process.memory_limit", "%d is negative: use \"none\" for no limit", int64(m))
	case m < MinMemoryLimit:
		v.errf("process.memory_limit", "%s is below the minimum %s: the collector would run all the time", m, ByteSize(MinMemoryLimit))
	}
}
