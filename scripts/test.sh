#!/usr/bin/env bash
# Runs every check and test of every module in this repository: the one
# command the README gives and .ci/run calls. Installs and starts what the
# tests need (redis-server, etcd) when a module needs them.
#
#   scripts/test.sh            everything
#   FUZZTIME=10s scripts/test.sh   also fuzz every Fuzz target for 10s each
set -euo pipefail
cd "$(dirname "$0")/.."
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export GOWORK=off

# Every directory holding a go.mod is a module; bench/ holds the peers.
mapfile -t modules < <(find . -name go.mod -not -path '*/testdata/*' -printf '%h\n' | sort)

fail=0
step() { printf '\n== %s\n' "$*"; }

# Real servers for the adapters' tests: installed from Debian packages when
# missing; each test starts its own instance on a free loopback port.
for svc in redis etcd chromium; do
	if [ -x "scripts/$svc.sh" ]; then
		step "ensure $svc"
		"scripts/$svc.sh" ensure || fail=1
	fi
done

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	printf 'gofmt would change:\n%s\n' "$unformatted"
	fail=1
fi

for m in "${modules[@]}"; do
	step "go vet ($m)"
	(cd "$m" && go vet ./...) || fail=1
done

for m in "${modules[@]}"; do
	if [ "$m" = "./bench" ]; then
		# The benchmarks are measured by bench/run.sh; here they only have to
		# compile and run once.
		step "bench compiles and runs once ($m)"
		(cd "$m" && go test -count=1 -run '^$' -bench . -benchtime 1x ./...) >/dev/null || fail=1
		continue
	fi
	step "go test -race ($m)"
	(cd "$m" && go test -race -count=1 -timeout 10m ./...) || fail=1
done

if [ -n "${FUZZTIME:-}" ]; then
	for m in "${modules[@]}"; do
		[ "$m" = "./bench" ] && continue
		while read -r pkg fuzz; do
			step "fuzz $pkg $fuzz ($FUZZTIME)"
			(cd "$m" && go test -run '^$' -fuzz "^${fuzz}\$" -fuzztime "$FUZZTIME" "$pkg") || fail=1
		done < <(cd "$m" && grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do
			d=$(dirname "$f")
			grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //' | sed "s#^#$d #"
		done)
	done
fi

if [ "$fail" -ne 0 ]; then
	step "FAILED"
	exit 1
fi
step "all checks passed"
