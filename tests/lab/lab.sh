# shellcheck shell=bash
# tests/lab/lab.sh — a network lab in namespaces for echoscan's integration tests (source it).
#
# Every packet stays inside the namespaces created here; only 198.18.0.0/15 addresses are used.
#
#   lab_up NAME [--live-frac F] [--unreach-frac F] [--seed S] [--prefix 198.18.0.0/16]
#              [--dynamic-neigh]
#       Creates namespaces NAME-s (scanner) and NAME-t (target), linked by a veth pair:
#       scanner "ves" 198.19.0.1/30 <-> target "vet" 198.19.0.2/30; lo up in both.
#       The target answers for the whole PREFIX (`ip route add local PREFIX dev lo`), with
#       net.ipv4.icmp_ratelimit=0, icmp_ratemask=0, icmp_echo_ignore_broadcasts=0 (so .0 and
#       .255 answer like any host). The scanner routes PREFIX via 198.19.0.2.
#       Ground truth, chosen deterministically from the seed (default 1): a live set (default
#       0.20 of the prefix), an unreachable set (default 0.02) and the rest silent; written to
#       $LAB_DIR/live.txt and $LAB_DIR/unreach.txt (numerically sorted, one address per line).
#       nftables in the target (table inet lab, chain input, priority 0):
#           ip daddr @live accept
#           ip daddr @unreach reject with icmp type host-unreachable
#           ip daddr PREFIX drop
#       With --live-frac 1 there is no nft table at all (everything answers).
#       Both sides get a permanent neighbour entry for each other (no ARP needed);
#       --dynamic-neigh leaves neighbour resolution to the kernel (and to echoscan).
#       Exports LAB_NAME, LAB_S=NAME-s, LAB_T=NAME-t, LAB_DIR (a temp dir, mode 755),
#       LAB_PREFIX, LAB_NLIVE, LAB_NUNREACH. Returns non-zero (after cleaning up) on failure.
#       NAME must be unique per run: put $$ in it.
#
#   lab_up_onlink NAME [--prefix 198.18.5.0/24] [--scanner 198.18.5.1] [--hosts N] [--seed S]
#                     [--arp-only K]
#       An on-link LAN: the scanner sits ON the target subnet, with no static neighbours, so every
#       target needs ARP. Namespaces NAME-s and NAME-t, linked by a veth pair ves <-> vet (IPv6
#       off in both, lo up in both). The scanner's ves holds SCANNER/len(PREFIX) (default
#       198.18.5.1/24). The target's vet holds N (default 60) addresses of PREFIX, chosen
#       deterministically from the seed (default 1) among the host addresses other than the
#       scanner's (never the network or broadcast address), each added with `ip addr add A/len`,
#       so the target's kernel answers ARP and echo for each of them itself. K of those (default
#       0, also from the seed) answer ARP but not echo: nft (table inet labon, priority 0) drops
#       echo requests to them. net.ipv4.icmp_ratelimit=0 and icmp_ratemask=0 in the target; its
#       ARP entries are not re-probed for 300 s (neigh.vet.delay_first_probe_time), so within a
#       test the target never sends ARP requests of its own to the scanner (the kernel would
#       otherwise add the target to the scanner's neighbour table 5 s after the first reply).
#       Ground truth (numerically sorted, one address per line) in LAB_DIR:
#           live.txt      the hosts that answer echo, PLUS the scanner's own address (the kernel
#                         answers it; fping and nmap list it)
#           hosts.txt     the target's addresses that answer echo (live.txt without SCANNER)
#           arponly.txt   the K addresses that answer ARP only (empty file when K is 0)
#       Exports LAB_NAME, LAB_S, LAB_T, LAB_DIR, LAB_PREFIX, LAB_SCANNER, LAB_NLIVE (lines of
#       live.txt), LAB_NARPONLY, LAB_SMAC (ves) and LAB_TMAC (vet: the MAC every target answers
#       with). lab_down/lab_trap clean it up as for lab_up.
#
#   lab_add_routed [--prefix 198.18.6.0/24] [--live-frac F] [--seed S]      (after lab_up_onlink)
#       A routed subnet behind the target, for mixed-route runs: the target answers for PREFIX
#       (`ip route add local PREFIX dev lo`) and drops echo requests to all but a live subset
#       (fraction F, default 0.25, chosen from the seed, default 2; nft table inet labrt). The
#       gateway is 198.19.0.2/32 on vet (outside every scanned range); the scanner has a
#       permanent neighbour entry for it and `PREFIX via 198.19.0.2 dev ves onlink`.
#       Ground truth: $LAB_DIR/routed_live.txt. Exports LAB_ROUTED_PREFIX, LAB_ROUTED_NLIVE,
#       LAB_ROUTED_GW=198.19.0.2. The scanner's lo (127.0.0.1) is up as well: together with
#       live.txt this gives three routes (loopback, on-link, routed) with known answers.
#
#   lab_up_chain NAME [--routers N] [--silent-router K] [--prefix 198.18.0.0/24] [--live-frac F]
#                [--unreach-frac F] [--seed S]
#       A routed path for traceroute: scanner NAME-s, routers NAME-r1..NAME-rN (default 5) and the
#       target NAME-t in a chain of veth links; link i (0..N) is 198.19.(10+i).0/30, its left end .1
#       and its right end .2 (scanner ves 198.19.10.1; router i: "left" 198.19.(9+i).2,
#       "right" 198.19.(10+i).1; target vet 198.19.(10+N).2). Routers forward (ip_forward=1, rp_filter 0,
#       icmp_ratelimit 0, icmp_ratemask 0) and route PREFIX to the right, 198.19.10.0/24 to the left.
#       Router K (default 3; 0 = none) never sends time-exceeded (nft table inet labchain drops its
#       outgoing ICMP time-exceeded). The target answers for PREFIX as with lab_up (live, unreachable
#       and silent sets from the seed, same nft rules), at distance N+1 hops.
#       Exports LAB_S, LAB_T, LAB_DIR, LAB_PREFIX, LAB_NLIVE, LAB_NUNREACH as lab_up, LAB_NROUTERS,
#       LAB_SILENT_ROUTER, LAB_ROUTERS (the address router i answers from, its "left" address, in hop
#       order, space-separated) and LAB_DIST (N+1). lab_down NAME removes every namespace.
#
#   lab_add_chain6 [--prefix 2001:db8:1::/112] [--live-frac F] [--unreach-frac F] [--seed S]
#                                                                       (after lab_up_chain)
#       IPv6 along the chain: link i is 2001:db8:ff:i::/64 (left ::1, right ::2), routers forward,
#       router K drops its ICMPv6 time exceeded too; live6/unreach6/silent6 sets as lab_add_v6.
#       Exports LAB_ROUTERS6 (router i's 2001:db8:ff:<i-1>::2, in hop order), LAB_PREFIX6,
#       LAB_NLIVE6, LAB_NUNREACH6.
#
#   lab_add_v6 [--prefix 2001:db8:1::/112] [--live-frac F] [--unreach-frac F] [--seed S]
#                                                                             (after lab_up)
#       IPv6 on the same veth pair: scanner ves 2001:db8::2/64, target vet 2001:db8::1/64 (both
#       nodad, so usable at once); the target answers for the whole PREFIX (`ip -6 route add local
#       PREFIX dev lo`, net.ipv6.icmp.ratelimit=0), the scanner routes PREFIX via 2001:db8::1.
#       Neighbour discovery is left dynamic (no static entries). Ground truth from the seed
#       (default 3): a live set (default 0.20 of PREFIX), an unreachable set (default 0.02), the
#       rest silent, in $LAB_DIR/live6.txt and unreach6.txt (RFC 5952 text, numeric order) and
#       silent6.txt; nftables in the target (table inet lab6, priority 0): ip6 daddr @live6
#       accept, @unreach6 reject with icmpv6 type addr-unreachable, PREFIX drop. Only
#       2001:db8::/32 is used. Exports LAB_PREFIX6, LAB_NLIVE6, LAB_NUNREACH6, LAB_GW6=2001:db8::1.
#
#   lab_down [NAME]       Stops helpers, deletes both namespaces and LAB_DIR. Safe to call twice.
#   lab_trap NAME         trap: lab_down NAME on EXIT, and exit on INT (130) / TERM (143).
#   lab_exec_s CMD...     ip netns exec "$LAB_S" CMD...   (the scanner namespace)
#   lab_exec_t CMD...     ip netns exec "$LAB_T" CMD...   (the target namespace)
#   lab_ok                true when we are root and can create network namespaces (else prints why).
#
#   lab_add_netem_host ADDR "netem args"
#       Replies from ADDR leave through netem on the target's egress (vet): a prio qdisc
#       (8 bands, priomap all to band 1) as root, and per call one band 1:4, 1:5, ... (at most 5
#       calls) with a netem qdisc (handles 40:, 50:, ...) and a u32 filter `match ip src ADDR/32`.
#       If the kernel lacks sch_prio or sch_netem (this lab machine's kernel does), a userspace
#       emulator takes over for echo replies: nft (table inet labemu, priority -10) drops the
#       echo requests to ADDR before the kernel answers, and a python3 helper in the target
#       namespace reads them from a packet socket on vet and sends the replies itself after
#       applying the netem-style arguments it understands: delay TIME [JITTER], loss P%,
#       duplicate P%, corrupt P% (flips one bit of the ICMP message). Other arguments: fails with
#       a message. Only echo requests are emulated (not ICMP errors). The helper's stdin and stdout
#       are /dev/null and its stderr a log in LAB_DIR, so it never holds the caller's pipe.
#       LAB_EMULATED=1 after a call that used the userspace emulator.
#
#   lab_add_ifb
#       A send-only sink in the scanner namespace (for measuring the sender alone): ifb device
#       "ifbsink", up, address 198.19.255.1/32, a permanent neighbour 198.19.128.1 at
#       02:00:00:00:00:01 (no ARP), and `198.19.128.0/17 via 198.19.128.1 dev ifbsink onlink`.
#       Frames sent to 198.19.128.0/17 (with source 198.19.255.1) go out on ifbsink, which drops
#       them at once (ifb frees frames that were not redirected to it by tc; `ip -s link show
#       ifbsink` counts them as RX packets and RX dropped, TX stays 0).
#       Exports LAB_SINK_DEV=ifbsink LAB_SINK_SRC=198.19.255.1 LAB_SINK_NET=198.19.128.0/17.
#
#   lab_add_ifb6                                                      (after lab_add_ifb)
#       The same sink for IPv6: ifbsink gets 2001:db8:fe::1/128 (nodad), a permanent neighbour
#       2001:db8:ff::1 at 02:00:00:00:00:01 and `2001:db8:8000::/96 via 2001:db8:ff::1 dev ifbsink
#       onlink`. Exports LAB_SINK_SRC6=2001:db8:fe::1 LAB_SINK_NET6=2001:db8:8000::/96.
#
#   ECHOSCAN  path of the binary (default: ./echoscan at the repo root), exported absolute.
#   LAB_SKIP=77  exit status a test uses to say "skipped" (run.sh counts it so).
#
# Test helpers:
#   lab_now                  prints the wall clock in seconds (with nanoseconds)
#   lab_since T0             prints seconds elapsed since T0 (2 decimals)
#   lab_fail MSG...          prints "FAIL: MSG" on stderr and sets LAB_FAILED=1
#   lab_cmp_sets LABEL EXPECTED_FILE GOT_FILE
#                            compares two address lists as sets (GOT must not repeat an address);
#                            on a difference prints counts and examples of missing/extra/repeated
#                            addresses and returns 1
#   lab_addrs FILE           prints the first field (up to ',' or blank) of every line that starts
#                            with an IPv4 address (skips CSV headers and other text)
#   lab_sortip               sort filter for IPv4 addresses (numeric by octet)
#   lab_scan SECS ARGS...    runs "$ECHOSCAN ARGS..." in the scanner namespace, killed after SECS
#                            seconds (TERM, then KILL 2 s later; says so on stderr); returns its status
#   lab_api_build NAME [LIBDIR]
#                            builds tests/lab/NAME.c against include/echoscan.h and LIBDIR's
#                            libechoscan.so* (default ${BUILD:-build}, after `make lib` when it has
#                            none), copied into $LAB_DIR/lib, as
#                            $LAB_DIR/NAME; makes LAB_DIR readable by nobody and exports
#                            LD_LIBRARY_PATH=$LAB_DIR/lib; on failure lab_fail and returns 1
#
# Missing kernel features give a clear "lab: ..." message on stderr and a non-zero status.

LAB_SKIP=77
LAB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${ECHOSCAN:=$LAB_ROOT/echoscan}"
case $ECHOSCAN in /*) ;; *) ECHOSCAN=$PWD/$ECHOSCAN ;; esac
export ECHOSCAN LAB_ROOT LAB_SKIP

lab_msg() { echo "lab: $*" >&2; }

lab_ok() {
    if [ "$(id -u)" != 0 ]; then echo "not root (the lab needs root for network namespaces)"; return 1; fi
    local n="eslabprobe$$"
    if ! ip netns add "$n" 2>/dev/null; then echo "cannot create network namespaces (ip netns add failed)"; return 1; fi
    if ! ip -n "$n" link add va type veth peer name vb 2>/dev/null; then
        ip netns del "$n" 2>/dev/null; echo "veth devices not available"; return 1
    fi
    ip netns del "$n" 2>/dev/null
    return 0
}

lab_exec_s() { ip netns exec "$LAB_S" "$@"; }
lab_exec_t() { ip netns exec "$LAB_T" "$@"; }

lab_trap() {
    local name=$1
    # shellcheck disable=SC2064
    trap "lab_down '$name'" EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# lab__gen PREFIX LIVE UNREACH SEED DIR : writes live.txt, unreach.txt, lab.nft; prints "nlive nunreach"
lab__gen() {
    python3 - "$@" <<'PY'
import ipaddress, random, sys
prefix, lf, uf, seed, d = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
net = ipaddress.ip_network(prefix, strict=True)
n = net.num_addresses
nl = int(n * lf + 1e-9)
nu = int(n * uf + 1e-9)
if nl + nu > n:
    sys.exit("lab: live + unreach fractions exceed 1")
rng = random.Random(seed)
pick = rng.sample(range(n), nl + nu)
base = int(net.network_address)
def a(i):
    v = base + i
    return "%d.%d.%d.%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)
live = [a(i) for i in sorted(pick[:nl])]
unr = [a(i) for i in sorted(pick[nl:])]
with open(d + "/live.txt", "w") as f:
    f.write("".join(x + "\n" for x in live))
with open(d + "/unreach.txt", "w") as f:
    f.write("".join(x + "\n" for x in unr))
with open(d + "/lab.nft", "w") as f:
    f.write("table inet lab {\n"
            "  set live { type ipv4_addr; }\n"
            "  set unreach { type ipv4_addr; }\n"
            "  chain input {\n"
            "    type filter hook input priority 0; policy accept;\n"
            "    ip daddr @live accept\n"
            "    ip daddr @unreach reject with icmp type host-unreachable\n"
            "    ip daddr %s drop\n"
            "  }\n"
            "}\n" % prefix)
    for name, lst in (("live", live), ("unreach", unr)):
        for k in range(0, len(lst), 2000):
            f.write("add element inet lab %s { %s }\n" % (name, ", ".join(lst[k:k + 2000])))
print(nl, nu)
PY
}

lab__check_prefix() {
    python3 - "$1" <<'PY'
import ipaddress, sys
try:
    p = ipaddress.ip_network(sys.argv[1], strict=True)
except ValueError as e:
    sys.exit("lab: bad prefix %s: %s (give the network address, e.g. 198.18.0.0/16)" % (sys.argv[1], e))
if p.version != 4 or not p.subnet_of(ipaddress.ip_network("198.18.0.0/15")):
    sys.exit("lab: prefix %s is outside 198.18.0.0/15" % sys.argv[1])
for r in ("198.19.0.0/24", "198.19.128.0/17"):
    if p.overlaps(ipaddress.ip_network(r)):
        sys.exit("lab: prefix %s overlaps %s (used by the lab itself)" % (sys.argv[1], r))
PY
}

lab_up() {
    local name=$1; shift || { lab_msg "usage: lab_up NAME [options]"; return 2; }
    local live=0.20 unreach=0.02 seed=1 prefix=198.18.0.0/16 dyn=0 unreach_set=0
    while [ $# -gt 0 ]; do
        case $1 in
            --live-frac) live=$2; shift 2 ;;
            --unreach-frac) unreach=$2; unreach_set=1; shift 2 ;;
            --seed) seed=$2; shift 2 ;;
            --prefix) prefix=$2; shift 2 ;;
            --dynamic-neigh) dyn=1; shift ;;
            *) lab_msg "lab_up: unknown option $1"; return 2 ;;
        esac
    done
    if [ -z "$name" ]; then lab_msg "lab_up: NAME missing"; return 2; fi
    if [ "$(id -u)" != 0 ]; then lab_msg "needs root (network namespaces)"; return 2; fi
    command -v python3 >/dev/null || { lab_msg "python3 not found"; return 2; }
    lab__check_prefix "$prefix" || return 2
    local all_live=0
    if awk -v f="$live" 'BEGIN{exit !(f >= 1)}'; then
        all_live=1
        [ $unreach_set = 1 ] && awk -v f="$unreach" 'BEGIN{exit !(f > 0)}' &&
            lab_msg "lab_up: --live-frac 1 leaves no room for unreachable hosts; ignoring --unreach-frac"
        unreach=0
    fi
    if ip netns list | awk '{print $1}' | grep -qx -e "$name-s" -e "$name-t"; then
        lab_msg "namespace $name-s or $name-t exists already (choose a unique NAME, e.g. with \$\$)"
        return 2
    fi
    export LAB_NAME=$name LAB_S=$name-s LAB_T=$name-t LAB_PREFIX=$prefix
    LAB_DIR=$(mktemp -d "/tmp/echoscan-lab.$name.XXXXXX") || { lab_msg "mktemp failed"; return 2; }
    chmod 755 "$LAB_DIR"
    export LAB_DIR
    : >"$LAB_DIR/pids"

    # From here on, any failure cleans up.
    if ! ip netns add "$LAB_S" 2>"$LAB_DIR/err"; then
        lab_msg "cannot create network namespace $LAB_S: $(cat "$LAB_DIR/err")"; lab_down "$name"; return 2
    fi
    if ! ip netns add "$LAB_T" 2>"$LAB_DIR/err"; then
        lab_msg "cannot create network namespace $LAB_T: $(cat "$LAB_DIR/err")"; lab_down "$name"; return 2
    fi
    local S=(ip -n "$LAB_S") T=(ip -n "$LAB_T")
    if ! "${S[@]}" link add ves type veth peer name vet netns "$LAB_T" 2>"$LAB_DIR/err"; then
        lab_msg "cannot create a veth pair (veth module?): $(cat "$LAB_DIR/err")"; lab_down "$name"; return 2
    fi
    if ! {
        "${S[@]}" link set lo up &&
        "${T[@]}" link set lo up &&
        "${S[@]}" addr add 198.19.0.1/30 dev ves &&
        "${T[@]}" addr add 198.19.0.2/30 dev vet &&
        "${S[@]}" link set ves up &&
        "${T[@]}" link set vet up &&
        "${T[@]}" route add local "$prefix" dev lo &&
        "${S[@]}" route add "$prefix" via 198.19.0.2 dev ves
    } 2>"$LAB_DIR/err"; then
        lab_msg "network setup failed: $(cat "$LAB_DIR/err")"; lab_down "$name"; return 2
    fi
    if [ $dyn = 0 ]; then
        local smac tmac
        smac=$("${S[@]}" -br link show ves | awk '{print $3}')
        tmac=$("${T[@]}" -br link show vet | awk '{print $3}')
        "${S[@]}" neigh replace 198.19.0.2 lladdr "$tmac" dev ves nud permanent &&
        "${T[@]}" neigh replace 198.19.0.1 lladdr "$smac" dev vet nud permanent ||
            { lab_msg "cannot add neighbour entries"; lab_down "$name"; return 2; }
    fi
    if ! ip netns exec "$LAB_T" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_ratemask=0 \
            net.ipv4.icmp_echo_ignore_broadcasts=0 2>"$LAB_DIR/err"; then
        lab_msg "sysctl in $LAB_T failed: $(cat "$LAB_DIR/err")"; lab_down "$name"; return 2
    fi
    # Not essential (ratemask=0 already bypasses the global ICMP limit), older kernels may lack it.
    ip netns exec "$LAB_T" sysctl -qw net.ipv4.icmp_msgs_per_sec=100000000 2>/dev/null || true

    local counts
    counts=$(lab__gen "$prefix" "$live" "$unreach" "$seed" "$LAB_DIR") || { lab_down "$name"; return 2; }
    export LAB_NLIVE=${counts% *} LAB_NUNREACH=${counts#* }
    if [ $all_live = 0 ]; then
        if ! command -v nft >/dev/null; then lab_msg "nft not found (apt-get install nftables)"; lab_down "$name"; return 2; fi
        if ! ip netns exec "$LAB_T" nft -f "$LAB_DIR/lab.nft" 2>"$LAB_DIR/err"; then
            lab_msg "nftables setup failed (nf_tables/nft_reject in the kernel?): $(head -c 600 "$LAB_DIR/err")"
            lab_down "$name"; return 2
        fi
    fi
    rm -f "$LAB_DIR/err"
    return 0
}

lab_down() {
    local name=${1:-$LAB_NAME} d
    [ -n "$name" ] || return 0
    local dirs=()
    if [ -n "$LAB_DIR" ] && [ -d "$LAB_DIR" ] && [[ $LAB_DIR == /tmp/echoscan-lab."$name".* ]]; then
        dirs+=("$LAB_DIR")
    fi
    for d in /tmp/echoscan-lab."$name".*; do
        [ -d "$d" ] && [[ " ${dirs[*]} " != *" $d "* ]] && dirs+=("$d")
    done
    local p
    for d in "${dirs[@]}"; do
        if [ -f "$d/pids" ]; then
            while read -r p; do
                [ -n "$p" ] && kill "$p" 2>/dev/null
            done <"$d/pids"
            while read -r p; do
                [ -n "$p" ] && for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
            done <"$d/pids"
        fi
    done
    ip netns del "$name-s" 2>/dev/null
    ip netns del "$name-t" 2>/dev/null
    for d in $(ip netns list 2>/dev/null | awk -v n="$name" '$1 ~ ("^" n "-r[0-9]+$") {print $1}'); do
        ip netns del "$d" 2>/dev/null
    done
    for d in "${dirs[@]}"; do rm -rf "$d"; done
    return 0
}

# ---- on-link LAN (ARP) and a routed subnet behind it -------------------------------------------

# lab__onlink_gen PREFIX SCANNER N K SEED DIR : writes hosts.txt, arponly.txt, live.txt
lab__onlink_gen() {
    python3 - "$@" <<'PY'
import ipaddress, random, sys
prefix, scanner, n, k, seed, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
net = ipaddress.ip_network(prefix, strict=True)
me = ipaddress.ip_address(scanner)
if me not in net or me in (net.network_address, net.broadcast_address):
    sys.exit("lab: scanner address %s is not a host address of %s" % (scanner, prefix))
pool = [a for a in net.hosts() if a != me]
if n < 0 or k < 0 or k > n or n > len(pool):
    sys.exit("lab: --hosts %d / --arp-only %d do not fit in %s (at most %d hosts, arp-only <= hosts)" % (n, k, prefix, len(pool)))
rng = random.Random(seed)
pick = rng.sample(pool, n)
arponly = sorted(pick[:k])
echo = sorted(pick[k:])
def w(name, lst):
    with open(d + "/" + name, "w") as f:
        f.write("".join(str(a) + "\n" for a in lst))
w("hosts.txt", echo)
w("arponly.txt", arponly)
w("live.txt", sorted(echo + [me]))
PY
}

lab_up_onlink() {
    local name=$1; shift || { lab_msg "usage: lab_up_onlink NAME [options]"; return 2; }
    local prefix=198.18.5.0/24 scanner=198.18.5.1 hosts=60 seed=1 arponly=0
    while [ $# -gt 0 ]; do
        case $1 in
            --prefix) prefix=$2; shift 2 ;;
            --scanner) scanner=$2; shift 2 ;;
            --hosts) hosts=$2; shift 2 ;;
            --seed) seed=$2; shift 2 ;;
            --arp-only) arponly=$2; shift 2 ;;
            *) lab_msg "lab_up_onlink: unknown option $1"; return 2 ;;
        esac
    done
    if [ -z "$name" ]; then lab_msg "lab_up_onlink: NAME missing"; return 2; fi
    if [ "$(id -u)" != 0 ]; then lab_msg "needs root (network namespaces)"; return 2; fi
    command -v python3 >/dev/null || { lab_msg "python3 not found"; return 2; }
    command -v nft >/dev/null || { lab_msg "nft not found (apt-get install nftables)"; return 2; }
    lab__check_prefix "$prefix" || return 2
    if ip netns list | awk '{print $1}' | grep -qx -e "$name-s" -e "$name-t"; then
        lab_msg "namespace $name-s or $name-t exists already (choose a unique NAME, e.g. with \$\$)"
        return 2
    fi
    export LAB_NAME=$name LAB_S=$name-s LAB_T=$name-t LAB_PREFIX=$prefix LAB_SCANNER=$scanner
    LAB_DIR=$(mktemp -d "/tmp/echoscan-lab.$name.XXXXXX") || { lab_msg "mktemp failed"; return 2; }
    chmod 755 "$LAB_DIR"
    export LAB_DIR
    : >"$LAB_DIR/pids"
    if ! lab__onlink_gen "$prefix" "$scanner" "$hosts" "$arponly" "$seed" "$LAB_DIR"; then
        lab_down "$name"; return 2
    fi
    local len=${prefix#*/}
    local S=(ip -n "$LAB_S") T=(ip -n "$LAB_T")
    if ! { ip netns add "$LAB_S" && ip netns add "$LAB_T"; } 2>"$LAB_DIR/err"; then
        lab_msg "cannot create network namespaces $LAB_S/$LAB_T: $(cat "$LAB_DIR/err")"; lab_down "$name"; return 2
    fi
    if ! "${S[@]}" link add ves type veth peer name vet netns "$LAB_T" 2>"$LAB_DIR/err"; then
        lab_msg "cannot create a veth pair (veth module?): $(cat "$LAB_DIR/err")"; lab_down "$name"; return 2
    fi
    # IPv6 off: no link-local chatter on the capture and nothing in the neighbour tables but ARP.
    local ns
    for ns in "$LAB_S" "$LAB_T"; do
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
    done
    if ! {
        "${S[@]}" link set lo up &&
        "${T[@]}" link set lo up &&
        "${S[@]}" addr add "$scanner/$len" dev ves &&
        "${S[@]}" link set ves up &&
        "${T[@]}" link set vet up
    } 2>"$LAB_DIR/err"; then
        lab_msg "network setup failed: $(cat "$LAB_DIR/err")"; lab_down "$name"; return 2
    fi
    # One `ip -batch` for all the target's addresses (60 `ip` processes take a while on a busy box).
    local a
    while read -r a; do echo "address add $a/$len dev vet"; done \
        < <(cat "$LAB_DIR/hosts.txt" "$LAB_DIR/arponly.txt") >"$LAB_DIR/addrs.batch"
    if [ -s "$LAB_DIR/addrs.batch" ] && ! "${T[@]}" -batch "$LAB_DIR/addrs.batch" 2>"$LAB_DIR/err"; then
        lab_msg "adding the target's addresses failed: $(head -c 600 "$LAB_DIR/err")"; lab_down "$name"; return 2
    fi
    if ! ip netns exec "$LAB_T" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_ratemask=0 \
            net.ipv4.neigh.vet.delay_first_probe_time=300 2>"$LAB_DIR/err"; then
        lab_msg "sysctl in $LAB_T failed: $(cat "$LAB_DIR/err")"; lab_down "$name"; return 2
    fi
    ip netns exec "$LAB_T" sysctl -qw net.ipv4.icmp_msgs_per_sec=100000000 2>/dev/null || true
    if [ -s "$LAB_DIR/arponly.txt" ]; then
        { echo "table inet labon {"
          echo "  set arponly { type ipv4_addr; elements = { $(paste -sd, "$LAB_DIR/arponly.txt") } }"
          echo "  chain input { type filter hook input priority 0; policy accept;"
          echo "    ip daddr @arponly icmp type echo-request drop; }"
          echo "}"; } >"$LAB_DIR/labon.nft"
        if ! ip netns exec "$LAB_T" nft -f "$LAB_DIR/labon.nft" 2>"$LAB_DIR/err"; then
            lab_msg "nftables setup failed (nf_tables in the kernel?): $(head -c 600 "$LAB_DIR/err")"
            lab_down "$name"; return 2
        fi
    fi
    LAB_SMAC=$("${S[@]}" -br link show ves | awk '{print $3}')
    LAB_TMAC=$("${T[@]}" -br link show vet | awk '{print $3}')
    export LAB_SMAC LAB_TMAC
    export LAB_NLIVE=$(wc -l <"$LAB_DIR/live.txt") LAB_NARPONLY=$(wc -l <"$LAB_DIR/arponly.txt")
    rm -f "$LAB_DIR/err"
    return 0
}

lab_add_routed() {
    local prefix=198.18.6.0/24 live=0.25 seed=2
    while [ $# -gt 0 ]; do
        case $1 in
            --prefix) prefix=$2; shift 2 ;;
            --live-frac) live=$2; shift 2 ;;
            --seed) seed=$2; shift 2 ;;
            *) lab_msg "lab_add_routed: unknown option $1"; return 2 ;;
        esac
    done
    if [ -z "$LAB_T" ] || [ -z "$LAB_TMAC" ]; then lab_msg "lab_add_routed: call lab_up_onlink first"; return 2; fi
    lab__check_prefix "$prefix" || return 2
    if python3 -c 'import ipaddress,sys; sys.exit(not ipaddress.ip_network(sys.argv[1]).overlaps(ipaddress.ip_network(sys.argv[2])))' \
            "$prefix" "$LAB_PREFIX"; then
        lab_msg "lab_add_routed: $prefix overlaps the on-link prefix $LAB_PREFIX"; return 2
    fi
    local d="$LAB_DIR/routed"
    mkdir -p "$d" || return 2
    lab__gen "$prefix" "$live" 0 "$seed" "$d" >/dev/null || return 2
    cp "$d/live.txt" "$LAB_DIR/routed_live.txt"
    sed -i 's/^table inet lab /table inet labrt /; s/^add element inet lab /add element inet labrt /' "$d/lab.nft"
    if ! {
        ip -n "$LAB_T" addr add 198.19.0.2/32 dev vet &&
        ip -n "$LAB_T" route add local "$prefix" dev lo &&
        ip -n "$LAB_S" neigh replace 198.19.0.2 lladdr "$LAB_TMAC" dev ves nud permanent &&
        ip -n "$LAB_S" route add "$prefix" via 198.19.0.2 dev ves onlink
    } 2>"$LAB_DIR/err"; then
        lab_msg "routed subnet setup failed: $(cat "$LAB_DIR/err")"; return 2
    fi
    if ! ip netns exec "$LAB_T" nft -f "$d/lab.nft" 2>"$LAB_DIR/err"; then
        lab_msg "nftables setup failed (nf_tables/nft_reject in the kernel?): $(head -c 600 "$LAB_DIR/err")"
        return 2
    fi
    export LAB_ROUTED_PREFIX=$prefix LAB_ROUTED_GW=198.19.0.2
    export LAB_ROUTED_NLIVE=$(wc -l <"$LAB_DIR/routed_live.txt")
    rm -f "$LAB_DIR/err"
    return 0
}

# ---- a chain of routers (traceroute) ------------------------------------------------------------

lab_up_chain() {
    local name=$1; shift || { lab_msg "usage: lab_up_chain NAME [options]"; return 2; }
    local nr=5 silent=3 prefix=198.18.0.0/24 live=0.20 unreach=0.02 seed=1
    while [ $# -gt 0 ]; do
        case $1 in
            --routers) nr=$2; shift 2 ;;
            --silent-router) silent=$2; shift 2 ;;
            --prefix) prefix=$2; shift 2 ;;
            --live-frac) live=$2; shift 2 ;;
            --unreach-frac) unreach=$2; shift 2 ;;
            --seed) seed=$2; shift 2 ;;
            *) lab_msg "lab_up_chain: unknown option $1"; return 2 ;;
        esac
    done
    if [ -z "$name" ]; then lab_msg "lab_up_chain: NAME missing"; return 2; fi
    if [ "$(id -u)" != 0 ]; then lab_msg "needs root (network namespaces)"; return 2; fi
    case $nr in ''|*[!0-9]*) lab_msg "lab_up_chain: --routers $nr: give 1..20"; return 2 ;; esac
    if [ "$nr" -lt 1 ] || [ "$nr" -gt 20 ]; then lab_msg "lab_up_chain: --routers $nr: give 1..20"; return 2; fi
    case $silent in ''|*[!0-9]*) lab_msg "lab_up_chain: --silent-router $silent: give 0..$nr"; return 2 ;; esac
    if [ "$silent" -gt "$nr" ]; then lab_msg "lab_up_chain: --silent-router $silent: give 0..$nr"; return 2; fi
    command -v python3 >/dev/null || { lab_msg "python3 not found"; return 2; }
    command -v nft >/dev/null || { lab_msg "nft not found (apt-get install nftables)"; return 2; }
    lab__check_prefix "$prefix" || return 2
    if ip netns list | awk '{print $1}' | grep -q -e "^$name-[str][0-9]*\$"; then
        lab_msg "namespaces $name-* exist already (choose a unique NAME, e.g. with \$\$)"
        return 2
    fi
    export LAB_NAME=$name LAB_S=$name-s LAB_T=$name-t LAB_PREFIX=$prefix
    LAB_DIR=$(mktemp -d "/tmp/echoscan-lab.$name.XXXXXX") || { lab_msg "mktemp failed"; return 2; }
    chmod 755 "$LAB_DIR"
    export LAB_DIR
    : >"$LAB_DIR/pids"
    local counts
    counts=$(lab__gen "$prefix" "$live" "$unreach" "$seed" "$LAB_DIR") || { lab_down "$name"; return 2; }
    export LAB_NLIVE=${counts% *} LAB_NUNREACH=${counts#* }
    # node 0 is the scanner, 1..nr the routers, nr+1 the target; link i joins node i and i+1
    local nodes=("$LAB_S") i routers=""
    for i in $(seq 1 "$nr"); do nodes+=("$name-r$i"); routers+="${routers:+ }198.19.$((9 + i)).2"; done
    nodes+=("$LAB_T")
    local ns
    for ns in "${nodes[@]}"; do
        if ! ip netns add "$ns" 2>"$LAB_DIR/err"; then
            lab_msg "cannot create network namespace $ns: $(cat "$LAB_DIR/err")"; lab_down "$name"; return 2
        fi
        ip -n "$ns" link set lo up
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1 2>/dev/null || true
        ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_ratemask=0 \
            net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 2>/dev/null || true
        ip netns exec "$ns" sysctl -qw net.ipv4.icmp_msgs_per_sec=100000000 2>/dev/null || true
    done
    # a subshell: a failed step ends it (exit 1), not the caller
    if ! (
        for i in $(seq 0 "$nr"); do
            l=${nodes[$i]} r=${nodes[$((i + 1))]}
            ln=$([ "$i" = 0 ] && echo ves || echo right) rn=$([ "$i" = "$nr" ] && echo vet || echo left)
            ip -n "$l" link add "$ln" type veth peer name "$rn" netns "$r" &&
            ip -n "$l" addr add "198.19.$((10 + i)).1/30" dev "$ln" &&
            ip -n "$r" addr add "198.19.$((10 + i)).2/30" dev "$rn" &&
            ip -n "$l" link set "$ln" up && ip -n "$r" link set "$rn" up || exit 1
        done
        ip -n "$LAB_S" route add "$prefix" via 198.19.10.2 dev ves &&
        for i in $(seq 1 "$nr"); do
            ip netns exec "${nodes[$i]}" sysctl -qw net.ipv4.ip_forward=1 \
                net.ipv4.conf.left.rp_filter=0 net.ipv4.conf.right.rp_filter=0 &&
            ip -n "${nodes[$i]}" route add "$prefix" via "198.19.$((10 + i)).2" dev right || exit 1
            if [ "$i" -gt 1 ]; then
                ip -n "${nodes[$i]}" route add 198.19.10.0/24 via "198.19.$((9 + i)).1" dev left || exit 1
            fi
        done &&
        ip -n "$LAB_T" route add local "$prefix" dev lo &&
        ip -n "$LAB_T" route add 198.19.10.0/24 via "198.19.$((10 + nr)).1" dev vet
    ) 2>"$LAB_DIR/err"; then
        lab_msg "chain network setup failed: $(head -c 600 "$LAB_DIR/err")"; lab_down "$name"; return 2
    fi
    if [ "$silent" -gt 0 ] && ! ip netns exec "$name-r$silent" nft -f - 2>"$LAB_DIR/err" <<'NFT'
table inet labchain {
  chain output { type filter hook output priority 0; policy accept; icmp type time-exceeded drop; }
}
NFT
    then
        lab_msg "nftables setup in $name-r$silent failed: $(head -c 600 "$LAB_DIR/err")"; lab_down "$name"; return 2
    fi
    if awk -v f="$live" 'BEGIN{exit !(f < 1)}' && ! ip netns exec "$LAB_T" nft -f "$LAB_DIR/lab.nft" 2>"$LAB_DIR/err"; then
        lab_msg "nftables setup failed (nf_tables/nft_reject in the kernel?): $(head -c 600 "$LAB_DIR/err")"
        lab_down "$name"; return 2
    fi
    export LAB_NROUTERS=$nr LAB_SILENT_ROUTER=$silent LAB_ROUTERS=$routers LAB_DIST=$((nr + 1))
    rm -f "$LAB_DIR/err"
    return 0
}

# lab_add_chain6 [--prefix P] [--live-frac F] [--unreach-frac U] [--seed S]: after lab_up_chain,
# IPv6 along the same chain: link i (node i to i+1) is 2001:db8:ff:i::/64 (::1 left, ::2 right),
# the routers forward (no ICMPv6 rate limit), the target holds P (a /104 or smaller of
# 2001:db8::/32, default 2001:db8:1::/112) on lo with live6.txt / unreach6.txt as lab_add_v6
# writes them (address unreachable, ICMPv6 code 3), and the silent router drops its ICMPv6 time
# exceeded too. Router i answers from 2001:db8:ff:<i-1>::2 (its left side); exports LAB_ROUTERS6
# (in hop order), LAB_PREFIX6, LAB_NLIVE6, LAB_NUNREACH6.
lab_add_chain6() {
    local prefix=2001:db8:1::/112 live=0.20 unreach=0.02 seed=3
    while [ $# -gt 0 ]; do
        case $1 in
            --prefix) prefix=$2; shift 2 ;;
            --live-frac) live=$2; shift 2 ;;
            --unreach-frac) unreach=$2; shift 2 ;;
            --seed) seed=$2; shift 2 ;;
            *) lab_msg "lab_add_chain6: unknown option $1"; return 2 ;;
        esac
    done
    [ -n "$LAB_NROUTERS" ] && [ -d "$LAB_DIR" ] || { lab_msg "lab_add_chain6: call lab_up_chain first"; return 2; }
    local nr=$LAB_NROUTERS counts i routers6=""
    counts=$(lab__gen6 "$prefix" "$live" "$unreach" "$seed" "$LAB_DIR") || return 2
    local nodes=("$LAB_S")
    for i in $(seq 1 "$nr"); do nodes+=("$LAB_NAME-r$i"); routers6+="${routers6:+ }2001:db8:ff:$([ "$i" = 1 ] || echo "$((i - 1)):"):2"; done
    nodes+=("$LAB_T")
    if ! (
        # no DAD (set before IPv6 comes up): a tentative link-local address
        # would hold up neighbour discovery, and so forwarding, for seconds
        for i in $(seq 0 "$((nr + 1))"); do
            ip netns exec "${nodes[$i]}" sh -c 'for c in /proc/sys/net/ipv6/conf/*; do
                echo 0 >"$c/accept_dad"; done; for c in /proc/sys/net/ipv6/conf/*; do
                echo 0 >"$c/disable_ipv6"; done' &&
            ip netns exec "${nodes[$i]}" sysctl -qw net.ipv6.icmp.ratelimit=0 || exit 1
        done
        for i in $(seq 0 "$nr"); do
            l=${nodes[$i]} r=${nodes[$((i + 1))]}
            ln=$([ "$i" = 0 ] && echo ves || echo right) rn=$([ "$i" = "$nr" ] && echo vet || echo left)
            ip -n "$l" -6 addr add "2001:db8:ff:$i::1/64" dev "$ln" nodad &&
            ip -n "$r" -6 addr add "2001:db8:ff:$i::2/64" dev "$rn" nodad || exit 1
        done
        ip -n "$LAB_S" -6 route add "$prefix" via 2001:db8:ff:0::2 dev ves &&
        for i in $(seq 1 "$nr"); do
            ip netns exec "${nodes[$i]}" sysctl -qw net.ipv6.conf.all.forwarding=1 &&
            ip -n "${nodes[$i]}" -6 route add "$prefix" via "2001:db8:ff:$i::2" dev right || exit 1
            if [ "$i" -gt 1 ]; then
                ip -n "${nodes[$i]}" -6 route add 2001:db8:ff::/48 via "2001:db8:ff:$((i - 1))::1" dev left || exit 1
            fi
        done &&
        ip -n "$LAB_T" -6 route add local "$prefix" dev lo &&
        ip -n "$LAB_T" -6 route add 2001:db8:ff::/48 via "2001:db8:ff:$nr::1" dev vet
    ) 2>"$LAB_DIR/err"; then
        lab_msg "IPv6 chain setup failed (IPv6 in the kernel?): $(head -c 600 "$LAB_DIR/err")"; return 2
    fi
    if [ "$LAB_SILENT_ROUTER" -gt 0 ] && ! ip netns exec "$LAB_NAME-r$LAB_SILENT_ROUTER" nft -f - 2>"$LAB_DIR/err" <<'NFT'
table inet labchain6 {
  chain output { type filter hook output priority 0; policy accept; icmpv6 type time-exceeded drop; }
}
NFT
    then
        lab_msg "nftables IPv6 setup in $LAB_NAME-r$LAB_SILENT_ROUTER failed: $(head -c 600 "$LAB_DIR/err")"; return 2
    fi
    if ! ip netns exec "$LAB_T" nft -f "$LAB_DIR/lab6.nft" 2>"$LAB_DIR/err"; then
        lab_msg "nftables IPv6 setup failed: $(head -c 600 "$LAB_DIR/err")"; return 2
    fi
    rm -f "$LAB_DIR/err"
    export LAB_ROUTERS6=$routers6 LAB_PREFIX6=$prefix LAB_NLIVE6=${counts% *} LAB_NUNREACH6=${counts#* }
    return 0
}

# ---- netem (or its userspace stand-in) ---------------------------------------------------------

lab__emu_py() {
    cat <<'PY'
# Userspace stand-in for netem: answers ICMP echo requests to one address after delay/loss/...
import ctypes, heapq, os, random, select, socket, struct, sys, time
addr, iface, ready = sys.argv[1], sys.argv[2], sys.argv[3]
args = sys.argv[4:]
def ptime(s):
    for suf, m in (("usec", 1e-6), ("msec", 1e-3), ("sec", 1.0), ("us", 1e-6), ("ms", 1e-3), ("s", 1.0)):
        if s.endswith(suf):
            return float(s[:-len(suf)]) * m
    return float(s) * 1e-6          # tc: a bare number is microseconds
def ppct(s):
    return float(s.rstrip("%")) / 100.0
delay = jitter = loss = dup = corrupt = 0.0
i = 0
try:
    while i < len(args):
        a = args[i]
        if a == "delay":
            delay = ptime(args[i + 1]); i += 2
            if i < len(args) and args[i][0].isdigit():
                jitter = ptime(args[i]); i += 1
                if i < len(args) and args[i].endswith("%"):
                    i += 1          # correlation: ignored
        elif a in ("loss", "drop"):
            if args[i + 1] == "random": i += 1
            loss = ppct(args[i + 1]); i += 2
        elif a == "duplicate":
            dup = ppct(args[i + 1]); i += 2
        elif a == "corrupt":
            corrupt = ppct(args[i + 1]); i += 2
        else:
            raise ValueError(a)
except (ValueError, IndexError) as e:
    sys.stderr.write("lab: netem emulator: unsupported netem arguments %r (supported: delay T [J], loss P%%, duplicate P%%, corrupt P%%)\n" % " ".join(args))
    sys.exit(2)
ip = struct.unpack("!I", socket.inet_aton(addr))[0]
ps = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
# BPF: IPv4, ICMP, daddr == addr (IP header options would shift daddr: no options expected)
prog = [(0x28, 0, 0, 12), (0x15, 0, 5, 0x0800), (0x30, 0, 0, 23), (0x15, 0, 3, 1),
        (0x20, 0, 0, 30), (0x15, 0, 1, ip), (0x06, 0, 0, 0x40000), (0x06, 0, 0, 0)]
buf = ctypes.create_string_buffer(b"".join(struct.pack("HBBI", *x) for x in prog))
fprog = struct.pack("HL", len(prog), ctypes.addressof(buf))
ps.setsockopt(socket.SOL_SOCKET, 26, fprog)   # SO_ATTACH_FILTER
ps.bind((iface, 0x0800))
ps.setblocking(False)
while True:                                   # drop what arrived before the filter
    try: ps.recv(65535)
    except BlockingIOError: break
rs = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
open(ready, "w").close()
q = []
seq = 0
while True:
    now = time.monotonic()
    while q and q[0][0] <= now:
        _, _, pkt, dst = heapq.heappop(q)
        try: rs.sendto(pkt, (dst, 0))
        except OSError: pass
        now = time.monotonic()
    tmo = max(0.0, q[0][0] - now) if q else None
    r, _, _ = select.select([ps], [], [], tmo)
    if not r: continue
    while True:
        try: frame, sa = ps.recvfrom(65535)
        except BlockingIOError: break
        t = time.monotonic()
        if sa[2] == 4: continue                 # PACKET_OUTGOING
        p = frame[14:]
        if len(p) < 28 or p[0] >> 4 != 4: continue
        ihl = (p[0] & 15) * 4
        tot = struct.unpack("!H", p[2:4])[0]
        if p[9] != 1 or p[16:20] != socket.inet_aton(addr): continue
        icmp = p[ihl:tot]
        if len(icmp) < 8 or icmp[0] != 8 or icmp[1] != 0: continue
        if random.random() < loss: continue
        rep = bytearray(b"\0\0\0\0" + icmp[4:])
        struct.pack_into("!H", rep, 2, csum(bytes(rep)))
        if random.random() < corrupt:
            bit = random.randrange(len(rep) * 8)
            rep[bit // 8] ^= 1 << (bit % 8)
        src = p[12:16]
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(rep), 0, 0, 64, 1, 0, p[16:20], src)
        out = hdr + bytes(rep)
        dst = socket.inet_ntoa(src)
        n = 2 if random.random() < dup else 1
        for _ in range(n):
            d = delay + (random.uniform(-jitter, jitter) if jitter else 0.0)
            seq += 1
            heapq.heappush(q, (t + max(0.0, d), seq, out, dst))
PY
}

lab__emu_host() {
    local addr=$1 args=$2
    local tbl_ok=1
    if ! ip netns exec "$LAB_T" nft list table inet labemu >/dev/null 2>&1; then
        ip netns exec "$LAB_T" nft -f - <<'NFT' 2>"$LAB_DIR/err" || tbl_ok=0
table inet labemu {
  set emul { type ipv4_addr; }
  chain input { type filter hook input priority -10; policy accept; ip daddr @emul drop; }
}
NFT
    fi
    if [ $tbl_ok = 0 ] || ! ip netns exec "$LAB_T" nft add element inet labemu emul "{ $addr }" 2>>"$LAB_DIR/err"; then
        lab_msg "netem emulator: nftables setup failed: $(cat "$LAB_DIR/err")"; return 2
    fi
    [ -f "$LAB_DIR/emu.py" ] || lab__emu_py >"$LAB_DIR/emu.py"
    local ready="$LAB_DIR/emu.$addr.ready"
    # shellcheck disable=SC2086
    # stdin/stdout not the caller's: a helper that outlives its test (killed with -9) must not keep
    # `bash test.sh | tail` waiting for the end of the pipe
    ip netns exec "$LAB_T" python3 "$LAB_DIR/emu.py" "$addr" vet "$ready" $args \
        </dev/null >/dev/null 2>"$LAB_DIR/emu.$addr.log" &
    echo $! >>"$LAB_DIR/pids"
    for _ in $(seq 100); do
        [ -e "$ready" ] && break
        if ! kill -0 $! 2>/dev/null; then
            cat "$LAB_DIR/emu.$addr.log" >&2; lab_msg "netem emulator for $addr failed"
            ip netns exec "$LAB_T" nft delete element inet labemu emul "{ $addr }" 2>/dev/null
            return 2
        fi
        sleep 0.03
    done
    [ -e "$ready" ] || { lab_msg "netem emulator for $addr did not start"; return 2; }
    LAB_EMULATED=1
    return 0
}

lab_add_netem_host() {
    local addr=$1 args=$2
    if [ -z "$LAB_T" ] || [ -z "$addr" ] || [ -z "$args" ]; then
        lab_msg "usage: lab_add_netem_host ADDR \"netem args\" (after lab_up)"; return 2
    fi
    local nf="$LAB_DIR/netem_bands" n
    n=$(cat "$nf" 2>/dev/null || echo 0)
    if [ "$n" = emu ]; then lab__emu_host "$addr" "$args"; return; fi
    if [ "$n" = 0 ]; then
        if ! ip netns exec "$LAB_T" tc qdisc add dev vet root handle 1: prio bands 8 \
                priomap 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 2>"$LAB_DIR/err"; then
            lab_msg "sch_prio not available ($(head -1 "$LAB_DIR/err")): using the userspace netem emulator"
            echo emu >"$nf"; lab__emu_host "$addr" "$args"; return
        fi
    fi
    if [ "$n" -ge 5 ]; then lab_msg "lab_add_netem_host: at most 5 netem hosts"; return 2; fi
    local band=$((n + 4))
    # shellcheck disable=SC2086
    if ! ip netns exec "$LAB_T" tc qdisc add dev vet parent 1:$band handle ${band}0: netem $args 2>"$LAB_DIR/err"; then
        if [ "$n" = 0 ] && grep -qi "unknown" "$LAB_DIR/err"; then
            ip netns exec "$LAB_T" tc qdisc del dev vet root 2>/dev/null
            lab_msg "sch_netem not available in this kernel: using the userspace netem emulator"
            echo emu >"$nf"; lab__emu_host "$addr" "$args"; return
        fi
        lab_msg "tc netem $args failed: $(cat "$LAB_DIR/err")"; return 2
    fi
    if ! ip netns exec "$LAB_T" tc filter add dev vet parent 1: protocol ip prio 1 u32 \
            match ip src "$addr/32" flowid 1:$band 2>"$LAB_DIR/err"; then
        lab_msg "tc u32 filter failed (cls_u32?): $(cat "$LAB_DIR/err")"; return 2
    fi
    echo $((n + 1)) >"$nf"
    return 0
}

# ---- IPv6 ----------------------------------------------------------------------------------------

# lab__gen6 PREFIX LIVE UNREACH SEED DIR : live6.txt, unreach6.txt, silent6.txt, lab6.nft
lab__gen6() {
    python3 - "$@" <<'PY'
import ipaddress, random, sys
prefix, lf, uf, seed, d = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
net = ipaddress.ip_network(prefix, strict=True)
if net.version != 6 or not net.subnet_of(ipaddress.ip_network("2001:db8::/32")) or net.prefixlen < 104:
    sys.exit("lab: IPv6 prefix %s must lie in 2001:db8::/32 and be /104 or smaller" % prefix)
if net.overlaps(ipaddress.ip_network("2001:db8::/64")):
    sys.exit("lab: IPv6 prefix %s overlaps the lab's link 2001:db8::/64" % prefix)
n = net.num_addresses
nl, nu = int(n * lf + 1e-9), int(n * uf + 1e-9)
rng = random.Random(seed)
pick = rng.sample(range(n), nl + nu)
base = net.network_address
live = sorted(pick[:nl]); unr = sorted(pick[nl:])
taken = set(pick)
a = lambda i: str(base + i)   # ipaddress writes RFC 5952 text
for name, lst in (("live6", live), ("unreach6", unr), ("silent6", [i for i in range(n) if i not in taken])):
    with open(d + "/" + name + ".txt", "w") as f:
        f.write("".join(a(i) + "\n" for i in lst))
with open(d + "/lab6.nft", "w") as f:
    f.write("table inet lab6 {\n"
            "  set live6 { type ipv6_addr; }\n"
            "  set unreach6 { type ipv6_addr; }\n"
            "  chain input {\n"
            "    type filter hook input priority 0; policy accept;\n"
            "    ip6 daddr @live6 accept\n"
            "    ip6 daddr @unreach6 reject with icmpv6 type addr-unreachable\n"
            "    ip6 daddr %s drop\n"
            "  }\n"
            "}\n" % prefix)
    for name, lst in (("live6", live), ("unreach6", unr)):
        for k in range(0, len(lst), 2000):
            f.write("add element inet lab6 %s { %s }\n" % (name, ", ".join(a(i) for i in lst[k:k + 2000])))
print(nl, nu)
PY
}

lab_add_v6() {
    local prefix=2001:db8:1::/112 live=0.20 unreach=0.02 seed=3
    while [ $# -gt 0 ]; do
        case $1 in
            --prefix) prefix=$2; shift 2 ;;
            --live-frac) live=$2; shift 2 ;;
            --unreach-frac) unreach=$2; shift 2 ;;
            --seed) seed=$2; shift 2 ;;
            *) lab_msg "lab_add_v6: unknown option $1"; return 2 ;;
        esac
    done
    [ -n "$LAB_S" ] && [ -d "$LAB_DIR" ] || { lab_msg "lab_add_v6: call lab_up first"; return 2; }
    local counts S=(ip -n "$LAB_S") T=(ip -n "$LAB_T")
    counts=$(lab__gen6 "$prefix" "$live" "$unreach" "$seed" "$LAB_DIR") || return 2
    if ! {
        ip netns exec "$LAB_S" sysctl -qw net.ipv6.conf.ves.disable_ipv6=0 net.ipv6.conf.ves.accept_dad=0 &&
        ip netns exec "$LAB_T" sysctl -qw net.ipv6.conf.vet.disable_ipv6=0 net.ipv6.conf.vet.accept_dad=0 \
            net.ipv6.icmp.ratelimit=0 &&
        "${S[@]}" -6 addr add 2001:db8::2/64 dev ves nodad &&
        "${T[@]}" -6 addr add 2001:db8::1/64 dev vet nodad &&
        "${T[@]}" -6 route add local "$prefix" dev lo &&
        "${S[@]}" -6 route add "$prefix" via 2001:db8::1 dev ves
    } 2>"$LAB_DIR/err"; then
        lab_msg "IPv6 setup failed (IPv6 in the kernel?): $(cat "$LAB_DIR/err")"; return 2
    fi
    if ! ip netns exec "$LAB_T" nft -f "$LAB_DIR/lab6.nft" 2>"$LAB_DIR/err"; then
        lab_msg "nftables IPv6 setup failed: $(head -c 600 "$LAB_DIR/err")"; return 2
    fi
    rm -f "$LAB_DIR/err"
    export LAB_PREFIX6=$prefix LAB_NLIVE6=${counts% *} LAB_NUNREACH6=${counts#* } LAB_GW6=2001:db8::1
    return 0
}

# lab_add_onlink6 [--prefix P] [--scanner A] [--hosts N] [--nd-only K] [--seed S]: after
# lab_up_onlink, an IPv6 LAN on the same veth: the scanner holds A/64 on ves, the target namespace
# N addresses of P (a /104 or smaller in 2001:db8::/32) on vet as /64 (no DAD), K of them
# dropping echo requests (nft: they answer neighbour discovery only), the rest of P silent.
# Neighbour discovery stays dynamic (no static entries); the target waits 300 s before probing
# a stale entry, so it sends nothing of its own during a test. Writes hosts6.txt (answer echo)
# and ndonly6.txt; exports LAB_PREFIX6, LAB_SCANNER6, LAB_NHOSTS6, LAB_NNDONLY6.
lab_add_onlink6() {
    local prefix=2001:db8:5::/112 scanner=2001:db8:5::1 hosts=40 ndonly=4 seed=7
    while [ $# -gt 0 ]; do
        case $1 in
            --prefix) prefix=$2; shift 2 ;;
            --scanner) scanner=$2; shift 2 ;;
            --hosts) hosts=$2; shift 2 ;;
            --nd-only) ndonly=$2; shift 2 ;;
            --seed) seed=$2; shift 2 ;;
            *) lab_msg "lab_add_onlink6: unknown option $1"; return 2 ;;
        esac
    done
    [ -n "$LAB_S" ] && [ -d "$LAB_DIR" ] || { lab_msg "lab_add_onlink6: call lab_up_onlink first"; return 2; }
    python3 - "$prefix" "$scanner" "$hosts" "$ndonly" "$seed" "$LAB_DIR" <<'PY' || return 2
import ipaddress, random, sys
prefix, me, n, k, seed, d = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
net = ipaddress.ip_network(prefix, strict=True)
if net.version != 6 or not net.subnet_of(ipaddress.ip_network("2001:db8::/32")) or net.prefixlen < 104 or net.prefixlen < 64:
    sys.exit("lab: IPv6 prefix %s must lie in 2001:db8::/32 and be /104 or smaller" % prefix)
me = ipaddress.ip_address(me)
if me not in ipaddress.ip_network("%s/64" % net.network_address, strict=False):
    sys.exit("lab: scanner address %s is not in the /64 of %s" % (me, prefix))
rng = random.Random(seed)
size = min(net.num_addresses, 1 << 20)
pick = set()
while len(pick) < n:
    a = net.network_address + rng.randrange(1, size)
    if a != me:
        pick.add(a)
pick = sorted(pick)
rng.shuffle(pick)
nd, echo = sorted(pick[:k]), sorted(pick[k:])
for name, lst in (("hosts6.txt", echo), ("ndonly6.txt", nd)):
    with open(d + "/" + name, "w") as f:
        f.write("".join(str(a) + "\n" for a in lst))
PY
    local S=(ip -n "$LAB_S") T=(ip -n "$LAB_T") a ns
    for ns in "$LAB_S" "$LAB_T"; do
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.lo.disable_ipv6=0 \
            net.ipv6.conf.default.disable_ipv6=0 2>"$LAB_DIR/err" ||
            { lab_msg "enabling IPv6 in $ns failed: $(cat "$LAB_DIR/err")"; return 2; }
    done
    if ! {
        ip netns exec "$LAB_S" sysctl -qw net.ipv6.conf.ves.accept_dad=0 net.ipv6.conf.ves.disable_ipv6=0 &&
        ip netns exec "$LAB_T" sysctl -qw net.ipv6.conf.vet.accept_dad=0 net.ipv6.conf.vet.disable_ipv6=0 \
            net.ipv6.icmp.ratelimit=0 net.ipv6.neigh.vet.delay_first_probe_time=300 &&
        "${S[@]}" -6 addr add "$scanner/64" dev ves nodad
    } 2>"$LAB_DIR/err"; then
        lab_msg "IPv6 LAN setup failed (IPv6 in the kernel?): $(cat "$LAB_DIR/err")"; return 2
    fi
    while read -r a; do echo "address add $a/64 dev vet nodad"; done \
        < <(cat "$LAB_DIR/hosts6.txt" "$LAB_DIR/ndonly6.txt") >"$LAB_DIR/addrs6.batch"
    if [ -s "$LAB_DIR/addrs6.batch" ] && ! "${T[@]}" -batch "$LAB_DIR/addrs6.batch" 2>"$LAB_DIR/err"; then
        lab_msg "adding the target's IPv6 addresses failed: $(head -c 600 "$LAB_DIR/err")"; return 2
    fi
    if [ -s "$LAB_DIR/ndonly6.txt" ]; then
        { echo "table inet labon6 {"
          echo "  set ndonly { type ipv6_addr; elements = { $(paste -sd, "$LAB_DIR/ndonly6.txt") } }"
          echo "  chain input { type filter hook input priority 0; policy accept;"
          echo "    ip6 daddr @ndonly icmpv6 type echo-request drop; }"
          echo "}"; } >"$LAB_DIR/labon6.nft"
        if ! ip netns exec "$LAB_T" nft -f "$LAB_DIR/labon6.nft" 2>"$LAB_DIR/err"; then
            lab_msg "nftables IPv6 setup failed: $(head -c 600 "$LAB_DIR/err")"; return 2
        fi
    fi
    rm -f "$LAB_DIR/err"
    export LAB_PREFIX6=$prefix LAB_SCANNER6=$scanner LAB_NHOSTS6=$(wc -l <"$LAB_DIR/hosts6.txt") \
        LAB_NNDONLY6=$(wc -l <"$LAB_DIR/ndonly6.txt")
    return 0
}

# ---- send-only sink ------------------------------------------------------------------------------

lab_add_ifb() {
    if [ -z "$LAB_S" ]; then lab_msg "lab_add_ifb: call lab_up first"; return 2; fi
    if ! ip -n "$LAB_S" link add ifbsink type ifb 2>"$LAB_DIR/err"; then
        lab_msg "ifb module not available: $(cat "$LAB_DIR/err")"; return 2
    fi
    if ! {
        ip -n "$LAB_S" link set ifbsink up &&
        ip -n "$LAB_S" addr add 198.19.255.1/32 dev ifbsink &&
        ip -n "$LAB_S" neigh replace 198.19.128.1 lladdr 02:00:00:00:00:01 dev ifbsink nud permanent &&
        ip -n "$LAB_S" route add 198.19.128.0/17 via 198.19.128.1 dev ifbsink onlink src 198.19.255.1
    } 2>"$LAB_DIR/err"; then
        lab_msg "ifb sink setup failed: $(cat "$LAB_DIR/err")"; return 2
    fi
    export LAB_SINK_DEV=ifbsink LAB_SINK_SRC=198.19.255.1 LAB_SINK_NET=198.19.128.0/17
    return 0
}

lab_add_ifb6() {
    [ "$LAB_SINK_DEV" = ifbsink ] || { lab_msg "lab_add_ifb6: call lab_add_ifb first"; return 2; }
    if ! {
        ip netns exec "$LAB_S" sysctl -qw net.ipv6.conf.ifbsink.disable_ipv6=0 \
            net.ipv6.conf.ifbsink.accept_dad=0 &&
        ip -n "$LAB_S" -6 addr add 2001:db8:fe::1/128 dev ifbsink nodad &&
        ip -n "$LAB_S" -6 neigh replace 2001:db8:ff::1 lladdr 02:00:00:00:00:01 dev ifbsink nud permanent &&
        ip -n "$LAB_S" -6 route add 2001:db8:8000::/96 via 2001:db8:ff::1 dev ifbsink onlink
    } 2>"$LAB_DIR/err"; then
        lab_msg "IPv6 ifb sink setup failed: $(cat "$LAB_DIR/err")"; return 2
    fi
    export LAB_SINK_SRC6=2001:db8:fe::1 LAB_SINK_NET6=2001:db8:8000::/96
    return 0
}

# ---- test helpers --------------------------------------------------------------------------------

LAB_FAILED=0
lab_now() { date +%s.%N; }
lab_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f\n", b - a}'; }
lab_fail() { echo "FAIL: $*" >&2; LAB_FAILED=1; }
lab_api_build() {
    local lib=${2:-${BUILD:-build}}
    [ -n "${2:-}" ] || [ -e "$lib/libechoscan.so" ] ||
        make --no-print-directory -C "$LAB_ROOT" lib >/dev/null || { lab_fail "make lib failed"; return 1; }
    mkdir -p "$LAB_DIR/lib" && cp -P "$lib"/libechoscan.so* "$LAB_DIR/lib/" &&
        cc -O2 -std=c11 -Wall -Wextra -Werror -I "$LAB_ROOT/include" -o "$LAB_DIR/$1" \
            "$LAB_ROOT/tests/lab/$1.c" -L "$LAB_DIR/lib" -lechoscan -lpthread ||
        { lab_fail "cannot build tests/lab/$1.c against $lib/libechoscan.so"; return 1; }
    chmod -R a+rX "$LAB_DIR"
    export LD_LIBRARY_PATH=$LAB_DIR/lib
}
lab_sortip() { sort -t. -k1,1n -k2,2n -k3,3n -k4,4n "$@"; }
lab_addrs() { awk '/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+([ ,\t]|$)/ { split($0, f, /[ ,\t]/); print f[1] }' "$@"; }

lab_cmp_sets() {
    local label=$1 exp=$2 got=$3 rc=0
    local e g
    e=$(mktemp) g=$(mktemp)
    sort -u "$exp" >"$e"
    sort "$got" >"$g"
    local dups nmiss nextra
    dups=$(uniq -d "$g")
    sort -u -o "$g" "$g"
    nmiss=$(comm -23 "$e" "$g" | wc -l)
    nextra=$(comm -13 "$e" "$g" | wc -l)
    if [ "$nmiss" != 0 ] || [ "$nextra" != 0 ] || [ -n "$dups" ]; then
        rc=1
        echo "$label: expected $(wc -l <"$e") addresses, got $(wc -l <"$g") distinct:" \
             "$nmiss missing, $nextra extra, $(printf '%s' "$dups" | grep -c .) repeated" >&2
        [ "$nmiss" != 0 ] && echo "  missing (first 5): $(comm -23 "$e" "$g" | lab_sortip | head -5 | paste -sd' ')" >&2
        [ "$nextra" != 0 ] && echo "  extra (first 5): $(comm -13 "$e" "$g" | lab_sortip | head -5 | paste -sd' ')" >&2
        [ -n "$dups" ] && echo "  repeated (first 5): $(printf '%s\n' "$dups" | head -5 | paste -sd' ')" >&2
    fi
    rm -f "$e" "$g"
    return $rc
}

lab_scan() {
    local secs=$1 rc; shift
    timeout -k 2 "$secs" ip netns exec "$LAB_S" "$ECHOSCAN" "$@"
    rc=$?
    if [ $rc = 124 ] || [ $rc = 137 ]; then
        echo "lab: echoscan did not exit within $secs s (killed): echoscan $*" >&2
    fi
    return $rc
}
