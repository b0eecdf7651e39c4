#!/bin/bash
# test_api_socket: level 3's kernel echo socket (es_socket_* of include/echoscan.h), used by a
# program built against the header and build/libechoscan.so alone (tests/lab/api_socket_check.c):
# echo requests to lab hosts, IPv4 (198.18.0.0/24) and IPv6 (2001:db8:1::/120), every reply
# checked (target, responder, probe number, RTT, length, data):
#  - as root with ping_group_range closed: raw 3/3 (auto picks the raw socket), payloads of 0,
#    8 (no room for the stamp: matched by sequence), 56 and 1472 bytes; an unreachable host gives
#    3 ICMP errors and no reply, a silent host 0/3;
#  - ping_group_range opened: auto takes the datagram socket for root and nobody (iputils'
#    order), IPv4 and IPv6;
#  - identifier 0 (which a datagram socket cannot carry): auto takes the raw socket for root and
#    falls back to the datagram one for nobody;
#  - nobody: raw gives ES_EPERM; with ping_group_range closed auto gives ES_EPERM too.
. "$(dirname "$0")/lab.sh"
N=es-asock$$
lab_trap "$N"
BUILD=${BUILD:-build}
[ -e "$BUILD/libechoscan.so" ] || make --no-print-directory lib >/dev/null ||
	{ echo "make lib failed"; exit 1; }
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 0.5 --unreach-frac 0.1 --seed 11 || exit 1
lab_add_v6 --prefix 2001:db8:1::/120 --live-frac 0.5 --unreach-frac 0 --seed 3 || exit 1
mkdir -p "$LAB_DIR/lib"
cp -P "$BUILD"/libechoscan.so* "$LAB_DIR/lib/"
AC=$LAB_DIR/api_socket_check
cc -O2 -std=c11 -Wall -Wextra -Werror -I include -o "$AC" tests/lab/api_socket_check.c \
	-L "$LAB_DIR/lib" -lechoscan || { lab_fail "cannot build tests/lab/api_socket_check.c"; exit 1; }
chmod -R a+rX "$LAB_DIR"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
run_root() { timeout -k 2 30 ip netns exec "$LAB_S" env LD_LIBRARY_PATH="$LAB_DIR/lib" "$AC" "$@"; }
run_nobody() { timeout -k 2 30 ip netns exec "$LAB_S" "${NOBODY[@]}" env LD_LIBRARY_PATH="$LAB_DIR/lib" "$AC" "$@"; }

live=$(sed -n 1p "$LAB_DIR/live.txt") unr=$(sed -n 1p "$LAB_DIR/unreach.txt")
live6=$(sed -n 1p "$LAB_DIR/live6.txt") silent6=$(sed -n 1p "$LAB_DIR/silent6.txt")
silent=$(python3 - "$LAB_DIR" <<'PY'
import sys
d = sys.argv[1]
used = set(open(d + "/live.txt").read().split()) | set(open(d + "/unreach.txt").read().split())
print(next("198.18.0.%d" % i for i in range(1, 255) if "198.18.0.%d" % i not in used))
PY
)

# check WHO MODE HOST SIZE WANT: api_socket_check's line must be WANT
check() {
	local who=$1 mode=$2 host=$3 size=$4 want=$5 out rc
	out=$("run_$who" "$mode" "$host" 3 "$size" 2>&1); rc=$?
	if [ "$out" = "$want" ]; then echo "ok   $who: es_socket $mode $host, $size bytes: $out"
	else lab_fail "$who: es_socket $mode $host, $size bytes: exit $rc, '$out' (want '$want')"; fi
}

ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="1 0"
check root auto "$live" 56 "raw 3/3 0 errors"
for size in 0 8 1472; do check root raw "$live" $size "raw 3/3 0 errors"; done
check root raw "$unr" 56 "raw 0/3 3 errors"
check root raw "$silent" 56 "raw 0/3 0 errors"
check root auto "$live6" 56 "raw 3/3 0 errors"
check root raw "$silent6" 56 "raw 0/3 0 errors"
out=$(run_nobody auto "$live" 3 56); rc=$?
[ $rc = 2 ] && [[ $out == ES_EPERM:*ping_group_range* ]] ||
	lab_fail "nobody, ping_group_range closed: exit $rc, '$out' (want 2 and ES_EPERM naming ping_group_range)"

ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
check root auto "$live" 56 "dgram 3/3 0 errors"
check root auto "$live6" 56 "dgram 3/3 0 errors"
for size in 0 8 56 1472; do check nobody auto "$live" $size "dgram 3/3 0 errors"; done
check nobody dgram "$unr" 56 "dgram 0/3 3 errors"
check nobody auto "$live6" 56 "dgram 3/3 0 errors"
check nobody auto ::1 56 "dgram 3/3 0 errors"
export API_IDENT=0
check root auto "$live" 56 "raw 3/3 0 errors"
check nobody auto "$live" 56 "dgram 3/3 0 errors"
unset API_IDENT
out=$(run_nobody raw "$live" 3 56); rc=$?
[ $rc = 2 ] && [[ $out == ES_EPERM:* ]] || lab_fail "nobody: raw: exit $rc, '$out' (want 2 and ES_EPERM)"
echo "ok   nobody: raw refused with ES_EPERM"
exit $LAB_FAILED
