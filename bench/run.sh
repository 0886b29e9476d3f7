#!/usr/bin/env bash
# Runs the peer benchmarks and summarises them.
#
#   ./run.sh [bench-regexp]        e.g. ./run.sh 'Breaker'
#
# Environment: COUNT (runs per benchmark, default 6), BENCHTIME (default 1s),
# CPU (a -cpu list such as "1,2"; default: GOMAXPROCS).
# Raw output goes to results/latest.txt; benchstat (installed if missing)
# prints its summary, then cmd/ratio prints, per area, the median ns/op and
# allocs/op of each implementation and the ratio best-peer/ours.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p results

args=(-run '^$' -bench "${1:-.}" -benchmem -count "${COUNT:-6}" -benchtime "${BENCHTIME:-1s}")
if [[ -n "${CPU:-}" ]]; then
	args+=(-cpu "$CPU")
fi
go test "${args[@]}" . | tee results/latest.txt

export PATH="$PATH:$(go env GOPATH)/bin"
if ! command -v benchstat >/dev/null 2>&1; then
	echo "installing benchstat..." >&2
	go install golang.org/x/perf/cmd/benchstat@latest
fi
echo
benchstat results/latest.txt
echo
go run ./cmd/ratio results/latest.txt
