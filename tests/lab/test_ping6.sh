#!/bin/bash
# test_ping6: `echoscan ping -6` prints what iputils `ping -6` prints (times masked) and exits the
# same. The target namespace answers 2001:db8:1::/120 (lab_add_v6: live, addr-unreachable and
# silent addresses) and routes 2001:db8:2::/64 into a dummy link with a 1280-byte MTU (packet too
# big; hop limit 1 gives time exceeded), 2001:db8:3::/64 to an unreachable route (no route) and
# 2001:db8:4::/64 to a prohibit route (administratively prohibited); nft rejects six more
# addresses with each ICMPv6 reject type nft has (codes 0, 1, 3, 4, 5, 6). Compared as root (the
# raw ICMPv6 socket: ping_group_range closed) and as nobody through the ICMPv6 datagram socket
# (ping_group_range opened in the scanner namespace): a live host, each error, a silent host, ::1,
# the header and statistics lines, -t/-Q/-s/-p/-I, as root also -f -l -A -v -e -O -C -d -L -r -m -S
# (and -b -R, ignored for IPv6 as iputils ignores them), names from a hosts file (one name with A and
# AAAA records: without -4/-6 both pick the first getaddrinfo answer), and the refusals
# (-4 with an IPv6 HOST, -6 with an IPv4 one, -4 -6 together).
. "$(dirname "$0")/lab.sh"
N=es-p6$$
lab_trap "$N"
command -v ping >/dev/null || { echo "iputils ping not installed (apt-get install iputils-ping)"; exit "$LAB_SKIP"; }
command -v setpriv >/dev/null || { echo "setpriv not installed (util-linux)"; exit "$LAB_SKIP"; }
lab_up "$N" --prefix 198.18.9.0/24 --live-frac 0.5 --unreach-frac 0 --seed 4 || exit 1
lab_add_v6 --prefix 2001:db8:1::/120 --live-frac 0.4 --unreach-frac 0.1 --seed 8 || exit 1

# routed error makers in the target namespace (forwarding on; its ICMPv6 errors unlimited)
if ! {
    lab_exec_t sysctl -qw net.ipv6.conf.all.forwarding=1 &&
    ip -n "$LAB_T" link add dum6 type veth peer name dum6b && ip -n "$LAB_T" link set dum6 mtu 1280 up &&
    ip -n "$LAB_T" link set dum6b up &&
    ip -n "$LAB_T" -6 route add 2001:db8:2::/64 dev dum6 &&
    ip -n "$LAB_T" -6 route add unreachable 2001:db8:3::/64 &&
    ip -n "$LAB_T" -6 route add prohibit 2001:db8:4::/64 &&
    for p in 2 3 4; do ip -n "$LAB_S" -6 route add 2001:db8:$p::/64 via 2001:db8::1 dev ves || exit 1; done
} 2>"$LAB_DIR/err6"; then
    lab_fail "routed IPv6 setup: $(cat "$LAB_DIR/err6")"; exit 1
fi
live=$(sed -n 1p "$LAB_DIR/live6.txt") unr=$(sed -n 1p "$LAB_DIR/unreach6.txt")
silent=$(sed -n 1p "$LAB_DIR/silent6.txt")
mapfile -t rej < <(sed -n 2,7p "$LAB_DIR/silent6.txt")
# before the lab's own chain (priority 0), which would drop these silent addresses
cat >"$LAB_DIR/rej6.nft" <<EOF
table inet rej6 {
  chain input {
    type filter hook input priority -10; policy accept;
    ip6 daddr ${rej[0]} icmpv6 type echo-request reject with icmpv6 type no-route
    ip6 daddr ${rej[1]} icmpv6 type echo-request reject with icmpv6 type admin-prohibited
    ip6 daddr ${rej[2]} icmpv6 type echo-request reject with icmpv6 type addr-unreachable
    ip6 daddr ${rej[3]} icmpv6 type echo-request reject with icmpv6 type port-unreachable
    ip6 daddr ${rej[4]} icmpv6 type echo-request reject with icmpv6 type policy-fail
    ip6 daddr ${rej[5]} icmpv6 type echo-request reject with icmpv6 type reject-route
  }
}
EOF
lab_exec_t nft -f "$LAB_DIR/rej6.nft" || { lab_fail "nft reject rules"; exit 1; }
echo "live $live, unreachable $unr, silent $silent, rejected ${rej[*]}"

cp "$ECHOSCAN" "$LAB_DIR/echoscan" && chmod 755 "$LAB_DIR/echoscan"
ES=$LAB_DIR/echoscan
W=$LAB_DIR/ping6
mkdir -p "$W"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
. "$(dirname "$0")/ping_cmp.sh"
# the path MTU learnt from a packet too big lasts: forget it before every run
FLUSH=(sh -c 'ip -6 route flush cache >/dev/null 2>&1; exec "$@"' flush)

# runs LABEL-PREFIX AS...: the comparisons of one privilege level
runs() {
    local who=$1; shift
    compare "$who live" "^64 bytes from $live: icmp_seq=3 ttl=64 time=" "$@" -- -6 -c 3 -i 0.2 "$live"
    compare "$who live-no-6" "3 received, 0% packet loss" "$@" -- -c 3 -i 0.2 "$live"
    compare "$who options" "^PATTERN: 0xab12$" "$@" -- -6 -c 2 -i 0.2 -s 100 -t 9 -Q 0x20 -p ab12 -I ves "$live"
    compare "$who source" "from 2001:db8::2 : 56 data bytes" "$@" -- -6 -c 2 -i 0.2 -I 2001:db8::2 "$live"
    compare "$who quiet" "^2 packets transmitted, 2 received" "$@" -- -6 -q -c 2 -i 0.2 "$live"
    compare "$who small" "^16 bytes from $live: icmp_seq=2 ttl=64$" "$@" -- -6 -s 8 -c 2 -i 0.2 "$live"
    compare "$who loopback" "^64 bytes from ::1: icmp_seq=2 ttl=64 time=" "$@" -- -6 -c 2 -i 0.2 ::1
    compare "$who addr-unreachable" "icmp_seq=2 Destination unreachable: Address unreachable$" "$@" -- \
        -6 -c 2 -i 0.2 "$unr"
    compare "$who silent" "^3 packets transmitted, 0 received, 100% packet loss" "$@" -- \
        -6 -c 3 -i 0.2 -W 1 "$silent"
    compare "$who deadline" "errors, 100% packet loss" "$@" -- -6 -w 2 -i 0.2 "$unr"
    local i words=("No route" "Administratively prohibited" "Address unreachable"
                   "Port unreachable" "Unknown code 5" "Unknown code 6")
    for i in 0 1 2 3 4 5; do
        compare "$who reject-${words[$i]// /-}" "icmp_seq=2 Destination unreachable: ${words[$i]}$" "$@" -- \
            -6 -c 2 -i 0.2 "${rej[$i]}"
    done
    compare "$who no-route" "^From 2001:db8::1 icmp_seq=1 Destination unreachable: No route$" "$@" -- \
        -6 -c 2 -i 0.2 2001:db8:3::1
    compare "$who prohibit" "icmp_seq=1 Destination unreachable: Administratively prohibited$" "$@" -- \
        -6 -c 2 -i 0.2 2001:db8:4::1
    compare "$who hop-limit" "^From 2001:db8::1 icmp_seq=2 Time exceeded: Hop limit$" "$@" -- \
        -6 -t 1 -c 2 -i 0.2 2001:db8:2::1
    local save=("${CMP_PRE[@]}")
    CMP_PRE=("${FLUSH[@]}")
    compare "$who packet-too-big" "^From 2001:db8::1 icmp_seq=1 Packet too big: mtu=1280$" "$@" -- \
        -6 -s 1400 -c 2 -i 0.2 -W 1 2001:db8:2::1
    CMP_STDERR=1
    compare "$who local-mtu" "^2 packets transmitted, 0 received" "$@" -- \
        -6 -M do -s 1400 -c 2 -i 0.2 -W 1 2001:db8:2::1
    CMP_STDERR=0
    CMP_PRE=("${save[@]}")
}

t0=$(lab_now)
# root: ping_group_range closed (the kernel's default), so both take the raw ICMPv6 socket
lab_exec_s sysctl -qw net.ipv4.ping_group_range="1 0"
runs root
# the kernel-path options over ICMPv6 (the IPv4-only -b and -R are ignored, as iputils does)
compare "root flood" "^200 packets transmitted, 200 received" -- -6 -f -c 200 "$live"
compare "root preload" "^5 packets transmitted, 5 received" -- -6 -l 3 -c 5 -i 0.1 "$live"
compare "root adaptive" "ipg/ewma" -- -6 -A -c 5 "$live"
compare "root verbose-ident" "icmp_seq=2 ident=77 ttl=64" -- -6 -v -e 77 -c 2 -i 0.1 "$live"
compare "root outstanding" "^no answer yet for icmp_seq=1$" -- -6 -O -W 1 -c 2 -i 0.3 "$silent"
compare "root socket-flags" "2 received" -- -6 -C -d -L -r -m 5 -S 9000 -c 2 -i 0.1 "$live"
compare "root ipv4-only-ignored" "2 received" -- -6 -b -R -c 2 -i 0.1 "$live"
# -F: a label the kernel picks (masked: each run gets its own) ...
FLOWMASK=1
compare "root flow label" "^PING $live\\($live\\) , flow 0x[0-9a-f]{5}, 56 data bytes$" -- -6 -F 0 -c 2 -i 0.1 "$live"
FLOWMASK=0
# ... and a given one on the wire (not compared: a label stays taken for seconds after its
# socket closes, so the second of two runs would be refused)
ip netns exec "$LAB_T" tcpdump -Z root --immediate-mode -i vet -n -U -c 2 -w "$W/flow.pcap" \
    "icmp6 and ip6[40] == 128 and ip6[1:2] & 0x0fff == 0x0a2b and ip6[3] == 0x3c" 2>"$W/td.err" &
tpid=$!
for i in $(seq 50); do grep -q "listening on" "$W/td.err" 2>/dev/null && break; sleep 0.1; done
sleep 0.2
lab_exec_s "$ES" ping -6 -F 0xa2b3c -c 2 -i 0.1 "$live" >"$W/flow.out" 2>&1
sleep 0.3; kill "$tpid" 2>/dev/null; wait "$tpid" 2>/dev/null
n=$(tcpdump -r "$W/flow.pcap" -n 2>/dev/null | wc -l)
if [ "$n" = 2 ] && grep -q "^PING $live($live) , flow 0xa2b3c, 56 data bytes$" "$W/flow.out"; then
    echo "ok   -F 0xa2b3c: the header names it, 2 echo requests carry it"
else
    lab_fail "-F 0xa2b3c: $n requests with the label on the wire (want 2); $(head -1 "$W/flow.out")"
fi
# names: host6 has an AAAA record only, both has A and AAAA (getaddrinfo puts 2001:db8::/32 first
# here: RFC 6724 precedence), host4 an A record only
v4=$(sed -n 1p "$LAB_DIR/live.txt")
printf '%s host6.lab.test\n%s both.lab.test\n%s both.lab.test\n%s host4.lab.test\n' \
    "$live" "$live" "$v4" "$v4" >"$W/hosts"
chmod 644 "$W/hosts"
CMP_PRE=(unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' names "$W/hosts")
compare "name AAAA" "^PING host6.lab.test\\(host6.lab.test \\($live\\)\\) 56 data bytes$" -- -c 2 -i 0.2 host6.lab.test
compare "name both" "^64 bytes from host6.lab.test \\($live\\)" -- -c 2 -i 0.2 both.lab.test
# -4: iputils names the host by that answer's canonical name, which only the first answer carries
compare "name both -4" "^64 bytes from both.lab.test \\($v4\\)" -- -4 -c 2 -i 0.2 both.lab.test
compare "name both -6" "^64 bytes from host6.lab.test \\($live\\)" -- -6 -c 2 -i 0.2 both.lab.test
compare "name -n" "^64 bytes from $live: icmp_seq=2" -- -6 -n -c 2 -i 0.2 host6.lab.test
badarg "name -6 of an A-only name" -6 -c 1 host4.lab.test
badarg "name -4 of an AAAA-only name" -4 -c 1 host6.lab.test
CMP_PRE=()
badarg "-4 with an IPv6 HOST" -4 -c 1 "$live"
badarg "-6 with an IPv4 HOST" -6 -c 1 "$v4"
badarg "-4 and -6" -4 -6 -c 1 "$live"
badarg "bad -I address" -I 2001:db8::zz -c 1 "$live"

# a user: the ICMPv6 datagram socket (ping_group_range covers both families); iputils as the
# same user, so both take the datagram socket
lab_exec_s sysctl -qw net.ipv4.ping_group_range="0 2147483647"
CMP_IP_AS=1
runs nobody "${NOBODY[@]}"
CMP_IP_AS=0
# a user with ping_group_range closed: refused, exit 2, the message says what to do
lab_exec_s sysctl -qw net.ipv4.ping_group_range="1 0"
ip netns exec "$LAB_S" "${NOBODY[@]}" "$ES" ping -6 -c 1 "$live" >"$W/np.out" 2>"$W/np.err"
rc=$?
if [ $rc != 2 ] || ! grep -q "ping_group_range" "$W/np.err"; then
    lab_fail "nobody without ping_group_range: exit $rc (want 2), stderr: $(cat "$W/np.err")"
else
    echo "ok   nobody without ping_group_range: exit 2: $(head -1 "$W/np.err")"
fi
echo "took $(lab_since "$t0") s"
exit $LAB_FAILED
