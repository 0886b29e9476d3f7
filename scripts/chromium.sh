#!/usr/bin/env bash
# Helper for the browser test of the dashboard (dashboard/e2e), which drives
# a headless Chromium against a dashboard served on loopback.
#
#   scripts/chromium.sh ensure   install Debian's chromium if no browser is found
#   scripts/chromium.sh path     print the browser binary the test will use
#
# The test finds the browser through CHROMIUM_BIN, then chromium,
# chromium-browser, google-chrome or google-chrome-stable on PATH, then
# /usr/bin/chromium. It skips when none is found, unless CI is set, where a
# missing browser fails it.
set -euo pipefail
# shellcheck source=lib/apt.sh
. "$(dirname "$0")/lib/apt.sh"

find_browser() {
	if [ -n "${CHROMIUM_BIN:-}" ] && [ -x "$CHROMIUM_BIN" ]; then
		printf '%s\n' "$CHROMIUM_BIN"
		return 0
	fi
	local name
	for name in chromium chromium-browser google-chrome google-chrome-stable; do
		if command -v "$name" >/dev/null 2>&1; then
			command -v "$name"
			return 0
		fi
	done
	if [ -x /usr/bin/chromium ]; then
		printf '%s\n' /usr/bin/chromium
		return 0
	fi
	return 1
}

version() {
	"$1" --version 2>/dev/null | head -n1 || true
}

ensure() {
	if bin=$(find_browser); then
		printf 'chromium: %s (%s)\n' "$bin" "$(version "$bin")"
		return 0
	fi
	apt_install chromium.sh chromium fonts-dejavu-core || return 1
	bin=$(find_browser) || {
		echo 'chromium.sh: chromium still missing after apt-get install' >&2
		return 1
	}
	printf 'chromium: %s (%s)\n' "$bin" "$(version "$bin")"
}

case "${1:-}" in
ensure) ensure ;;
path) find_browser || { echo 'chromium.sh: chromium not found' >&2; exit 1; } ;;
*)
	echo "usage: $0 ensure|path" >&2
	exit 2
	;;
esac
