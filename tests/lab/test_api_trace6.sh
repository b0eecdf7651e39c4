#!/bin/bash
# test_api_trace6: es_traceroute through the kernel's ICMP socket, against the 5-router chain of
# test_api_trace (router 3 never sends time exceeded; tests/lab/lab.sh lab_up_chain) with IPv6
# along it (lab_add_chain6), built against include/echoscan.h and libechoscan.so alone
# (tests/lab/api_trace_check.c, a fixed 1 s wait):
#  - IPv6 as root (ping_group_range closed: the raw ICMPv6 socket), as nobody with
#    ping_group_range opened (the ICMPv6 datagram socket), and ES_MODE_DGRAM as root: to a live
#    host router i (its 2001:db8:ff:<i-1>::2) at hop i for i = 1..5 (all 3 probes; none at the
#    silent router's), the host at hop 6 with reached and last set, nothing after; to an
#    address-unreachable host: !H at hop 6 ending the trace (from the target namespace's link
#    address, where nft's ICMPv6 reject leaves from: not reached); to a silent one with
#    max TTL 8: the routers, then three empty hops and no end.
#  - IPv4 as nobody with ping_group_range opened (ES_MODE_AUTO without CAP_NET_RAW: the ICMP
#    datagram socket) and ES_MODE_DGRAM as root: the same hops as the raw path gives.
#  - The codes: nobody with ping_group_range closed gets ES_EPERM naming ping_group_range, for
#    either family; nobody asking for ES_MODE_RAW gets ES_EPERM.
. "$(dirname "$0")/lab.sh"
N=es-apit6$$
lab_trap "$N"
BUILD=${BUILD:-build}
[ -e "$BUILD/libechoscan.so" ] || make --no-print-directory lib >/dev/null ||
	{ echo "make lib failed"; exit 1; }
lab_up_chain "$N" --prefix 198.18.0.0/24 --live-frac 0.5 --unreach-frac 0.1 --seed 3 || exit 1
lab_add_chain6 --prefix 2001:db8:1::/120 --live-frac 0.5 --unreach-frac 0.1 --seed 5 || exit 1
W=$LAB_DIR/w
mkdir -p "$W" "$LAB_DIR/lib"
cp -P "$BUILD"/libechoscan.so* "$LAB_DIR/lib/"
AC=$LAB_DIR/api_trace_check
cc -O2 -std=c11 -Wall -Wextra -Werror -I include -o "$AC" tests/lab/api_trace_check.c \
	-L "$LAB_DIR/lib" -lechoscan -lpthread || { lab_fail "cannot build tests/lab/api_trace_check.c"; exit 1; }
chmod -R a+rX "$LAB_DIR"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
run_root() { timeout -k 2 60 ip netns exec "$LAB_S" env LD_LIBRARY_PATH="$LAB_DIR/lib" "$@"; }
run_nobody() { timeout -k 2 60 ip netns exec "$LAB_S" "${NOBODY[@]}" env LD_LIBRARY_PATH="$LAB_DIR/lib" "$@"; }
pgr() { ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="$1"; }

live=$(sed -n 1p "$LAB_DIR/live.txt") unr=$(sed -n 1p "$LAB_DIR/unreach.txt")
silent=$(comm -23 <(seq 1 254 | sed 's/^/198.18.0./' | sort) \
	<(sort "$LAB_DIR/live.txt" "$LAB_DIR/unreach.txt") | head -1)
# not the prefix's ::, a subnet-router anycast address
live6=$(grep -v '::$' "$LAB_DIR/live6.txt" | head -1) unr6=$(grep -v '::$' "$LAB_DIR/unreach6.txt" | head -1)
silent6=$(grep -v '::$' "$LAB_DIR/silent6.txt" | head -1)
r4=($LAB_ROUTERS) r6=($LAB_ROUTERS6)
t6=2001:db8:ff:$LAB_NROUTERS::2     # the target's end of the last link
echo "routers: $LAB_ROUTERS6 (router $LAB_SILENT_ROUTER silent)"
echo "IPv6: live $live6, unreachable $unr6, silent $silent6; IPv4: live $live, unreachable $unr, silent $silent"

# want HOST MAX_TTL KIND ROUTER...: the hop lines api_trace_check should print
want() {
	local host=$1 max=$2 kind=$3 ttl; shift 3
	local r=("$@")
	for ttl in $(seq 1 "$max"); do
		if [ "$ttl" -lt "$LAB_DIST" ]; then
			if [ "$ttl" = "$LAB_SILENT_ROUTER" ]; then echo "$ttl 0/3 * - reached=0 last=0"
			else w=${r[$((ttl - 1))]}; echo "$ttl 3/3 $w,$w,$w - reached=0 last=0"; fi
		elif [ "$kind" = live ]; then echo "$ttl 3/3 $host,$host,$host - reached=1 last=1"; return
		elif [ "$kind" = unreach ] && [[ $host == *:* ]]; then
			# nft's ICMPv6 reject leaves from the target's link address
			echo "$ttl 3/3 $t6,$t6,$t6 !H reached=0 last=1"; return
		elif [ "$kind" = unreach ]; then echo "$ttl 3/3 $host,$host,$host !H reached=1 last=1"; return
		else echo "$ttl 0/3 * - reached=0 last=0"; fi
	done
}

# check WHO MODE KIND HOST MAX: es_traceroute's hops as the chain has them
check() {
	local who=$1 mode=$2 kind=$3 host=$4 max=$5 rc routers
	if [[ $host == *:* ]]; then routers=("${r6[@]}"); else routers=("${r4[@]}"); fi
	"run_$who" env API_MODE="$mode" "$AC" hops "$host" "$max" >"$W/h.out" 2>"$W/h.err"; rc=$?
	[ $rc = 0 ] || { lab_fail "$who $mode: es_traceroute $kind $host: exit $rc: $(cat "$W/h.out" "$W/h.err")"; return; }
	want "$host" "$max" "$kind" "${routers[@]}" >"$W/h.want"
	if diff -u "$W/h.want" "$W/h.out" >"$W/diff"; then
		echo "ok   $who $mode: es_traceroute $kind $host (max TTL $max): $(wc -l <"$W/h.out") hops as the chain has them"
	else lab_fail "$who $mode: es_traceroute $kind $host: hops differ from the chain (- want, + got):"; cat "$W/diff" >&2; fi
}

# code WHO MODE HOST PATTERN: es_traceroute fails with exit 2 and a line matching PATTERN
code() {
	local who=$1 mode=$2 host=$3 pat=$4 out rc
	out=$("run_$who" env API_MODE="$mode" "$AC" hops "$host" 2>&1); rc=$?
	if [ $rc = 2 ] && [[ $out == $pat ]]; then echo "ok   $who $mode $host: ${out%% *}"
	else lab_fail "$who $mode $host: exit $rc, '$out' (want 2 and $pat)"; fi
}

pgr "1 0"
check root auto live "$live6" 30
check root auto unreach "$unr6" 30
check root auto silent "$silent6" 8
code nobody auto "$live6" 'ES_EPERM *ping_group_range*'
code nobody auto "$live" 'ES_EPERM *ping_group_range*'
code root dgram "$live6" 'ES_EPERM *ping_group_range*'
pgr "0 2147483647"
check nobody auto live "$live6" 30
check nobody auto unreach "$unr6" 30
check nobody auto silent "$silent6" 8
check nobody auto live "$live" 30
check nobody auto unreach "$unr" 30
check nobody auto silent "$silent" 8
check root dgram live "$live6" 30
check root dgram live "$live" 30
code nobody raw "$live6" 'ES_EPERM *'
code nobody raw "$live" 'ES_EPERM *'
exit "${LAB_FAILED:-0}"
