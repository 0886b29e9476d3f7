#!/usr/bin/env bash
# Load-tests the sidecar proxy against a tuned httputil.ReverseProxy and the
# upstream itself, with wrk, on loopback.
#
#   ./bench/proxy/run.sh
#
# Environment: THREADS (wrk -t, default 2), CONNS (wrk -c, default 64),
# DURATION (wrk -d, default 10s), BASEPORT (default 18080; the upstream,
# ReverseProxy, our proxy and nginx take BASEPORT..BASEPORT+3).
# Needs wrk (apt-get install -y wrk); nginx is measured when installed.
# Prints req/s and p99 latency per target and the ratio ours/ReverseProxy.
# Not part of the test suite: on a shared 2-core machine wrk competes with
# the proxies for CPU, so compare ratios rather than absolute figures.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
threads="${THREADS:-2}" conns="${CONNS:-64}" dur="${DURATION:-10s}"
base="${BASEPORT:-18080}"
up="127.0.0.1:$base" rp="127.0.0.1:$((base + 1))" ours="127.0.0.1:$((base + 2))" ngx="127.0.0.1:$((base + 3))"

if ! command -v wrk >/dev/null 2>&1; then
	echo "installing wrk..." >&2
	apt-get install -y wrk >/dev/null
fi

tmp="$(mktemp -d)"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "building..." >&2
(cd "$root/cmd/resilience" && go build -o "$tmp/resilience" .)
(cd "$root/bench" && go build -o "$tmp/upstream" ./proxy/upstream && go build -o "$tmp/reverseproxy" ./proxy/reverseproxy)
sed -e "s/\${LISTEN}/$ours/" -e "s/\${UPSTREAM}/$up/" "$here/all-policies.yaml" >"$tmp/all-policies.yaml"
"$tmp/resilience" validate "$tmp/all-policies.yaml" >/dev/null

waitport() { # host:port
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "nothing listening on $1" >&2
	return 1
}

"$tmp/upstream" -listen "$up" 2>"$tmp/upstream.log" & pids+=($!)
"$tmp/reverseproxy" -listen "$rp" -upstream "$up" 2>"$tmp/reverseproxy.log" & pids+=($!)
"$tmp/resilience" proxy --config "$tmp/all-policies.yaml" 2>"$tmp/proxy.log" & pids+=($!)
targets=(upstream reverseproxy resilience)
declare -A addrs=([upstream]=$up [reverseproxy]=$rp [resilience]=$ours)
if command -v nginx >/dev/null 2>&1; then
	cat >"$tmp/nginx.conf" <<NGX
worker_processes 1;
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  upstream up { server $up; keepalive 256; }
  server {
    listen $ngx;
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGX
	nginx -c "$tmp/nginx.conf" -p "$tmp" & pids+=($!)
	targets+=(nginx)
	addrs[nginx]=$ngx
else
	echo "nginx not installed: skipped" >&2
fi
for t in "${targets[@]}"; do waitport "${addrs[$t]}"; done
for t in "${targets[@]}"; do
	code="$(curl -s -o /dev/null -w '%{http_code}' "http://${addrs[$t]}/" || true)"
	if [[ "$code" != 200 ]]; then
		echo "$t answered $code, want 200" >&2
		exit 1
	fi
done

# tomillis converts a wrk latency such as 812.00us, 3.21ms or 1.02s to ms.
tomillis() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n *= 1; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
		printf "%.2f", n
	}'
}

declare -A rps p99
for t in "${targets[@]}"; do
	echo "wrk -t$threads -c$conns -d$dur --latency http://${addrs[$t]}/  ($t)" >&2
	out="$(wrk -t"$threads" -c"$conns" -d"$dur" --latency "http://${addrs[$t]}/")"
	echo "$out" >"$tmp/wrk-$t.txt"
	if grep -q 'Non-2xx' <<<"$out"; then
		echo "warning: $t: $(grep 'Non-2xx' <<<"$out")" >&2
	fi
	rps[$t]="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
	p99[$t]="$(tomillis "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
done

echo
printf '%-14s %12s %10s\n' target req/s p99_ms
for t in "${targets[@]}"; do
	printf '%-14s %12.0f %10s\n' "$t" "${rps[$t]}" "${p99[$t]}"
done
echo
awk -v o="${rps[resilience]}" -v r="${rps[reverseproxy]}" -v po="${p99[resilience]}" -v pr="${p99[reverseproxy]}" \
	'BEGIN { printf "ours/ReverseProxy: req/s %.2f   p99 %.2f\n", o / r, po / pr }'
