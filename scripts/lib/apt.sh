# Sourced by the scripts that install a test dependency from Debian.
#
# apt_install WHO PACKAGE...: installs the packages non-interactively with
# apt-get (through sudo when not root), after refreshing the package lists.
# WHO prefixes the error messages.
apt_install() {
	local who=$1
	shift
	if ! command -v apt-get >/dev/null 2>&1; then
		echo "$who: $* missing and apt-get is not available" >&2
		return 1
	fi
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		sudo=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -q
	"${sudo[@]}" apt-get install -y -q --no-install-recommends "$@"
}
