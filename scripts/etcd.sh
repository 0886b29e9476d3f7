#!/usr/bin/env bash
# Helper for the tests that run against a real etcd server, each starting
# its own on free loopback ports (internal/etcdtest): discovery/etcd, in the
# root module, and the proxy module's etcd discovery.
#
#   scripts/etcd.sh ensure   install Debian's etcd-server if etcd is not on PATH
#   scripts/etcd.sh path     print the etcd binary the tests will use
#
# The tests find the binary through ETCD_BIN, then on PATH, then at
# /usr/bin/etcd. They skip when it is missing, unless CI is set, where a
# missing binary fails them.
set -euo pipefail
# shellcheck source=lib/apt.sh
. "$(dirname "$0")/lib/apt.sh"

find_server() {
	if [ -n "${ETCD_BIN:-}" ] && [ -x "$ETCD_BIN" ]; then
		printf '%s\n' "$ETCD_BIN"
		return 0
	fi
	if command -v etcd >/dev/null 2>&1; then
		command -v etcd
		return 0
	fi
	if [ -x /usr/bin/etcd ]; then
		printf '%s\n' /usr/bin/etcd
		return 0
	fi
	return 1
}

version() {
	"$1" --version 2>/dev/null | head -n1 || true
}

ensure() {
	if bin=$(find_server); then
		printf 'etcd: %s (%s)\n' "$bin" "$(version "$bin")"
		return 0
	fi
	apt_install etcd.sh etcd-server || return 1
	# Where an init system runs, the package may start a system-wide etcd
	# on 2379/2380; the tests start their own on free ports, so they do not
	# need it and do not collide with it.
	bin=$(find_server) || {
		echo 'etcd.sh: etcd still missing after apt-get install' >&2
		return 1
	}
	printf 'etcd: %s (%s)\n' "$bin" "$(version "$bin")"
}

case "${1:-}" in
ensure) ensure ;;
path) find_server || { echo 'etcd.sh: etcd not found' >&2; exit 1; } ;;
*)
	echo "usage: $0 ensure|path" >&2
	exit 2
	;;
esac
