#!/usr/bin/env bash
# bench/api.sh — the same work through the echoscan CLI and through libechoscan's public API
# (bench/api_sweep.c, bench/api_ping.c, built against include/echoscan.h and build/libechoscan.so),
# in a namespace lab where every address of 198.18.0.0/16 answers. `make bench-api` (as root).
# Every packet stays inside the lab's namespaces; only 198.18.0.0/15 is used.
#   sweep: the /16 at max rate and at 200 kpps, cooldown 2 s (ends early once all answered):
#          wall time and hosts found; the API both ways (reply callback; poll() on es_scan_fd);
#   ping:  one host, -c 1 (one-shot cost) and -c 50 -i 0.01: wall time.
# Each measurement BENCH_RUNS times (default 3), interleaved; prints medians and the commands.
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
CMD[cli-ping-1]="$ES ping -c 1 $LIVE"
CMD[api-ping-1]="$W/api_ping 1 1 $LIVE"
CMD[cli-ping-50]="$ES ping -q -c 50 -i 0.01 $LIVE"
CMD[api-ping-50]="$W/api_ping 50 0.01 $LIVE"
ORDER="cli-sweep-max api-cb-sweep-max api-fd-sweep-max cli-sweep-200k api-cb-sweep-200k api-fd-sweep-200k cli-ping-1 api-ping-1 cli-ping-50 api-ping-50"
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
	printf '%-20s %10.3f %8s   %s\n' "$n" "$w" "$h" "$(printf '%s' "${CMD[$n]}" | sed -e "s|$W/|bench/|" -e "s|$ES|./echoscan|")"
done
echo "(medians of $RUNS runs; lab: every address of 198.18.0.0/16 answers; $(nproc) CPUs)"
