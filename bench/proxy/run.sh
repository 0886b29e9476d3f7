#!/usr/bin/env bash
# Load-tests the sidecar proxy (cmd/resilience, every policy on, see
# all-policies.yaml) beside a tuned httputil.ReverseProxy, nginx and the
# upstream itself, on loopback, all in the same run (issue #8).
#
#   ./bench/proxy/run.sh                   # everything, DURATION=10s per measurement
#   DURATION=5s ./bench/proxy/run.sh       # quicker
#   PROFILE=1 ./bench/proxy/run.sh         # also a CPU and allocation profile of ours
#
# Targets (ports BASEPORT+n; BASEPORT defaults to 18080):
#   upstream             +0  the origin, a bare net/http server (bench/proxy/upstream)
#   reverseproxy         +1  httputil.ReverseProxy, 256 idle conns per host (bench/proxy/reverseproxy)
#   resilience           +2  ours: `resilience proxy --config all-policies.yaml`
#   nginx-keepalive      +3  nginx proxy_pass to an upstream{} block with keepalive 256
#   nginx-no-keepalive   +4  nginx proxy_pass without upstream keepalive (EXTRAS=1)
#   reverseproxy-2idle   +5  httputil.ReverseProxy with http.Transport's default 2 idle conns (EXTRAS=1)
#   resilience-nolimit   +10 ours, the same config with process.memory_limit: none (ours
#                            runs by default with a 48MiB memory target: this shows its price)
# (PROFILE=1: +6 and +7 the profiled build of ours and its pprof server, +8
# and +9 a reverseproxy with its pprof server.)
#
# Phases, one after the other, each target measured alone:
#   1. saturation: wrk -t$THREADS -c$CONNS -d$DURATION --latency against every
#      target (a closed loop: as fast as the machine allows); req/s, p50, p99.
#   2. fixed rate: bench/proxy/loadgen at $RATE req/s over $RATE_CONNS
#      keep-alive connections (an open model, as wrk2: a request answered late
#      delays the next one on its connection, whose latency then counts from
#      when it was due, so no coordinated omission) against upstream,
#      reverseproxy, resilience and nginx-keepalive; p50, p99, p99.9. At
#      saturation p99 is queueing, so this phase gives the honest "added
#      latency": p99 through a proxy minus p99 direct, at the same load.
#   3. memory: wrk -t$THREADS -c$BIG_CONNS (default 1000) for $DURATION against
#      reverseproxy, resilience and nginx-keepalive, reading VmRSS (every
#      0.2s) and VmHWM of the proxy from /proc/PID/status (nginx: master plus
#      workers, summed). VmHWM is reset (/proc/PID/clear_refs) before the phase
#      when the kernel allows it, so it is the peak of this phase.
#   4. PROFILE=1: ours is built again with net/http/pprof added through
#      `go build -overlay` (pprof.go.in; the repository's code is not
#      changed) and a reverseproxy is started with -pprof; each is loaded
#      with wrk -c$CONNS and profiled (CPU top 30 flat and top 50 cumulative,
#      allocations and bytes per request), then loaded with wrk -c$BIG_CONNS
#      for the live heap, runtime.MemStats and the goroutine count. Written to
#      $OUT/profile-profiled.txt and $OUT/profile-reverseproxy-profiled.txt;
#      the table is followed by both CPU tops.
#
# Output: one table (Markdown) with a row per target, in this column order:
#   req/s, p50, p99            phase 1 (ms)
#   p99 added                  phase 1 p99 minus upstream's phase 1 p99
#   CPU µs/req                 phase 1: user+system CPU of the target's own
#                              process(es) (/proc/PID/stat) over the requests;
#                              steadier than req/s on a shared machine
#   dials                      phase 1: connections the proxy opened to the
#                              upstream during the run (the upstream counts
#                              its accepts); nginx's two servers share one count
#   rate p50/p99/p99.9         phase 2 (ms), at RATE req/s
#   rate p50/p99 added         phase 2 p50/p99 minus upstream's
#   rate CPU µs/req            phase 2, as CPU µs/req
#   conns@1000, req/s@1000     phase 3: established connections (ss, midway), req/s
#   dials@1000                 phase 3, as dials
#   RSS idle/peak/end, VmHWM   phase 3 (MiB): before, highest sample during, after wrk, VmHWM
# then the ratios ours/reverseproxy and ours/nginx-keepalive (req/s: above 1
# means ours is faster). With ROUNDS=n, phases 1 and 2 are repeated n times
# (targets interleaved) and the table shows the median. The raw outputs (wrk,
# loadgen, RSS samples, profiles) are kept in $OUT (default: a new
# /tmp/proxybench.* directory), whose path is printed at the end.
#
# Environment: THREADS (2), CONNS (64), DURATION (10s; whole seconds, or
# minutes: 1m), RATE (2000), RATE_CONNS (64), BIG_CONNS (1000), ROUNDS (1),
# EXTRAS (1: the two extra baselines), NGINX (1; 0 skips nginx and its
# installation), NGINX_WORKERS (auto: one per CPU), PROFILE (0), BASEPORT
# (18080), OUT, SRC (a git revision to build ours from, with git archive,
# instead of the working tree: SRC=HEAD while the proxy is being edited).
#
# The Go programs are built with CGO_ENABLED=0, as a sidecar binary is
# usually shipped: static, so that no C library is mapped into them.
#
# Needs go, curl, ss, and wrk and nginx, which it installs from Debian
# (wrk, nginx-light or else nginx) with scripts/lib/apt.sh when missing.
# Raises the open files limit (ulimit -n) for BIG_CONNS. Not part of the
# test suite: on a shared 2-core machine the load generator competes with
# the proxies for CPU, so compare targets within one run, not across runs.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
threads="${THREADS:-2}" conns="${CONNS:-64}" dur="${DURATION:-10s}"
rate="${RATE:-2000}" rate_conns="${RATE_CONNS:-64}" big="${BIG_CONNS:-1000}"
rounds="${ROUNDS:-1}" extras="${EXTRAS:-1}" use_nginx="${NGINX:-1}" profile="${PROFILE:-0}"
base="${BASEPORT:-18080}"
export CGO_ENABLED=0
secs="$(awk -v d="$dur" 'BEGIN { n = d + 0; if (d ~ /m$/) n *= 60; else if (d !~ /^[0-9]+s?$/) n = 0; print int(n) }')"
if ((secs < 2)); then
	echo "DURATION $dur: want at least 2s" >&2
	exit 2
fi
export PATH="$PATH:/usr/sbin:/sbin"

declare -A port=(
	[upstream]=$base [reverseproxy]=$((base + 1)) [resilience]=$((base + 2))
	[nginx-keepalive]=$((base + 3)) [nginx-no-keepalive]=$((base + 4)) [reverseproxy-2idle]=$((base + 5))
	[resilience-nolimit]=$((base + 10))
)
prof_port=$((base + 6)) pprof_port=$((base + 7))
up="127.0.0.1:${port[upstream]}"

# --- dependencies -----------------------------------------------------------
# shellcheck source=../../scripts/lib/apt.sh
. "$root/scripts/lib/apt.sh"
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
if [[ "$use_nginx" == 1 ]] && ! command -v nginx >/dev/null 2>&1; then need+=(nginx-light); fi
if ((${#need[@]} > 0)); then
	echo "installing ${need[*]}..." >&2
	if ! apt_install "bench/proxy/run.sh" "${need[@]}" >&2; then
		# nginx-light is not in every release: fall back on nginx.
		apt_install "bench/proxy/run.sh" "${need[@]/nginx-light/nginx}" >&2
	fi
fi
command -v wrk >/dev/null 2>&1 || { echo "wrk is missing" >&2; exit 1; }
if [[ "$use_nginx" == 1 ]] && ! command -v nginx >/dev/null 2>&1; then
	echo "nginx is missing" >&2
	exit 1
fi

# Every connection of phase 3 costs a descriptor in wrk and two in a proxy.
want_fds=$((big * 3 + 1024))
if (($(ulimit -n) < want_fds)); then
	ulimit -n "$want_fds" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
	if (($(ulimit -n) < want_fds)); then
		echo "warning: ulimit -n is $(ulimit -n), below $want_fds: phase 3 may fail to open $big connections" >&2
	fi
fi

# --- build and start ----------------------------------------------------------
tmp="$(mktemp -d)"
out="${OUT:-$(mktemp -d /tmp/proxybench.XXXXXX)}"
mkdir -p "$out"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# SRC=<git revision> builds ours from that revision (git archive) rather than
# from the working tree, e.g. while someone is editing the proxy.
src="$root"
if [[ -n "${SRC:-}" ]]; then
	src="$tmp/src"
	mkdir -p "$src"
	git -C "$root" archive "$SRC" | tar -x -C "$src"
fi
echo "building${SRC:+ ours from $SRC}..." >&2
(cd "$src/cmd/resilience" && go build -o "$tmp/resilience" .)
if [[ "$profile" == 1 ]]; then
	# The same command plus net/http/pprof, added with -overlay (pprof.go.in).
	cp "$here/pprof.go.in" "$tmp/pprof.go"
	printf '{"Replace":{"%s":"%s"}}\n' "$src/cmd/resilience/zz_bench_pprof.go" "$tmp/pprof.go" >"$tmp/overlay.json"
	(cd "$src/cmd/resilience" && go build -overlay "$tmp/overlay.json" -o "$tmp/resilience-pprof" .)
fi
(cd "$root/bench" && go build -o "$tmp/upstream" ./proxy/upstream &&
	go build -o "$tmp/reverseproxy" ./proxy/reverseproxy && go build -o "$tmp/loadgen" ./proxy/loadgen)
config() { # listen-address output-file
	sed -e "s/\${LISTEN}/$1/" -e "s/\${UPSTREAM}/$up/" "$here/all-policies.yaml" >"$2"
	"$tmp/resilience" validate "$2" >/dev/null
}
config "127.0.0.1:${port[resilience]}" "$tmp/all-policies.yaml"
config "127.0.0.1:${port[resilience-nolimit]}" "$tmp/nolimit.yaml"
printf '\nprocess: {memory_limit: none}\n' >>"$tmp/nolimit.yaml"
"$tmp/resilience" validate "$tmp/nolimit.yaml" >/dev/null

waitport() { # port
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "nothing listening on 127.0.0.1:$1" >&2
	return 1
}

declare -A pid
start() { # target command...: runs the command in the background, its output in $out/target.log
	local t=$1
	shift
	"$@" >"$out/$t.log" 2>&1 &
	pid[$t]=$!
	pids+=($!)
}
start upstream "$tmp/upstream" -listen "$up"
start reverseproxy "$tmp/reverseproxy" -listen "127.0.0.1:${port[reverseproxy]}" -upstream "$up"
start resilience "$tmp/resilience" proxy --config "$tmp/all-policies.yaml"
start resilience-nolimit "$tmp/resilience" proxy --config "$tmp/nolimit.yaml"
sat=(upstream reverseproxy resilience resilience-nolimit)
fixed=(upstream reverseproxy resilience)
mem=(reverseproxy resilience resilience-nolimit)
if [[ "$extras" == 1 ]]; then
	start reverseproxy-2idle "$tmp/reverseproxy" -idle 0 -listen "127.0.0.1:${port[reverseproxy-2idle]}" -upstream "$up"
	sat+=(reverseproxy-2idle)
fi
if [[ "$use_nginx" == 1 ]]; then
	workers="${NGINX_WORKERS:-auto}"
	mkdir -p "$tmp/nginx"
	cat >"$tmp/nginx.conf" <<NGX
# nginx for bench/proxy/run.sh: the keep-alive tuning the nginx documentation
# gives for proxying to an upstream (upstream{} keepalive, HTTP/1.1, no
# Connection header), and the same without keep-alive.
worker_processes $workers;
worker_rlimit_nofile $((want_fds * 2));
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $out/nginx-error.log warn;
events { worker_connections $((want_fds)); }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  upstream up_keepalive { server $up; keepalive 256; }
  server {
    listen 127.0.0.1:${port[nginx-keepalive]};
    location / { proxy_pass http://up_keepalive; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
  server {
    listen 127.0.0.1:${port[nginx-no-keepalive]};
    location / { proxy_pass http://$up; }
  }
}
NGX
	start nginx-keepalive nginx -e "$out/nginx-error.log" -p "$tmp/nginx" -c "$tmp/nginx.conf"
	sat+=(nginx-keepalive)
	fixed+=(nginx-keepalive)
	mem+=(nginx-keepalive)
	if [[ "$extras" == 1 ]]; then sat+=(nginx-no-keepalive); fi
fi
for t in "${sat[@]}"; do
	waitport "${port[$t]}"
	code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port[$t]}/" || true)"
	if [[ "$code" != 200 ]]; then
		echo "$t answered $code, want 200" >&2
		exit 1
	fi
done

# --- helpers ----------------------------------------------------------------
# tomillis converts a wrk latency such as 812.00us, 3.21ms or 1.02s to ms.
tomillis() {
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n *= 1; else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000
		printf "%.3f", n
	}'
}
res="$out/results"
mkdir -p "$res"
put() { echo "$3" >>"$res/$1.$2"; } # target metric value: one line per round
median() {                          # target metric: the median of the rounds, or "-"
	[[ -s "$res/$1.$2" ]] || { echo -; return; }
	sort -g "$res/$1.$2" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# procs prints the pids whose CPU and memory count for target: for nginx, its
# master and workers (one nginx serves both nginx targets).
procs() {
	local t=$1
	[[ "$t" == nginx-* ]] && t=nginx-keepalive
	echo "${pid[$t]}"
	if [[ "$t" == nginx-* ]]; then ps -o pid= --ppid "${pid[$t]}" | tr -d " " || true; fi
}
memsum() { # field pids...: the sum of a /proc/PID/status field, in kB
	local f=$1 s=0 v
	shift
	for p in "$@"; do
		v="$(awk -v f="$f:" '$1 == f { print $2 }' "/proc/$p/status" 2>/dev/null || true)"
		s=$((s + ${v:-0}))
	done
	echo "$s"
}
hz="$(getconf CLK_TCK)"
cputicks() { # pids...: user plus system CPU time of the processes, in clock ticks
	local s=0 v
	for p in "$@"; do
		v="$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }' || true)"
		s=$((s + ${v:-0}))
	done
	echo "$s"
}
cpuper() { # ticks requests: CPU microseconds per request
	awk -v t="$1" -v n="$2" -v hz="$hz" 'BEGIN { printf "%.1f", (n > 0) ? t * 1e6 / hz / n : 0 }'
}
# accepts prints how many connections the upstream has accepted: its growth
# over a run is the proxy's dials to the upstream (plus one for this request).
accepts() { curl -s "http://$up/_accepts"; }
wrkrun() { # target conns duration file
	wrk -t"$threads" -c"$2" -d"$3" --latency "http://127.0.0.1:${port[$1]}/" >"$4"
	if grep -q 'Non-2xx\|Socket errors' "$4"; then
		echo "warning: $1: $(grep 'Non-2xx\|Socket errors' "$4" | tr '\n' ' ')" >&2
	fi
}

# --- phase 1: saturation ------------------------------------------------------
for r in $(seq "$rounds"); do
	for t in "${sat[@]}"; do
		echo "[1/3 round $r] wrk -t$threads -c$conns -d$dur --latency  $t" >&2
		f="$out/wrk-$t-$r.txt"
		mapfile -t ps_ < <(procs "$t")
		c0="$(cputicks "${ps_[@]}")" a0="$(accepts)"
		wrkrun "$t" "$conns" "$dur" "$f"
		[[ "$t" == upstream ]] || put "$t" dials "$(($(accepts) - a0 - 1))"
		put "$t" cpu "$(cpuper "$(($(cputicks "${ps_[@]}") - c0))" "$(awk '/requests in/ { print $1 }' "$f")")"
		put "$t" rps "$(awk '/^Requests\/sec:/ { print $2 }' "$f")"
		put "$t" p50 "$(tomillis "$(awk '$1 == "50%" { print $2 }' "$f")")"
		put "$t" p99 "$(tomillis "$(awk '$1 == "99%" { print $2 }' "$f")")"
	done
done

# --- phase 2: fixed rate --------------------------------------------------------
for r in $(seq "$rounds"); do
	for t in "${fixed[@]}"; do
		echo "[2/3 round $r] loadgen -rate $rate -conns $rate_conns -duration $((secs + 1))s  $t" >&2
		f="$out/loadgen-$t-$r.txt"
		mapfile -t ps_ < <(procs "$t")
		c0="$(cputicks "${ps_[@]}")"
		"$tmp/loadgen" -url "http://127.0.0.1:${port[$t]}/" -rate "$rate" -conns "$rate_conns" \
			-duration "$((secs + 1))s" -warmup 1s >"$f"
		put "$t" fixed_cpu "$(cpuper "$(($(cputicks "${ps_[@]}") - c0))" "$(tr ' ' '\n' <"$f" | awk -F= '$1 == "sent" { print $2 }')")"
		for k in rate p50 p99 p999 errors; do
			put "$t" "fixed_$k" "$(tr ' ' '\n' <"$f" | awk -F= -v k="$k" '$1 == k { print $2 }')"
		done
		if [[ "$(median "$t" fixed_errors)" != 0 ]]; then echo "warning: $t: $(cat "$f")" >&2; fi
	done
done

# --- phase 3: memory at BIG_CONNS connections -----------------------------------
for t in "${mem[@]}"; do
	echo "[3/3] wrk -t$threads -c$big -d$dur  $t (VmRSS, VmHWM)" >&2
	mapfile -t ps_ < <(procs "$t")
	for p in "${ps_[@]}"; do echo 5 >"/proc/$p/clear_refs" 2>/dev/null || true; done # resets VmHWM
	put "$t" rss_idle "$(memsum VmRSS "${ps_[@]}")"
	(while :; do memsum VmRSS "${ps_[@]}"; sleep 0.2; done) >"$out/rss-$t.txt" &
	sampler=$!
	(sleep "$((secs / 2))"; ss -Htn state established "( sport = :${port[$t]} )" | wc -l) >"$out/conns-$t.txt" &
	counter=$!
	f="$out/wrk1k-$t.txt"
	a0="$(accepts)"
	wrkrun "$t" "$big" "$dur" "$f"
	put "$t" dials1k "$(($(accepts) - a0 - 1))"
	put "$t" rss_hwm "$(memsum VmHWM "${ps_[@]}")"
	kill "$sampler" 2>/dev/null || true
	wait "$counter" "$sampler" 2>/dev/null || true
	sleep 0.5
	put "$t" rss_end "$(memsum VmRSS "${ps_[@]}")"
	put "$t" rss_peak "$(sort -g "$out/rss-$t.txt" | tail -1)"
	put "$t" conns1k "$(cat "$out/conns-$t.txt")"
	put "$t" rps1k "$(awk '/^Requests\/sec:/ { print $2 }' "$f")"
done

# --- phase 4: profiles ---------------------------------------------------------
# profile name port pprof-port binary: a CPU profile and the allocations under
# wrk -c$CONNS, then the live heap and memory statistics under wrk -c$BIG_CONNS.
profile() {
	local name=$1 p=$2 pp="http://127.0.0.1:$3/debug/pprof" bin=$4 f="$out/profile-$1"
	port[$name]=$p
	waitport "$p"
	waitport "$3"
	wrk -t"$threads" -c"$conns" -d2s "http://127.0.0.1:$p/" >/dev/null # warm up
	curl -s -o "$f-allocs-before.pprof" "$pp/allocs"
	echo "[profile] $name: wrk -t$threads -c$conns -d$((secs + 2))s, CPU profile of ${secs}s" >&2
	wrkrun "$name" "$conns" "$((secs + 2))s" "$f-wrk.txt" &
	local w=$!
	sleep 1
	curl -s -o "$f-cpu.pprof" "$pp/profile?seconds=$secs"
	wait "$w"
	curl -s -o "$f-allocs-after.pprof" "$pp/allocs"
	echo "[profile] $name: wrk -t$threads -c$big -d${secs}s, heap midway" >&2
	wrkrun "$name" "$big" "${secs}s" "$f-wrk1k.txt" &
	w=$!
	sleep "$((secs / 2))"
	curl -s -o "$f-heap1k.pprof" "$pp/heap"
	curl -s -o "$tmp/heap.txt" "$pp/heap?debug=1"
	grep -E '^# (HeapAlloc|HeapInuse|HeapIdle|HeapReleased|HeapSys|Stack|Sys|NumGC|MSpan|GCSys|OtherSys|NextGC) ' "$tmp/heap.txt" >"$f-memstats1k.txt" || true
	curl -s -o "$tmp/goroutines.txt" "$pp/goroutine?debug=1"
	sed -n 1p "$tmp/goroutines.txt" >"$f-goroutines1k.txt"
	wait "$w"
	cp "$bin" "$f.bin"
	local reqs
	reqs="$(awk '/requests in/ { print $1 }' "$f-wrk.txt")"
	{
		echo "## $name: CPU, flat (wrk -c$conns: $(awk '/^Requests\/sec:/ { print $2 }' "$f-wrk.txt") req/s)"
		go tool pprof -top -nodecount=30 "$f.bin" "$f-cpu.pprof" 2>/dev/null
		echo
		echo "## $name: CPU, cumulative"
		go tool pprof -top -cum -nodecount=50 "$f.bin" "$f-cpu.pprof" 2>/dev/null
		echo
		echo "## $name: allocations during the wrk -c$conns run ($reqs requests)"
		go tool pprof -top -nodecount=30 -sample_index=alloc_objects -base "$f-allocs-before.pprof" \
			"$f.bin" "$f-allocs-after.pprof" 2>/dev/null | tee "$tmp/allocs.txt"
		go tool pprof -top -nodecount=15 -sample_index=alloc_space -base "$f-allocs-before.pprof" \
			"$f.bin" "$f-allocs-after.pprof" 2>/dev/null | tee "$tmp/bytes.txt"
		# "Showing nodes accounting for X, Y% of Z total": Z over the requests.
		awk -v n="$reqs" '/ of .* total/ { t = $(NF - 1); printf "allocations per request: %.1f\n", t / n }' "$tmp/allocs.txt"
		awk -v n="$reqs" '/ of .* total/ { t = $(NF - 1); m = 1
			if (t ~ /kB$/) m = 1024; else if (t ~ /MB$/) m = 1048576; else if (t ~ /GB$/) m = 1073741824
			printf "bytes allocated per request: %.0f\n", (t + 0) * m / n }' "$tmp/bytes.txt"
		echo
		echo "## $name: live heap at $big connections ($(cat "$f-goroutines1k.txt"))"
		cat "$f-memstats1k.txt"
		go tool pprof -top -nodecount=20 -sample_index=inuse_space "$f.bin" "$f-heap1k.pprof" 2>/dev/null
	} >"$f.txt"
}
if [[ "$profile" == 1 ]]; then
	config "127.0.0.1:$prof_port" "$tmp/profiled.yaml"
	start profiled env RESILIENCE_PPROF="127.0.0.1:$pprof_port" "$tmp/resilience-pprof" proxy --config "$tmp/profiled.yaml"
	profile profiled "$prof_port" "$pprof_port" "$tmp/resilience-pprof"
	start reverseproxy-profiled "$tmp/reverseproxy" -listen "127.0.0.1:$((base + 8))" -upstream "$up" -pprof "127.0.0.1:$((base + 9))"
	profile reverseproxy-profiled "$((base + 8))" "$((base + 9))" "$tmp/reverseproxy"
fi

# --- report -------------------------------------------------------------------
mb() { [[ "$1" == - ]] && echo - || awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
sub() { [[ "$1" == - || "$2" == - ]] && echo - || awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
num() { [[ "$1" == - ]] && echo - || awk -v a="$1" -v f="$2" 'BEGIN { printf f, a }'; }
ratio() { [[ "$1" == - || "$2" == - ]] && echo - || awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

all=(upstream reverseproxy reverseproxy-2idle resilience resilience-nolimit nginx-keepalive nginx-no-keepalive)
up_p99="$(median upstream p99)" up_fp50="$(median upstream fixed_p50)" up_fp99="$(median upstream fixed_p99)"
echo
rev="$(git -C "$root" rev-parse --short "${SRC:-HEAD}" 2>/dev/null || echo unknown)"
if [[ -n "${SRC:-}" ]]; then rev="$SRC = $rev (git archive)"; else rev="$rev plus any uncommitted changes"; fi
echo "ours: $rev; wrk -t$threads -c$conns -d$dur; fixed rate: $rate req/s over $rate_conns conns for ${secs}s; memory: wrk -c$big -d$dur; rounds: $rounds; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| target | req/s | p50 ms | p99 ms | p99 added | CPU µs/req | dials | rate p50 | rate p99 | rate p99.9 | rate p50 added | rate p99 added | rate CPU µs/req | conns@$big | req/s@$big | dials@$big | RSS idle MiB | RSS peak MiB | RSS end MiB | VmHWM MiB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for t in "${all[@]}"; do
	[[ -s "$res/$t.rps" ]] || continue
	p99="$(median "$t" p99)" fp99="$(median "$t" fixed_p99)"
	fp50="$(median "$t" fixed_p50)"
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$t" \
		"$(num "$(median "$t" rps)" %.0f)" "$(num "$(median "$t" p50)" %.2f)" "$(num "$p99" %.2f)" \
		"$([[ $t == upstream ]] && echo - || sub "$p99" "$up_p99")" "$(median "$t" cpu)" "$(median "$t" dials)" \
		"$(num "$fp50" %.3f)" "$(num "$fp99" %.3f)" "$(num "$(median "$t" fixed_p999)" %.3f)" \
		"$([[ $t == upstream ]] && echo - || sub "$fp50" "$up_fp50")" \
		"$([[ $t == upstream ]] && echo - || sub "$fp99" "$up_fp99")" "$(median "$t" fixed_cpu)" \
		"$(median "$t" conns1k)" "$(num "$(median "$t" rps1k)" %.0f)" "$(median "$t" dials1k)" \
		"$(mb "$(median "$t" rss_idle)")" "$(mb "$(median "$t" rss_peak)")" "$(mb "$(median "$t" rss_end)")" "$(mb "$(median "$t" rss_hwm)")"
done
echo
o="$(median resilience rps)"
echo "ours/reverseproxy req/s: $(ratio "$o" "$(median reverseproxy rps)")   ours/nginx-keepalive req/s: $(ratio "$o" "$(median nginx-keepalive rps)")   ours/upstream (direct) req/s: $(ratio "$o" "$(median upstream rps)")"
echo "p99 added at $rate req/s: ours $(sub "$(median resilience fixed_p99)" "$up_fp99") ms, reverseproxy $(sub "$(median reverseproxy fixed_p99)" "$up_fp99") ms, nginx-keepalive $(sub "$(median nginx-keepalive fixed_p99)" "$up_fp99") ms (target: <= 1 ms)"
echo "RSS at $big conns: ours peak $(mb "$(median resilience rss_peak)") MiB, VmHWM $(mb "$(median resilience rss_hwm)") MiB at $(num "$(median resilience rps1k)" %.0f) req/s (target: <= 64 MB); with memory_limit none: peak $(mb "$(median resilience-nolimit rss_peak)") MiB, VmHWM $(mb "$(median resilience-nolimit rss_hwm)") MiB at $(num "$(median resilience-nolimit rps1k)" %.0f) req/s"
if [[ "$profile" == 1 ]]; then
	echo
	for f in "$out"/profile-profiled.txt "$out"/profile-reverseproxy-profiled.txt; do
		sed -n '/^## .*CPU, flat/,/^$/p' "$f" | grep -v '^File\|^Build ID\|^Type\|^Time'
		grep -E '^(allocations|bytes allocated) per request' "$f"
		echo "(full profile: $f)"
		echo
	done
fi
echo
echo "raw outputs: $out"
