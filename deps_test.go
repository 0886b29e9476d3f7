package resilience_test

import (
	"os/exec"
	"strings"
	"testing"
)

// depsExempt lists the packages of this module that may import modules
// other than the standard library. Everything else here is a policy or core
// package and must stay dependency-free, so that users of the library never
// pull heavy dependencies into their builds.
var depsExempt = map[string]bool{
	"github.com/resilience-go/resilience/internal/leaktest": true, // test helper around goleak
}

const modulePath = "github.com/resilience-go/resilience"

// TestCorePackagesImportOnlyStandardLibrary lists the (non-test) imports of
// every package in this module with `go list -deps` and fails on any package
// outside the standard library and this module.
func TestCorePackagesImportOnlyStandardLibrary(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	out, err := exec.Command(goBin, "list", "-f", "{{.ImportPath}}", modulePath+"/...").Output()
	if err != nil {
		t.Fatalf("go list packages: %v", err)
	}
	pkgs := strings.Fields(string(out))
	if len(pkgs) < 2 {
		t.Fatalf("go list found only %v; expected the root and clock packages at least", pkgs)
	}
	checked := 0
	for _, pkg := range pkgs {
		if depsExempt[pkg] {
			continue
		}
		out, err := exec.Command(goBin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", pkg).Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", pkg, err)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep != modulePath && !strings.HasPrefix(dep, modulePath+"/") {
				t.Errorf("%s imports %s, which is outside the standard library", pkg, dep)
			}
			if depsExempt[dep] {
				t.Errorf("%s imports the exempt package %s", pkg, dep)
			}
		}
		checked++
	}
	t.Logf("checked %d packages", checked)
}
