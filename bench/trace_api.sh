#!/usr/bin/env bash
# bench/trace_api.sh — echoscan trace through the public API, timed on the 5-router chain of
# tests/lab/test_trace.sh (lab_up_chain: 198.18.0.0/24, half live, 10% unreachable, router 3
# silent, seed 3). As root, after `make examples`. Every packet stays inside the lab's
# namespaces; only 198.18.0.0/15 is used.
#   many targets: `echoscan trace -O csv -w 1 --max-ttl 8 --rate R 198.18.0.0/24`, R = 10k, 100k;
#   one host:     `echoscan trace -n -w 1 HOST`, `traceroute -I -n -w 1 HOST`, examples/traceroute
#                 (es_traceroute, a fixed 1 s wait), and both tools with traceroute's default
#                 -w 5,3,10.
# BENCH_TRACE_BEFORE=BINARY also times an older echoscan (e.g. one built before the CLI moved
# onto the public header) beside this one. Each measurement BENCH_RUNS times (default 5),
# interleaved; prints the median wall time and every run.
set -u
LC_ALL=C
export LC_ALL
cd "$(dirname "$0")/.." || exit 2
RUNS=${BENCH_RUNS:-5}
# shellcheck source=../tests/lab/lab.sh
source tests/lab/lab.sh
[ "$(id -u)" = 0 ] || { echo "bench/trace_api.sh: needs root (network namespaces)"; exit 2; }
[ -x "$ECHOSCAN" ] && [ -x build/examples/traceroute ] ||
	{ echo "bench/trace_api.sh: run make and make examples first"; exit 2; }
command -v traceroute >/dev/null || { echo "bench/trace_api.sh: traceroute not installed"; exit 2; }
NAME=benchtr$$
lab_trap "$NAME"
lab_up_chain "$NAME" --prefix 198.18.0.0/24 --live-frac 0.5 --unreach-frac 0.1 --seed 3 >/dev/null || exit 2
LIVE=$(sed -n 1p "$LAB_DIR/live.txt")
cp -r "$(dirname "$(find build/stage -name 'libechoscan.so.*.*' | head -1)")" "$LAB_DIR/lib"
export LD_LIBRARY_PATH=$LAB_DIR/lib
ES=$(realpath "$ECHOSCAN")
BEFORE=${BENCH_TRACE_BEFORE:-}

# secs CMD...: the wall time of one run in the scanner's namespace
secs() {
	local s e
	s=$(date +%s%N)
	ip netns exec "$LAB_S" "$@" >/dev/null 2>&1
	e=$(date +%s%N)
	awk -v d=$((e - s)) 'BEGIN { printf "%.3f\n", d / 1e9 }'
}
# row LABEL CMD...: RUNS runs, the median and every run
row() {
	local label=$1 xs
	shift
	xs=$(for _ in $(seq "$RUNS"); do secs "$@"; done)
	printf '%-62s median %s s  (%s)\n' "$label" \
		"$(sort -n <<<"$xs" | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')" \
		"$(tr '\n' ' ' <<<"$xs" | sed 's/ $//')"
}
both() {   # LABEL ARGS...: echoscan trace ARGS, and the older binary's when given
	local label=$1
	shift
	[ -n "$BEFORE" ] && row "before: echoscan trace $label" "$BEFORE" trace "$@"
	row "echoscan trace $label" "$ES" trace "$@"
}
echo "chain: routers $LAB_ROUTERS (router $LAB_SILENT_ROUTER silent), host $LIVE at distance $LAB_DIST; $RUNS runs"
for rate in 10k 100k; do
	both "-O csv -w 1 --max-ttl 8 --rate $rate 198.18.0.0/24" -O csv -w 1 --max-ttl 8 --rate "$rate" 198.18.0.0/24
done
both "-n -w 1 $LIVE" -n -w 1 "$LIVE"
row "traceroute -I -n -w 1 $LIVE" traceroute -I -n -w 1 "$LIVE"
row "examples/traceroute $LIVE (es_traceroute, 1 s wait)" build/examples/traceroute "$LIVE"
both "-n $LIVE (default -w 5,3,10)" -n "$LIVE"
row "traceroute -I -n $LIVE (default -w 5,3,10)" traceroute -I -n "$LIVE"
