// Package memlimit chooses and sets the proxy's soft memory limit
// (runtime/debug.SetMemoryLimit): from its configuration, $GOMEMLIMIT, the
// memory limit of the cgroup it runs in, or a default, in that order.
//
// A sidecar shares its container or machine with the service it fronts:
// without a limit the garbage collector lets the heap grow to twice the
// live data before it collects, and a thousand busy connections then cost
// twice the memory they need. With one, it collects more often as memory
// nears the limit. A limit from the configuration or the default is a
// target that a Tuner raises while the live data needs more, so that the
// collector never runs more often than at GOGC=MinGCPercent; one from
// $GOMEMLIMIT or the cgroup is kept as it is, since exceeding it risks
// being killed, and Go's own limit then caps the collector at about half
// the CPU.
package memlimit

import (
	"bufio"
	"bytes"
	"io/fs"
	"math"
	"path"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/resilience-go/resilience/config"
)

// CgroupShare is the part of a cgroup's memory limit that an automatic
// limit takes: the rest is for the pages of the executable and the
// memory the Go runtime does not manage, which the kernel counts too.
const CgroupShare = 0.9

// DefaultLimit is the target when neither the configuration, nor
// $GOMEMLIMIT, nor a cgroup sets one: with the executable's pages, a proxy
// at 1000 busy connections then stays within 64 MB of RSS.
const DefaultLimit = 48 << 20

// Sources of a limit, as Choice.Source reports them.
const (
	SourceConfig  = "config"     // process.memory_limit
	SourceEnv     = "GOMEMLIMIT" // the environment, read by the runtime at start
	SourceCgroup  = "cgroup"     // CgroupShare of the cgroup's limit
	SourceDefault = "default"    // DefaultLimit
	SourceNone    = "none"       // no limit
)

// Choice is a limit and where it comes from.
type Choice struct {
	// Limit is the limit in bytes; math.MaxInt64 means none.
	Limit int64
	// Source is one of the Source constants.
	Source string
	// Tuned is set when Limit is a target for a Tuner rather than a limit
	// to set as it is: for the configuration's and the default.
	Tuned bool
}

// Inputs are what Choose decides from, so that tests can give their own.
type Inputs struct {
	// Configured is process.memory_limit: 0 automatic, -1 none.
	Configured config.ByteSize
	// Env is $GOMEMLIMIT, and EnvLimit the limit the runtime took from it
	// at start (debug.SetMemoryLimit(-1) before any change).
	Env      string
	EnvLimit int64
	// Cgroup is the cgroup's memory limit, 0 when it has none.
	Cgroup int64
}

// Choose picks the limit: the configured one, else $GOMEMLIMIT's, else
// CgroupShare of the cgroup's, else DefaultLimit.
func Choose(in Inputs) Choice {
	switch {
	case in.Configured == config.NoMemoryLimit:
		return Choice{Limit: math.MaxInt64, Source: SourceNone}
	case in.Configured > 0:
		return Choice{Limit: int64(in.Configured), Source: SourceConfig, Tuned: true}
	case in.Env != "" && in.EnvLimit > 0:
		return Choice{Limit: in.EnvLimit, Source: SourceEnv}
	case in.Cgroup > 0:
		return Choice{Limit: int64(float64(in.Cgroup) * CgroupShare), Source: SourceCgroup}
	}
	return Choice{Limit: DefaultLimit, Source: SourceDefault, Tuned: true}
}

// Apply sets c as the runtime's memory limit, as it is.
func Apply(c Choice) { debug.SetMemoryLimit(c.Limit) }

// unlimited is the smallest cgroup v1 value that means "no limit": the
// kernel reports the largest page-aligned int64.
const unlimited = 1 << 62

// CgroupLimit returns the memory limit of the cgroup the process is in,
// or 0 when it has none or it cannot be read. fsys is rooted at "/"
// (os.DirFS("/")). It reads /proc/self/cgroup, then cgroup v2's
// memory.max of that group and of each ancestor (the smallest applies),
// or cgroup v1's memory.limit_in_bytes of the memory hierarchy, of the
// group and else at the root of the mount (which is the container's own
// in a container).
func CgroupLimit(fsys fs.FS) int64 {
	data, err := fs.ReadFile(fsys, "proc/self/cgroup")
	if err != nil {
		return 0
	}
	var v1, v2 string
	haveV2 := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		// hierarchy-ID:controller-list:path
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			v2, haveV2 = parts[2], true
		case containsController(parts[1], "memory"):
			v1 = parts[2]
		}
	}
	if v1 != "" {
		for _, dir := range []string{path.Join("sys/fs/cgroup/memory", v1), "sys/fs/cgroup/memory"} {
			if n, ok := readLimit(fsys, path.Join(dir, "memory.limit_in_bytes")); ok {
				return n
			}
		}
	}
	if !haveV2 {
		return 0
	}
	var least int64
	for dir := path.Join("sys/fs/cgroup", v2); ; dir = path.Dir(dir) {
		if n, ok := readLimit(fsys, path.Join(dir, "memory.max")); ok && n > 0 && (least == 0 || n < least) {
			least = n
		}
		if dir == "sys/fs/cgroup" || dir == "." || dir == "/" {
			break
		}
	}
	return least
}

func containsController(list, name string) bool {
	for c := range strings.SplitSeq(list, ",") {
		if c == name {
			return true
		}
	}
	return false
}

// readLimit reads a cgroup limit file: a number of bytes, or "max" (v2)
// or a huge number (v1) for none, which it reports as 0, true.
func readLimit(fsys fs.FS, name string) (int64, bool) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return 0, false
	}
	s := strings.TrimSpace(string(data))
	if s == "max" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	if n >= unlimited {
		return 0, true
	}
	return n, true
}
