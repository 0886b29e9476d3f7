#!/usr/bin/env bash
# Helper for the tests of ratelimit/redisrate, which run against a real
# redis-server that each test starts on a free loopback port.
#
#   scripts/redis.sh ensure   install Debian's redis-server if it is not on PATH
#   scripts/redis.sh path     print the redis-server binary the tests will use
#
# The tests find the binary on PATH or at /usr/bin/redis-server (override
# with REDIS_SERVER=/path/to/redis-server). They skip when it is missing,
# unless CI is set, where a missing binary fails them.
set -euo pipefail
# shellcheck source=lib/apt.sh
. "$(dirname "$0")/lib/apt.sh"

find_server() {
	if [ -n "${REDIS_SERVER:-}" ] && [ -x "$REDIS_SERVER" ]; then
		printf '%s\n' "$REDIS_SERVER"
		return 0
	fi
	if command -v redis-server >/dev/null 2>&1; then
		command -v redis-server
		return 0
	fi
	if [ -x /usr/bin/redis-server ]; then
		printf '%s\n' /usr/bin/redis-server
		return 0
	fi
	return 1
}

ensure() {
	if bin=$(find_server); then
		printf 'redis-server: %s (%s)\n' "$bin" "$("$bin" --version | head -n1)"
		return 0
	fi
	apt_install redis.sh redis-server || return 1
	# The package starts a system-wide server on port 6379 where an init
	# system runs; the tests start their own, so that one is not needed.
	bin=$(find_server) || {
		echo 'redis.sh: redis-server still missing after apt-get install' >&2
		return 1
	}
	printf 'redis-server: %s (%s)\n' "$bin" "$("$bin" --version | head -n1)"
}

case "${1:-}" in
ensure) ensure ;;
path) find_server || { echo 'redis.sh: redis-server not found' >&2; exit 1; } ;;
*)
	echo "usage: $0 ensure|path" >&2
	exit 2
	;;
esac
