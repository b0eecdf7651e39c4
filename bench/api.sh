#!/usr/bin/env bash
# bench/api.sh — the same work through the echoscan CLI and through libechoscan's public API
# (bench/api_sweep.c, bench/api_ping.c, built against include/echoscan.h and build/libechoscan.so),
# in a namespace lab where every address of 198.18.0.0/16 answers. `make bench-api` (as root).
# Every packet stays inside the lab's namespaces; only 198.18.0.0/15 is used.
#   sweep: the /16 at max rate and at 200 kpps, cooldown 2 s (ends early once all answered):
#          wall time and hosts found; the API both ways (reply callback; poll() on es_scan_fd);
#   ping:  one host, -c 1 (one-shot cost) and -c 50 -i 0.01: wall time; es_ping in ES_MODE_AUTO
#          (the datagram socket: ping_group_range is opened in the lab), ES_MODE_RAW, and
#          iputils ping for reference.
# Each measurement BENCH_RUNS times (default 3), interleaved; prints medians and the commands.
# BENCH_CASES="NAME..." runs only those cases (names as printed). BENCH_BEFORE=DIR adds
# before-api-ping-* cases: DIR's bench/api_ping.c against DIR/build/libechoscan.so (an older tree
# built with make), run interleaved with the others in the same lab.
set -u
LC_ALL=C
export LC_ALL
cd "$(dirname "$0")/.." || exit 2
RUNS=${BENCH_RUNS:-3}
# shellcheck source=../tests/lab/lab.sh
source tests/lab/lab.sh
[ "$(id -u)" = 0 ] || { echo "bench/api.sh: needs root (network namespaces)"; exit 2; }
[ -x "$ECHOSCAN" ] && [ -e build/libechoscan.so ] || { echo "bench/api.sh: run make first"; exit 2; }
NAME=benchapi$$
lab_trap "$NAME"
[ -n "${BENCH_KEEP:-}" ] && trap 'cp -r "$LAB_DIR/w" /tmp/benchapi.keep; lab_down "$NAME"' EXIT
lab_up "$NAME" --live-frac 1 >/dev/null || exit 2
W=$LAB_DIR/w
mkdir -p "$W"
for x in api_sweep api_ping; do
	cc -O2 -std=c11 -Wall -Wextra -Iinclude "bench/$x.c" -o "$W/$x" -L build -lechoscan \
		-Wl,-rpath,"$PWD/build" || exit 2
done
B=${BENCH_BEFORE:+$(realpath "$BENCH_BEFORE")}
if [ -n "$B" ]; then
	cc -O2 -std=c11 -Wall -Wextra -I"$B/include" "$B/bench/api_ping.c" -o "$W/before_api_ping" \
		-L "$B/build" -lechoscan -Wl,-rpath,"$B/build" || exit 2
fi
# es_ping's ES_MODE_AUTO takes the datagram socket where permitted (root's group here)
ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="0 0" || exit 2
ES=$(realpath "$ECHOSCAN")
LIVE=198.18.3.7
# name cmd... : one run, wall seconds and hosts found appended to $W/NAME
run() {
	local name=$1; shift
	local wall rc
	read -r wall rc < <(ip netns exec "$LAB_S" python3 bench/walltime.py "$W/out" "$@")
	[ "$rc" -le 1 ] || echo "bench/api.sh: $name: exit $rc: $(tail -2 "$W/out.err")" >&2
	echo "$wall $(lab_addrs "$W/out" | sort -u | wc -l)" >>"$W/$name"
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
declare -A CMD
for rate in max 200k; do
	r=0; [ $rate = 200k ] && r=200000
	CMD[cli-sweep-$rate]="$ES -q -r $rate -c 2 -O text 198.18.0.0/16"
	CMD[api-cb-sweep-$rate]="$W/api_sweep cb 198.18.0.0/16 $r 2"
	CMD[api-fd-sweep-$rate]="$W/api_sweep fd 198.18.0.0/16 $r 2"
done
PINGS=""
for n in 1 50; do
	a="1 1"; [ $n = 50 ] && a="50 0.01"
	CMD[iputils-ping-$n]="ping -q -c $n -i ${a#* } $LIVE"
	CMD[cli-ping-$n]="$ES ping -q -c $n -i ${a#* } $LIVE"
	CMD[api-ping-$n]="$W/api_ping $a $LIVE"
	CMD[api-ping-$n-raw]="$W/api_ping $a $LIVE raw"
	PINGS="$PINGS iputils-ping-$n cli-ping-$n api-ping-$n api-ping-$n-raw"
	if [ -n "$B" ]; then
		CMD[before-api-ping-$n]="$W/before_api_ping $a $LIVE"
		PINGS="$PINGS before-api-ping-$n"
	fi
done
ORDER="cli-sweep-max api-cb-sweep-max api-fd-sweep-max cli-sweep-200k api-cb-sweep-200k api-fd-sweep-200k$PINGS"
ORDER=${BENCH_CASES:-$ORDER}
for i in $(seq "$RUNS"); do
	for n in $ORDER; do
		# shellcheck disable=SC2086  # the command is words
		run "$n" ${CMD[$n]}
	done
done
printf '%-20s %10s %8s   %s\n' case wall_s hosts command
for n in $ORDER; do
	w=$(awk '{print $1}' "$W/$n" | median)
	h=$(awk '{print $2}' "$W/$n" | median)
	case $n in *ping*) h=-;; esac
	printf '%-20s %10.4f %8s   %s\n' "$n" "$w" "$h" "$(printf '%s' "${CMD[$n]}" | sed -e "s|$W/before_|$B/bench/|" -e "s|$W/|bench/|" -e "s|$ES|./echoscan|")"
done
echo "(medians of $RUNS runs; lab: every address of 198.18.0.0/16 answers; $(nproc) CPUs)"
