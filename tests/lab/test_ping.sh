#!/bin/bash
# test_ping: `echoscan ping` prints what iputils ping prints. Both run with the same options in the
# scanner namespace against a live host, an unreachable one (nft reject), a silent one, a host whose
# replies are delayed 20 ms and one whose replies are duplicated (netem or the lab's userspace
# stand-in); their standard outputs must be identical once times are masked, their exit statuses
# equal, echoscan's stderr empty. Then the unprivileged path: as nobody, with ping_group_range open
# in the namespace (the ICMP datagram socket) the output again matches iputils'; with it closed,
# echoscan says what is needed and exits 2. Last, SIGINT prints the statistics and exits 0.
. "$(dirname "$0")/lab.sh"
N=es-ping$$
lab_trap "$N"
command -v ping >/dev/null || { echo "iputils ping not installed (apt-get install iputils-ping)"; exit "$LAB_SKIP"; }
command -v setpriv >/dev/null || { echo "setpriv not installed (util-linux)"; exit "$LAB_SKIP"; }
if ! "$ECHOSCAN" ping -h >/dev/null 2>&1; then
    echo "FAIL: $ECHOSCAN ping -h failed: is scanner/ping.c linked in?" >&2; exit 1
fi
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 0.5 --unreach-frac 0.1 --seed 7 || exit 1

live=$(sed -n 1p "$LAB_DIR/live.txt") unr=$(sed -n 1p "$LAB_DIR/unreach.txt")
slow=$(sed -n 3p "$LAB_DIR/live.txt") dup=$(sed -n 4p "$LAB_DIR/live.txt")
silent=$(python3 - "$LAB_DIR" <<'PY'
import sys
d = sys.argv[1]
used = set(open(d + "/live.txt").read().split()) | set(open(d + "/unreach.txt").read().split())
print(next("198.18.0.%d" % i for i in range(1, 255) if "198.18.0.%d" % i not in used))
PY
)
lab_add_netem_host "$slow" "delay 20ms" || exit 1
lab_add_netem_host "$dup" "duplicate 100%" || exit 1
echo "live $live, unreachable $unr, silent $silent, delayed $slow, duplicating $dup" \
     "$([ -n "$LAB_EMULATED" ] && echo '(userspace netem emulator)')"

# The binary must be reachable by nobody: the lab dir is world-readable.
cp "$ECHOSCAN" "$LAB_DIR/echoscan" && chmod 755 "$LAB_DIR/echoscan"
ES=$LAB_DIR/echoscan
W=$LAB_DIR/ping
mkdir -p "$W"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)

mask() {
    sed -E 's/time=[0-9.]+ ms/time=X ms/; s/time [0-9]+ms/time Xms/; s/= [0-9.\/]+ ms/= X ms/' \
        | sed -E 's/^\[[0-9]+\.[0-9]{6}\] /[T] /'
}

# compare LABEL EXPECT [AS...] -- ARGS... : iputils (as root) and echoscan (as AS, or root) with ARGS;
# EXPECT is a regex both outputs must contain (so an empty lab does not pass).
compare() {
    local label=$1 expect=$2; shift 2
    local as=()
    while [ "$1" != -- ]; do as+=("$1"); shift; done
    shift
    timeout 30 ip netns exec "$LAB_S" ping "$@" >"$W/ip.out" 2>"$W/ip.err"
    local rc_i=$?
    timeout 30 ip netns exec "$LAB_S" "${as[@]}" "$ES" ping "$@" >"$W/es.out" 2>"$W/es.err"
    local rc_e=$?
    mask <"$W/ip.out" >"$W/ip.m"
    mask <"$W/es.out" >"$W/es.m"
    local bad=0
    if ! diff -u "$W/ip.m" "$W/es.m" >"$W/diff"; then
        lab_fail "$label: ping $*: outputs differ (- iputils, + echoscan, times masked):"
        sed 's/^/    /' "$W/diff" >&2; bad=1
    fi
    if [ "$rc_i" != "$rc_e" ]; then lab_fail "$label: ping $*: exit status iputils $rc_i, echoscan $rc_e"; bad=1; fi
    if [ -s "$W/es.err" ]; then lab_fail "$label: echoscan wrote on stderr: $(head -3 "$W/es.err")"; bad=1; fi
    if ! grep -Eq -- "$expect" "$W/es.out"; then
        lab_fail "$label: ping $*: no line matching /$expect/ in echoscan's output:"
        sed 's/^/    /' "$W/es.out" >&2; bad=1
    fi
    [ $bad = 0 ] && echo "ok   $label: ping $* (exit $rc_e)"
    return $bad
}

t0=$(lab_now)
compare live "5 received, 0% packet loss" -- -c 5 -i 0.2 "$live"
compare options "^PATTERN: 0xabcd$" -- -c 3 -i 0.2 -s 100 -t 32 -p abcd -I ves -D "$live"
compare quiet "3 received" -- -q -c 3 -i 0.2 "$live"
compare unreachable "icmp_seq=3 Destination Host Unreachable" -- -c 3 -i 0.2 "$unr"
compare deadline "\\+1 errors, 100% packet loss" -- -w 3 -i 0.2 "$unr"
compare silent "3 packets transmitted, 0 received, 100% packet loss" -- -c 3 -i 0.2 -W 1 -O "$silent"
if compare delayed "5 received" -- -c 5 -i 0.2 "$slow"; then
    awk -F'time=' '/time=/ { split($2, a, " "); if (a[1] + 0 < 19.5) bad = 1 } END { exit bad }' \
        "$W/es.out" || lab_fail "delayed: an RTT below 20 ms: $(grep -m1 time= "$W/es.out")"
fi
compare duplicated "icmp_seq=4 .*\\(DUP!\\)" -- -c 5 -i 0.2 "$dup"

compare audible $'time=[0-9.]+ ms\a$' -- -a -c 3 -i 0.2 "$live"
compare audible-quiet "3 received" -- -a -q -c 3 -i 0.2 "$live"
if compare latency "5 received" -- -U -c 5 -i 0.2 "$slow"; then
    awk -F'time=' '/time=/ { split($2, a, " "); if (a[1] + 0 < 19.5) bad = 1 } END { exit bad }' \
        "$W/es.out" || lab_fail "latency -U: an RTT below 20 ms: $(grep -m1 time= "$W/es.out")"
fi

# on_wire LABEL WHAT FILTER AS... -- ARGS: echoscan's 3 probes reach the target with the IP header
# field FILTER (a pcap expression) says (the outputs cannot show it: the target counts them).
on_wire() {
    local label=$1 what=$2 filter=$3; shift 3
    local as=()
    while [ "$1" != -- ]; do as+=("$1"); shift; done
    shift
    ip netns exec "$LAB_T" tcpdump -Z root --immediate-mode -i vet -n -U -w "$W/tos.pcap" \
        "icmp[icmptype] == icmp-echo and $filter" 2>"$W/tcpdump.err" &
    local tpid=$! i
    # tcpdump says "listening on" once its capture is open (a bare fixed sleep missed the first
    # probe under load); --immediate-mode: frames are not held back in a ring block until kill
    for i in $(seq 50); do grep -q "listening on" "$W/tcpdump.err" 2>/dev/null && break; sleep 0.1; done
    sleep 0.2
    timeout 30 ip netns exec "$LAB_S" "${as[@]}" "$ES" ping "$@" >/dev/null 2>&1
    sleep 0.3; kill "$tpid"; wait "$tpid" 2>/dev/null
    local n
    n=$(tcpdump -r "$W/tos.pcap" -n 2>/dev/null | wc -l)
    if [ "$n" != 3 ]; then lab_fail "$label: ping $*: $n echo requests with $what at the target, want 3 (tcpdump: $(tr "\n" " " <"$W/tcpdump.err"))"
    else echo "ok   $label: ping $*: 3 echo requests with $what on the wire"; fi
}
compare tos "3 received" -- -Q 0x10 -c 3 -i 0.2 "$live"
command -v tcpdump >/dev/null && on_wire tos-wire "TOS 0x10" "ip[1] == 0x10" -- -Q 0x10 -c 3 -i 0.2 "$live"
compare pmtu-do "3 received" -- -M do -c 3 -i 0.2 "$live"
compare pmtu-dont "3 received" -- -M dont -c 3 -i 0.2 "$live"
if command -v tcpdump >/dev/null; then
    on_wire pmtu-do-wire "DF" "ip[6] & 0x40 != 0" -- -M do -c 3 -i 0.2 "$live"
    on_wire pmtu-want-wire "DF" "ip[6] & 0x40 != 0" -- -M want -c 3 -i 0.2 "$live"
    on_wire pmtu-dont-wire "no DF" "ip[6] & 0x40 == 0" -- -M dont -c 3 -i 0.2 "$live"
fi
compare sticky-source "^PING $live \\($live\\) from 198\\.[0-9.]+ : 56\\(84\\)" -- -B -c 2 -i 0.2 "$live"

# badarg LABEL ARGS...: both refuse with exit 2 and the same message (after "ping:" / "echoscan ping:").
badarg() {
    local label=$1; shift
    ip netns exec "$LAB_S" ping "$@" >/dev/null 2>"$W/bi.err"; local rc_i=$?
    ip netns exec "$LAB_S" "$ES" ping "$@" >/dev/null 2>"$W/be.err"; local rc_e=$?
    local mi me
    mi=$(sed -n '1s/^ping: //p' "$W/bi.err"); me=$(sed -n '1s/^echoscan ping: //p' "$W/be.err")
    if [ "$rc_i" != 2 ] || [ "$rc_e" != 2 ] || [ -z "$mi" ] || [ "$mi" != "$me" ]; then
        lab_fail "$label: ping $*: iputils exit $rc_i \"$mi\", echoscan exit $rc_e \"$me\""
    else echo "ok   $label: ping $*: exit 2, $me"; fi
}
badarg tos-word -Q lowdelay "$live"
badarg tos-range -Q 256 "$live"
badarg tos-hex -Q 0x1g0 "$live"
badarg pmtu-word -M probe "$live"

# Unprivileged: the ICMP datagram socket (the range is per network namespace).
ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
compare nobody-live "3 received" "${NOBODY[@]}" -- -c 3 -i 0.2 "$live"
compare nobody-unreachable "Destination Host Unreachable" "${NOBODY[@]}" -- -c 3 -i 0.2 "$unr"
compare nobody-duplicated "\\(DUP!\\)" "${NOBODY[@]}" -- -c 3 -i 0.2 -s 30 -I ves "$dup"
compare nobody-audible $'time=[0-9.]+ ms\a$' "${NOBODY[@]}" -- -a -c 3 -i 0.2 "$live"
compare nobody-tos "3 received" "${NOBODY[@]}" -- -Q 16 -U -c 3 -i 0.2 "$live"
command -v tcpdump >/dev/null && on_wire nobody-tos-wire "TOS 0x10" "ip[1] == 0x10" "${NOBODY[@]}" -- -Q 16 -c 3 -i 0.2 "$live"
compare nobody-pmtu "3 received" "${NOBODY[@]}" -- -M do -B -c 3 -i 0.2 "$live"
if command -v tcpdump >/dev/null; then
    on_wire nobody-pmtu-do-wire "DF" "ip[6] & 0x40 != 0" "${NOBODY[@]}" -- -M do -c 3 -i 0.2 "$live"
    on_wire nobody-pmtu-dont-wire "no DF" "ip[6] & 0x40 == 0" "${NOBODY[@]}" -- -M dont -c 3 -i 0.2 "$live"
fi
ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="1 0"
timeout 10 ip netns exec "$LAB_S" "${NOBODY[@]}" "$ES" ping -c 1 "$live" >"$W/np.out" 2>"$W/np.err"
rc=$?
want='echoscan ping: needs CAP_NET_RAW (run as root or setcap cap_net_raw+ep echoscan) or an ICMP datagram socket (allow your group: sysctl -w net.ipv4.ping_group_range="0 2147483647")'
if [ $rc != 2 ] || [ "$(cat "$W/np.err")" != "$want" ] || [ -s "$W/np.out" ]; then
    lab_fail "nobody without ping_group_range: exit $rc (want 2), stderr: $(cat "$W/np.err"), stdout: $(head -2 "$W/np.out")"
else
    echo "ok   nobody without ping_group_range: exit 2 and the message"
fi

# SIGINT: statistics, then exit 0 (replies came).
ip netns exec "$LAB_S" "$ES" ping -i 0.2 "$live" >"$W/int.out" 2>"$W/int.err" &
pid=$!
sleep 1.2
kill -INT $pid
wait $pid
rc=$?
if [ $rc != 0 ] || ! grep -q "^--- $live ping statistics ---$" "$W/int.out" ||
   ! grep -Eq "^[0-9]+ packets transmitted, [0-9]+ received, 0% packet loss" "$W/int.out"; then
    lab_fail "SIGINT: exit $rc (want 0) and output:"; sed 's/^/    /' "$W/int.out" "$W/int.err" >&2
else
    echo "ok   SIGINT: $(grep transmitted "$W/int.out")"
fi
echo "took $(lab_since "$t0") s"
exit $LAB_FAILED
