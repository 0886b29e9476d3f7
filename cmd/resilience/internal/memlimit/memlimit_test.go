package memlimit

import (
	"math"
	"testing"
	"testing/fstest"

	"github.com/resilience-go/resilience/config"
)

func TestChoose(t *testing.T) {
	tests := []struct {
		name string
		in   Inputs
		want Choice
	}{
		{"nothing: the default target", Inputs{}, Choice{DefaultLimit, SourceDefault, true}},
		{"config wins over all", Inputs{Configured: 48 << 20, Env: "1GiB", EnvLimit: 1 << 30, Cgroup: 1 << 30}, Choice{48 << 20, SourceConfig, true}},
		{"none wins over env and cgroup", Inputs{Configured: config.NoMemoryLimit, Env: "1GiB", EnvLimit: 1 << 30, Cgroup: 1 << 30}, Choice{math.MaxInt64, SourceNone, false}},
		{"env over cgroup, kept as it is", Inputs{Env: "1GiB", EnvLimit: 1 << 30, Cgroup: 2 << 30}, Choice{1 << 30, SourceEnv, false}},
		{"cgroup share, kept as it is", Inputs{Cgroup: 100 << 20}, Choice{int64(float64(100<<20) * CgroupShare), SourceCgroup, false}},
		{"env set to off", Inputs{Env: "off", EnvLimit: math.MaxInt64, Cgroup: 100 << 20}, Choice{math.MaxInt64, SourceEnv, false}},
	}
	for _, tt := range tests {
		if got := Choose(tt.in); got != tt.want {
			t.Errorf("%s: Choose(%+v) = %+v want %+v", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestCgroupLimit(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name string
		fs   fstest.MapFS
		want int64
	}{
		{"no /proc", fstest.MapFS{}, 0},
		{"v2 limited", fstest.MapFS{
			"proc/self/cgroup":                          file("0::/kubepods/pod1/c1\n"),
			"sys/fs/cgroup/kubepods/pod1/c1/memory.max": file("268435456\n"),
		}, 256 << 20},
		{"v2 unlimited group, limited parent", fstest.MapFS{
			"proc/self/cgroup":                          file("0::/kubepods/pod1/c1\n"),
			"sys/fs/cgroup/kubepods/pod1/c1/memory.max": file("max\n"),
			"sys/fs/cgroup/kubepods/pod1/memory.max":    file("134217728\n"),
			"sys/fs/cgroup/kubepods/memory.max":         file("max\n"),
		}, 128 << 20},
		{"v2 namespaced root", fstest.MapFS{
			"proc/self/cgroup":         file("0::/\n"),
			"sys/fs/cgroup/memory.max": file("67108864"),
		}, 64 << 20},
		{"v2 no limit anywhere", fstest.MapFS{
			"proc/self/cgroup":         file("0::/user.slice\n"),
			"sys/fs/cgroup/memory.max": file("max"),
		}, 0},
		{"v1 group", fstest.MapFS{
			"proc/self/cgroup": file("5:cpu,cpuacct:/\n4:memory:/docker/abc\n0::/\n"),
			"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": file("536870912\n"),
		}, 512 << 20},
		{"v1 container sees its own at the root", fstest.MapFS{
			"proc/self/cgroup":                           file("4:memory:/docker/abc\n"),
			"sys/fs/cgroup/memory/memory.limit_in_bytes": file("536870912\n"),
		}, 512 << 20},
		{"v1 unlimited (this machine's kind)", fstest.MapFS{
			"proc/self/cgroup":                           file("4:memory:/process_api/x\n0::/\n"),
			"sys/fs/cgroup/memory/memory.limit_in_bytes": file("9223372036854771712\n"),
		}, 0},
		{"garbage", fstest.MapFS{
			"proc/self/cgroup":         file("0::/\n"),
			"sys/fs/cgroup/memory.max": file("lots"),
		}, 0},
		{"malformed /proc/self/cgroup", fstest.MapFS{"proc/self/cgroup": file("nonsense\n::\n")}, 0},
	}
	for _, tt := range tests {
		if got := CgroupLimit(tt.fs); got != tt.want {
			t.Errorf("%s: CgroupLimit = %d want %d", tt.name, got, tt.want)
		}
	}
}

func FuzzCgroupLimit(f *testing.F) {
	f.Add("0::/a/b\n", "max", "123")
	f.Add("4:memory:/x\n", "9223372036854771712", "-5")
	f.Fuzz(func(t *testing.T, cgroup, v2, v1 string) {
		fsys := fstest.MapFS{
			"proc/self/cgroup":                           {Data: []byte(cgroup)},
			"sys/fs/cgroup/memory.max":                   {Data: []byte(v2)},
			"sys/fs/cgroup/memory/memory.limit_in_bytes": {Data: []byte(v1)},
		}
		if n := CgroupLimit(fsys); n < 0 || n >= unlimited {
			t.Fatalf("CgroupLimit = %d", n)
		}
	})
}
