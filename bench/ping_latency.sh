#!/bin/bash
# bench/ping_latency.sh — the wall time of one-shot pings to one live lab host, medians of
# $RUNS (default 5) interleaved runs, as root with ping_group_range closed ("root-raw": the raw
# socket), as root and as nobody with it opened (datagram sockets, iputils' first choice): `echoscan ping -c 1` (this tree, and $BEFORE when given: an older echoscan binary),
# iputils `ping -c 1`, `fping`, and the same over IPv6 (`ping -6 -c 1`; fping -6). Each run is
# timed around the child process alone (bench/walltime.py). Lab: tests/lab/lab.sh, a /24 and
# 2001:db8:1::/120 behind the target namespace; nothing leaves the namespaces.
#   RUNS=5 BEFORE=/tmp/before-ping/echoscan bash bench/ping_latency.sh
ROOT=$(cd "$(dirname "$0")/.." && pwd)
. "$ROOT/tests/lab/lab.sh"
ES=${ECHOSCAN:-$ROOT/echoscan}
RUNS=${RUNS:-5}
N=es-pl$$
lab_trap "$N"
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 0.5 --unreach-frac 0 --seed 4 >/dev/null || exit 1
lab_add_v6 --prefix 2001:db8:1::/120 --live-frac 0.5 --unreach-frac 0 --seed 2 || exit 1
V4=$(sed -n 1p "$LAB_DIR/live.txt") V6=$(sed -n 1p "$LAB_DIR/live6.txt")
cp "$ES" "$LAB_DIR/after"; [ -n "$BEFORE" ] && cp "$BEFORE" "$LAB_DIR/before"
chmod -R a+rX "$LAB_DIR"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
declare -A T
run() {   # KEY CMD...
	local key=$1 w rc; shift
	read -r w rc < <(ip netns exec "$LAB_S" python3 "$ROOT/bench/walltime.py" "$LAB_DIR/out" "$@")
	[ "$rc" = 0 ] || echo "bench: $key: exit $rc: $(head -2 "$LAB_DIR/out.err")" >&2
	T[$key]="${T[$key]} $w"
}
for r in $(seq "$RUNS"); do
	for who in root-raw root nobody; do
		range="0 2147483647"; [ $who = root-raw ] && range="1 0"
		ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="$range"
		as=(); [ $who = nobody ] && as=("${NOBODY[@]}")
		[ -n "$BEFORE" ] && run "$who v4 echoscan-before" "${as[@]}" "$LAB_DIR/before" ping -c 1 "$V4"
		run "$who v4 echoscan" "${as[@]}" "$LAB_DIR/after" ping -c 1 "$V4"
		run "$who v4 iputils" "${as[@]}" ping -c 1 "$V4"
		[ -n "$BEFORE" ] && run "$who v6 echoscan-before" "${as[@]}" "$LAB_DIR/before" ping -6 -c 1 "$V6"
		run "$who v6 echoscan" "${as[@]}" "$LAB_DIR/after" ping -6 -c 1 "$V6"
		run "$who v6 iputils" "${as[@]}" ping -6 -c 1 "$V6"
		if [ $who = root ]; then
			run "$who v4 fping" fping "$V4"
			run "$who v6 fping" fping -6 "$V6"
		fi
	done
done
echo "one-shot ping to a live lab host, wall ms, median of $RUNS (min..max):"
for k in "${!T[@]}"; do
	printf '%-28s %s\n' "$k" "$(printf '%s\n' ${T[$k]} | sort -n |
		awk '{a[NR] = $1 * 1000} END { printf "%.1f (%.1f..%.1f)", (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2), a[1], a[NR] }')"
done | sort
