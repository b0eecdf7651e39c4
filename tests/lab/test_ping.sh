#!/bin/bash
# test_ping: `echoscan ping` prints what iputils ping prints. Both run with the same options in the
# scanner namespace against a live host, an unreachable one (nft reject), a silent one, a host whose
# replies are delayed 20 ms and one whose replies are duplicated (netem or the lab's userspace
# stand-in); their standard outputs must be identical once times are masked, their exit statuses
# equal, echoscan's stderr empty (or, where iputils writes warnings and local errors there, equal to
# iputils' with "ping:" read as "echoscan ping:"). Every iputils IPv4 option is run this way: sizes
# 0 to 65507, -M do over the 1500-byte MTU, -R and -T (IP options), -b to the link's broadcast
# address, -f and -i 0 (flood: both wall times are printed), -l, -A, -e, -m, -S, -d, -C, -L, -r,
# -v, -c above 65535, and reply names (HOST given as a name from a hosts file bind-mounted in a
# private mount namespace). Then the unprivileged path: as nobody, with ping_group_range open in
# the namespace (the ICMP datagram socket) the output again matches iputils'; with it closed,
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
corrupt=$(sed -n 5p "$LAB_DIR/live.txt")
silent=$(python3 - "$LAB_DIR" <<'PY'
import sys
d = sys.argv[1]
used = set(open(d + "/live.txt").read().split()) | set(open(d + "/unreach.txt").read().split())
print(next("198.18.0.%d" % i for i in range(1, 255) if "198.18.0.%d" % i not in used))
PY
)
lab_add_netem_host "$slow" "delay 20ms" || exit 1
lab_add_netem_host "$dup" "duplicate 100%" || exit 1
lab_add_netem_host "$corrupt" "corrupt 100%" || exit 1
echo "live $live, unreachable $unr, silent $silent, delayed $slow, duplicating $dup, corrupting $corrupt" \
     "$([ -n "$LAB_EMULATED" ] && echo '(userspace netem emulator)')"

# The binary must be reachable by nobody: the lab dir is world-readable.
cp "$ECHOSCAN" "$LAB_DIR/echoscan" && chmod 755 "$LAB_DIR/echoscan"
ES=$LAB_DIR/echoscan
W=$LAB_DIR/ping
mkdir -p "$W"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)

. "$(dirname "$0")/ping_cmp.sh"

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

badarg tos-word -Q lowdelay "$live"
badarg tos-range -Q 256 "$live"
badarg tos-hex -Q 0x1g0 "$live"
badarg pmtu-word -M probe "$live"

# ---- the options of the kernel socket path (issue 10), as root: iputils' raw socket -------------
compare size-0 "^8 bytes from $live: icmp_seq=2 ttl=64$" -- -s 0 -c 2 -i 0.2 "$live"
compare size-8 "^16 bytes from $live: icmp_seq=2 ttl=64$" -- -s 8 -c 2 -i 0.2 "$live"
compare size-16 "^24 bytes from .*time=" -- -s 16 -c 2 -i 0.2 "$live"
compare size-1473 "^1481 bytes from .*time=" -- -s 1473 -c 2 -i 0.2 "$live"
compare size-65507 "^65515 bytes from .*time=" -- -s 65507 -c 2 -i 0.2 "$live"
CMP_STDERR=1
compare mtu-do "2 packets transmitted, 0 received, \\+2 errors" -- -M do -s 1473 -c 2 -i 0.2 "$live"
grep -q "^echoscan ping: local error: message too long, mtu=1500$" "$W/es.err" ||
    lab_fail "mtu-do: no local error line: $(cat "$W/es.err")"
compare broadcast "^64 bytes from 198\\.19\\.0\\.2: icmp_seq=2" -- -b -c 2 -i 0.2 198.19.0.3
compare mark "2 received" -- -m 5 -S 3000 -d -C -L -c 2 -i 0.2 "$live"
CMP_STDERR=0
badarg broadcast-without-b -c 2 198.19.0.3
compare record-route "\\(same route\\)" -- -R -c 2 -i 0.2 "$live"
grep -q "^RR: " "$W/es.out" || lab_fail "record-route: no RR: line"
compare timestamps "^TS: " -- -T tsonly -c 2 -i 0.2 "$live"
compare timestamps-addr "^TS: .198\\.19\\.0\\.1" -- -T tsandaddr -c 1 "$live"
badarg ts-and-rr -R -T tsonly "$live"
badarg ts-word -T tsall "$live"
compare preload "pipe 5" -- -l 5 -c 5 "$live"
compare adaptive "ipg/ewma" -- -A -c 20 "$live"
compare interval-0 "50 received" -- -i 0 -c 50 "$live"
compare ident "2 received" -- -e 77 -c 2 -i 0.2 "$live"
compare verbose "icmp_seq=2 ident=[0-9]+ ttl=64" -- -v -c 2 -i 0.2 "$live"
compare dontroute "2 received" -- -r -c 2 -i 0.2 198.19.0.2
compare count-above-65535 "packets transmitted" -- -c 70000 -w 1 -i 0.2 "$live"
# flood: as fast as replies come (100/s when they do not); wall times reported, not asserted
if compare flood "1000 received" -- -f -c 1000 "$live"; then
    echo "     flood -c 1000 on a live host: iputils ${T_IP} s, echoscan ${T_ES} s"
fi
if compare flood-delayed "50 received" -- -f -c 50 "$slow"; then
    echo "     flood -c 50 on the 20 ms host (100/s while a reply is out): iputils ${T_IP} s, echoscan ${T_ES} s"
fi
compare flood-silent "0 received" -- -f -c 20 -W 1 "$silent"
# on a 20-column terminal the dots stop once 20 probes are in flight (iputils' rule)
if command -v script >/dev/null; then
    tty_dots() { script -qc "stty cols 20; $*" /dev/null | sed -n 2p | tr -d '\r'; }
    a=$(tty_dots ip netns exec "$LAB_S" ping -f -l 50 -c 50 -W 1 "$silent")
    b=$(tty_dots ip netns exec "$LAB_S" "$ES" ping -f -l 50 -c 50 -W 1 "$silent")
    if [ "$a" != "$b" ] || [ "${#b}" != 19 ]; then
        lab_fail "flood-narrow-terminal: dots iputils \"$a\", echoscan \"$b\" (want 19 each)"
    else echo "ok   flood-narrow-terminal: ping -f -l 50 -c 50 on 20 columns: 19 dots each"; fi
fi
# replies whose data differ: each of the corrupting host's replies has one random bit flipped, so
# the two runs see different bytes; the kinds of lines (numbers masked) must be the same, and
# echoscan must print "wrong data byte" reports (from byte 18: its stamp is bytes 0-17). -e puts
# echoscan on the raw socket, which like iputils' does not drop replies with a bad ICMP checksum
# (the engine and the datagram socket do). A flipped bit can land in iputils' own timestamp (bytes
# 0-15), which then prints odd, even negative, times: signs are masked with the numbers.
shapes() { sed -E 's/time [0-9]+ms/time Xms/; s/\b(0x)?[0-9a-f]+\b/N/g; s/-N/N/g; s/time=[^ ]+ ms/time=X ms/' "$1" | sort -u; }
timeout 30 ip netns exec "$LAB_S" ping -e 4321 -s 1000 -c 10 -i 0.05 "$corrupt" >"$W/ip.out" 2>/dev/null
timeout 30 ip netns exec "$LAB_S" "$ES" ping -e 4321 -s 1000 -c 10 -i 0.05 "$corrupt" >"$W/es.out" 2>"$W/es.err"
if ! grep -Eq '^wrong data byte #(1[89]|[2-9][0-9]|[0-9]{3,}) should be 0x[0-9a-f]+ but was 0x[0-9a-f]+$' "$W/es.out" ||
   ! grep -Eq $'^#16\t([0-9a-f]+ ){32}$' "$W/es.out"; then
    lab_fail "wrong-data: no wrong data byte report and dump in echoscan's output:"; sed 's/^/    /' "$W/es.out" >&2
elif grep -Eq '^wrong data byte #1[67] ' "$W/es.out"; then
    lab_fail "wrong-data: echoscan reported its own stamp bytes 16-17: $(grep -m1 '^wrong' "$W/es.out")"
elif ! diff <(shapes "$W/ip.out") <(shapes "$W/es.out") >"$W/diff"; then
    lab_fail "wrong-data: kinds of lines differ (< iputils, > echoscan, numbers masked):"; sed 's/^/    /' "$W/diff" >&2
else
    echo "ok   wrong-data: ping -e 4321 -s 1000 -c 10 -i 0.05 $corrupt: $(grep -c '^wrong data byte' "$W/es.out") reports, iputils' kinds of lines"
fi

# reply names: HOST given as a name (iputils then looks up every reply's address; -n does not)
printf '%s host-live.lab.test\n198.19.0.2 gw.lab.test\n' "$live" >"$W/hosts"
chmod 644 "$W/hosts"
CMP_PRE=(unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' names "$W/hosts")
compare names "^64 bytes from host-live\\.lab\\.test \\($live\\): icmp_seq=2" -- -c 2 -i 0.2 host-live.lab.test
compare names-n "^64 bytes from $live: icmp_seq=2" -- -n -c 2 -i 0.2 host-live.lab.test
compare names-rr "^RR: .(host-live|gw)\\.lab\\.test|^RR: .198" -- -R -c 2 -i 0.2 host-live.lab.test
compare names-flood "2 received" -- -l 2 -c 2 -i 0.2 host-live.lab.test
CMP_PRE=()

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
compare nobody-size-0 "^8 bytes from $live: icmp_seq=2 ttl=64$" "${NOBODY[@]}" -- -s 0 -c 2 -i 0.2 "$live"
compare nobody-size-65507 "^65515 bytes from" "${NOBODY[@]}" -- -s 65507 -c 2 -i 0.2 "$live"
compare nobody-record-route "\\(same route\\)" "${NOBODY[@]}" -- -R -c 2 -i 0.2 "$live"
compare nobody-timestamps "^TS: " "${NOBODY[@]}" -- -T tsonly -c 2 -i 0.2 "$live"
compare nobody-preload "3 received" "${NOBODY[@]}" -- -l 3 -c 3 "$live"
compare nobody-adaptive "ipg/ewma" "${NOBODY[@]}" -- -A -c 5 "$live"
compare nobody-ident "icmp_seq=2 ident=77 ttl" "${NOBODY[@]}" -- -e 77 -v -c 2 -i 0.2 "$live"
CMP_STDERR=1 CMP_IP_AS=1
compare nobody-mtu-do "\\+2 errors" "${NOBODY[@]}" -- -M do -s 1473 -c 2 -i 0.2 "$live"
compare nobody-broadcast "^64 bytes from 198\\.19\\.0\\.2: icmp_seq=2" "${NOBODY[@]}" -- -b -c 2 198.19.0.3
compare nobody-mark "1 received" "${NOBODY[@]}" -- -m 5 -c 1 "$live"
CMP_STDERR=0 CMP_IP_AS=0
# iputils' refusals for users
nobody_badarg() {
    local save=("${CMP_PRE[@]}")
    CMP_PRE=("${NOBODY[@]}") BADARG_LINE='$'
    badarg "$@"
    CMP_PRE=("${save[@]}") BADARG_LINE=1
}
nobody_badarg nobody-preload-4 -l 4 -c 1 "$live"
nobody_badarg nobody-broadcast-fast -b -i 0.2 -c 1 198.19.0.3
nobody_badarg nobody-flood -f -c 1 "$live"
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
sleep 1.3    # between two probes (sent every 0.2 s from ~0.05 s): not racing a send
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
