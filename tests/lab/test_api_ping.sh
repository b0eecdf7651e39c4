#!/bin/bash
# test_api_ping: es_ping of IPv4 hosts through the kernel's ICMP sockets (#12), checked against the
# lab's ground truth with tests/lab/api_ping_check.c (built against include/echoscan.h and
# build/libechoscan.so alone). In a lab /24 (25% live, some rejecting with host-unreachable), as
# root with ES_MODE_RAW (the raw ICMP socket), as nobody with ES_MODE_DGRAM (ping_group_range
# opened), and as root with ES_MODE_AUTO (the datagram socket while ping_group_range permits it,
# the raw one once it is closed, as iputils picks them):
#  - a live host: 3/3, no loss, RTTs, the reply's TTL (64) and size (84 bytes for 56), callbacks on
#    the calling thread, and the call ends once every request has its answer (before the timeout);
#  - a silent host: 3 sent, 0 received, 100% loss, no RTT, no callback, ES_OK after the last
#    request's timeout;
#  - a host rejected with host-unreachable: 3 errors, 3 unreachable callbacks, ends early;
#  - size 1000 (1028-byte replies); ttl 7 to a host the target drops unless the TTL is 7; a source
#    address the target requires (198.19.1.1 on the scanner's lo); the interface ves; replies
#    duplicated (netem): every duplicate flagged, counted and on a probe answered before;
#  - the codes: ES_EINVAL for a source that is not ours, ES_ENOROUTE for a host without a route.
. "$(dirname "$0")/lab.sh"
N=es-apiping$$
lab_trap "$N"
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 0.25 --unreach-frac 0.04 --seed 12 || exit 1
echo "live $LAB_NLIVE, unreachable $LAB_NUNREACH of 256"
lab_api_build api_ping_check || exit 1
PC=$LAB_DIR/api_ping_check
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
as_root() { timeout -k 2 60 ip netns exec "$LAB_S" "$PC" "$@"; }
as_nobody() { timeout -k 2 60 ip netns exec "$LAB_S" "${NOBODY[@]}" env LD_LIBRARY_PATH="$LD_LIBRARY_PATH" "$PC" "$@"; }
mapfile -t live <"$LAB_DIR/live.txt"
plain=${live[0]} ttlhost=${live[1]} srchost=${live[2]} duphost=${live[3]}
unreach=$(head -1 "$LAB_DIR/unreach.txt")
silent=$(comm -23 <(seq 0 255 | sed 's/^/198.18.0./' | sort) \
	<(sort "$LAB_DIR/live.txt" "$LAB_DIR/unreach.txt") | head -1)
[ -n "$unreach" ] && [ -n "$silent" ] || { lab_fail "no unreachable or silent host in the lab"; exit 1; }

# The target drops requests to ttlhost unless their TTL is 7, and to srchost unless they come
# from 198.19.1.1 (a second address of the scanner, on its lo, routed back by the target).
ip netns exec "$LAB_S" ip addr add 198.19.1.1/32 dev lo || exit 1
ip netns exec "$LAB_T" ip route add 198.19.1.1/32 via 198.19.0.1 dev vet || exit 1
ip netns exec "$LAB_T" nft -f - <<EOF || { lab_fail "nft (ttl and source filters)"; exit 1; }
table inet apiping {
	chain input {
		type filter hook input priority -5;
		ip daddr $ttlhost ip ttl != 7 drop
		ip daddr $srchost ip saddr != 198.19.1.1 drop
	}
}
EOF
lab_add_netem_host "$duphost" "duplicate 100%" || exit 1

# WHO ARGS...: api_ping_check's line in $out, its exit status in $rc
run() { local who=$1; shift; out=$("as_$who" "$@" 2>&1); rc=$?; }
field() { printf '%s\n' "$out" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }
# NAME KEY=V | KEY>=N | KEY<N ...: every condition holds for the last run (which exited 0)
expect() {
	local name=$1 c k v got; shift
	[ "$rc" = 0 ] || { lab_fail "$name: exit $rc: $out"; return; }
	for c in "$@"; do
		case $c in
		*'<'*) k=${c%%<*} v=${c#*<}; got=$(field "$k"); [ -n "$got" ] && [ "$got" -lt "$v" ] ;;
		*'>='*) k=${c%%>=*} v=${c#*>=}; got=$(field "$k"); [ -n "$got" ] && [ "$got" -ge "$v" ] ;;
		*) k=${c%%=*} v=${c#*=}; got=$(field "$k"); [ "$got" = "$v" ] ;;
		esac || { lab_fail "$name: $k=$got (want $c): $out"; return; }
	done
	echo "ok   $name: $out"
}
# NAME CODE: the last run failed with es_ping's error CODE
expect_code() {
	[ "$rc" = 2 ] && [[ $out == *"($2)"* ]] || lab_fail "$1: exit $rc, '$out' (want 2 and $2)"
	[ "$rc" = 2 ] && [[ $out == *"($2)"* ]] && echo "ok   $1: $2"
}

ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
for c in "root raw raw" "nobody dgram dgram" "root auto dgram"; do
	set -- $c
	who=$1 mode=$2 took=$3
	run "$who" "$mode" "$plain" timeout_ms=5000
	expect "$who $mode: live $plain" mode="$took" tx=3 rx=3 dup=0 err=0 loss=0 rtt=yes cb=3 \
		ttl=64 size=84 'ms<5000'
	# 2 intervals (0.2 s) + the 1 s timeout; the upper bound only catches a hang
	run "$who" "$mode" "$silent"
	expect "$who $mode: silent $silent" mode="$took" tx=3 rx=0 err=0 loss=100 rtt=no cb=0 \
		'ms>=1200' 'ms<11200'
	run "$who" "$mode" "$unreach" timeout_ms=5000
	expect "$who $mode: unreachable $unreach" mode="$took" tx=3 rx=0 err=3 unreach=3 cb=3 \
		loss=100 'ms<5000'
	run "$who" "$mode" "$plain" size=1000
	expect "$who $mode: size 1000" rx=3 size=1028
	run "$who" "$mode" "$ttlhost" ttl=7
	expect "$who $mode: ttl 7 to $ttlhost" rx=3
	run "$who" "$mode" "$srchost" source=198.19.1.1
	expect "$who $mode: source 198.19.1.1 to $srchost" rx=3
	run "$who" "$mode" "$plain" iface=ves
	expect "$who $mode: interface ves" rx=3
	run "$who" "$mode" "$duphost" interval_ms=300 timeout_ms=5000
	expect "$who $mode: duplicated replies from $duphost" tx=3 rx=3 'dup>=1' loss=0
	[ "$(field dup)" = "$(field dupcb)" ] || lab_fail "$who $mode: dup $(field dup) but $(field dupcb) flagged"
done
# the filters' negative controls: without ttl 7 or the source, the target drops the requests
run root raw "$ttlhost" timeout_ms=300
expect "root raw: $ttlhost without ttl 7 (dropped)" tx=3 rx=0
run root raw "$srchost" timeout_ms=300
expect "root raw: $srchost from the default source (dropped)" tx=3 rx=0

run root raw "$plain" source=198.18.250.1
expect_code "source 198.18.250.1 (not ours)" ES_EINVAL
run root auto 198.18.200.1
expect_code "198.18.200.1 (no route)" ES_ENOROUTE
ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="1 0"
run root auto "$plain"
expect "root auto, ping_group_range closed: live $plain" mode=raw tx=3 rx=3 loss=0
exit "${LAB_FAILED:-0}"
