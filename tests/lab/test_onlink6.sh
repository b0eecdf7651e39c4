#!/bin/bash
# test_onlink6: IPv6 sweeps of the LAN the scanner sits on, and IPv6 targets behind several next
# hops in one run. The scanner holds 2001:db8:5::1/64 on its veth; the target namespace holds 40
# addresses of 2001:db8:5::/112 (4 of them drop echo requests with nft: they answer neighbour
# discovery only); the rest of the /112 is silent. Nobody has static neighbours, so echoscan must
# resolve every target by neighbour solicitation itself:
#  - `echoscan -O text 2001:db8:5::/112` lists exactly the hosts that answer echo plus 2001:db8:5::1
#    (the scanner's own address, sent through lo's raw socket, which the kernel answers), and the
#    scanner's kernel neighbour table is the same before and after (echoscan writes nothing into it);
#    ::1 alone answers too;
#  - `--all -O csv -f saddr,classification,mac` gives each of them as echoreply and each ND-only
#    host as arp (IPv4's class for "answered the link layer only"), all with the target's MAC;
#  - an IPv4 /24 on the same LAN and the IPv6 /112 in one run find both live sets;
#  - several next hops: 2001:db8:7::/120 via a gateway on the LAN and 2001:db8:8::/120 via a
#    gateway on a second veth (another interface, another source), with the LAN /112, in one run:
#    exactly the three live sets;
#  - --sender-threads 2 with the two routed /120s and -P 2: exactly 1024 probes counted, each
#    target's two echo requests on the wire exactly once each (tcpdump in the target), the live set;
#  - host names (a hosts file bind-mounted over /etc/hosts in a private mount namespace of the
#    scanner's namespace, nothing outside touched): a name with A and AAAA gives both, -4 the A
#    and -6 the AAAA.
# nmap -6 -sn on the same /112 agrees (its wall time is printed, not judged).
. "$(dirname "$0")/lab.sh"
N=es-onl6$$
lab_trap "$N"
lab_up_onlink "$N" --prefix 198.18.5.0/24 --scanner 198.18.5.1 --hosts 20 --arp-only 2 --seed 5 || exit 1
lab_add_onlink6 --prefix 2001:db8:5::/112 --scanner 2001:db8:5::1 --hosts 40 --nd-only 4 --seed 7 || exit 1
D=$LAB_DIR
{ cat "$D/hosts6.txt"; echo "$LAB_SCANNER6"; } >"$D/live6.txt"
echo "lab: IPv6 $LAB_PREFIX6: $LAB_NHOSTS6 hosts answer echo, $LAB_NNDONLY6 neighbour discovery only; target MAC $LAB_TMAC"

neigh6() { lab_exec_s ip -6 neigh show dev ves | grep '^2001:db8:' | awk '{print $1, $2, $3}' | sort; }
neigh6 >"$D/neigh.before"
[ -s "$D/neigh.before" ] && lab_fail "precondition: the scanner's IPv6 neighbour table is not empty: $(paste -sd';' "$D/neigh.before")"

# 1. the LAN /112, text, with an empty neighbour table
t0=$(lab_now)
lab_scan 60 -q -r 20000 -O text "$LAB_PREFIX6" >"$D/es.txt" 2>"$D/es.err"
rc=$?
echo "echoscan -r 20000 -O text $LAB_PREFIX6: $(lab_since "$t0") s, exit $rc, $(wc -l <"$D/es.txt") hosts"
[ $rc = 0 ] || { lab_fail "exit $rc, expected 0"; sed 's/^/  /' "$D/es.err" >&2; }
lab_cmp_sets "echoscan -O text $LAB_PREFIX6" "$D/live6.txt" "$D/es.txt" || LAB_FAILED=1
neigh6 >"$D/neigh.after"
if ! cmp -s "$D/neigh.before" "$D/neigh.after"; then
    lab_fail "the scanner's IPv6 neighbour table changed during the sweep:"
    diff "$D/neigh.before" "$D/neigh.after" | sed 's/^/  /' >&2
fi

# 2. --all: echo replies and ND-only hosts, with their MAC
lab_scan 60 -q -r 20000 --all -O csv -f saddr,classification,mac "$LAB_PREFIX6" >"$D/all.csv" 2>"$D/all.err"
rc=$?
[ $rc = 0 ] || { lab_fail "--all: exit $rc, expected 0"; sed 's/^/  /' "$D/all.err" >&2; }
python3 - "$D/all.csv" "$D/hosts6.txt" "$D/ndonly6.txt" "$LAB_TMAC" "$LAB_SCANNER6" <<'PY' || lab_fail "--all rows are wrong"
import csv, sys
path, hosts, ndonly, tmac, me = sys.argv[1:6]
hosts = set(open(hosts).read().split()); ndonly = set(open(ndonly).read().split())
rows = list(csv.DictReader(open(path)))
echo = {r["saddr"] for r in rows if r["classification"] == "echoreply"}
nd = [r["saddr"] for r in rows if r["classification"] == "arp"]
bad = 0
if echo != hosts | {me}:
    print("echoreply from %d hosts, expected %d" % (len(echo), len(hosts) + 1), file=sys.stderr); bad = 1
if sorted(nd) != sorted(ndonly):
    print("arp (ND-only) rows %s, expected %s" % (sorted(nd), sorted(ndonly)), file=sys.stderr); bad = 1
other = [r for r in rows if r["classification"] not in ("echoreply", "arp")]
if other:
    print("unexpected rows %s" % other[:3], file=sys.stderr); bad = 1
wrong = [r for r in rows if r["saddr"] != me and r["mac"].lower() != tmac.lower()]
if wrong:
    print("rows without the target's MAC %s: %s" % (tmac, wrong[:3]), file=sys.stderr); bad = 1
sys.exit(bad)
PY

# 3. IPv4 and IPv6 on the same LAN in one run
lab_scan 60 -q -r 20000 -O text "$LAB_PREFIX" "$LAB_PREFIX6" >"$D/mix.txt" 2>"$D/mix.err"
rc=$?
[ $rc = 0 ] || { lab_fail "mixed run: exit $rc"; sed 's/^/  /' "$D/mix.err" >&2; }
grep ':' "$D/mix.txt" >"$D/mix.v6"
grep -v ':' "$D/mix.txt" >"$D/mix.v4"
lab_cmp_sets "mixed LAN run: IPv6" "$D/live6.txt" "$D/mix.v6" || LAB_FAILED=1
lab_cmp_sets "mixed LAN run: IPv4" "$D/live.txt" "$D/mix.v4" || LAB_FAILED=1

# 4. several next hops: a gateway on the LAN, a gateway on a second link (own interface, own source)
S=(ip -n "$LAB_S") T=(ip -n "$LAB_T")
if ! {
    "${S[@]}" link add ves2 type veth peer name vet2 netns "$LAB_T" &&
    ip netns exec "$LAB_S" sysctl -qw net.ipv6.conf.ves2.accept_dad=0 &&
    ip netns exec "$LAB_T" sysctl -qw net.ipv6.conf.vet2.accept_dad=0 &&
    "${S[@]}" link set ves2 up && "${T[@]}" link set vet2 up &&
    "${S[@]}" -6 addr add 2001:db8:9::2/64 dev ves2 nodad &&
    "${T[@]}" -6 addr add 2001:db8:9::1/64 dev vet2 nodad &&
    "${T[@]}" -6 addr add 2001:db8:5::1:1/64 dev vet nodad &&
    "${T[@]}" -6 route add local 2001:db8:7::/124 dev lo &&
    "${T[@]}" -6 route add local 2001:db8:8::/124 dev lo &&
    "${S[@]}" -6 route add 2001:db8:7::/120 via 2001:db8:5::1:1 dev ves &&
    "${S[@]}" -6 route add 2001:db8:8::/120 via 2001:db8:9::1 dev ves2
} 2>"$D/err"; then
    lab_fail "second link setup failed: $(cat "$D/err")"
    exit 1
fi
python3 -c '
import ipaddress
for p in ("2001:db8:7::/124", "2001:db8:8::/124"):
    for a in ipaddress.ip_network(p):
        print(a)' >"$D/routed.txt"
cat "$D/live6.txt" "$D/routed.txt" >"$D/three.txt"
lab_scan 60 -q -r 20000 -O csv -f saddr,daddr "$LAB_PREFIX6" 2001:db8:7::/120 2001:db8:8::/120 \
    >"$D/hops.csv" 2>"$D/hops.err"
rc=$?
[ $rc = 0 ] || { lab_fail "several next hops: exit $rc"; sed 's/^/  /' "$D/hops.err" >&2; }
tail -n +2 "$D/hops.csv" | cut -d, -f1 >"$D/hops.txt"
lab_cmp_sets "LAN /112 + two routed /120s through two gateways" "$D/three.txt" "$D/hops.txt" || LAB_FAILED=1
# each reply came back to the source of its own path
awk -F, 'NR > 1 && (($1 ~ /^2001:db8:8::/) != ($2 == "2001:db8:9::2"))' "$D/hops.csv" | head -3 | grep . &&
    lab_fail "several next hops: a reply to the wrong source (above)"
echo "several next hops: $(wc -l <"$D/hops.txt") hosts ($(grep -c '^2001:db8:8::' "$D/hops.txt") through ves2)"

# ::1 (lo, raw socket) answers as 127.0.0.1 does
[ "$(lab_scan 20 -q -O text ::1 2>"$D/lo.err")" = "::1" ] || { lab_fail "::1 did not answer"; cat "$D/lo.err" >&2; }

# 5. --sender-threads 2 over IPv6: exact probe counts, each probe on the wire once
ip netns exec "$LAB_T" tcpdump -i any -B 16384 -w "$D/st.pcap" -U 'icmp6 and ip6[40] == 128' 2>/dev/null &
tpid=$!
sleep 0.5
lab_scan 60 -r 20000 -P 2 --interval 0 -c 1 -O text --sender-threads 2 2001:db8:7::/120 2001:db8:8::/120 \
    >"$D/st.txt" 2>"$D/st.err"
rc=$?
sleep 0.5; kill "$tpid"; wait "$tpid" 2>/dev/null
[ $rc = 0 ] || { lab_fail "--sender-threads 2: exit $rc"; sed 's/^/  /' "$D/st.err" >&2; }
lab_cmp_sets "--sender-threads 2, IPv6" "$D/routed.txt" "$D/st.txt" || LAB_FAILED=1
s=$(awk -F': ' '/^probes sent:/ {print $2 + 0}' "$D/st.err")
[ "$s" = 1024 ] || lab_fail "--sender-threads 2: probes sent ${s:-?}, expected 1024"
grep -q "2 sender threads" "$D/st.err" || lab_fail "--sender-threads 2: the summary does not say 2 sender threads: $(grep -i thread "$D/st.err")"
tcpdump -r "$D/st.pcap" -n 2>/dev/null | awk '{ for (i = 1; i < NF; i++) if ($i == ">") { sub(/:$/, "", $(i + 1)); print $(i + 1) } }' |
    sort | uniq -c | awk '$1 != 2' >"$D/st.odd"
nwire=$(tcpdump -r "$D/st.pcap" -n 2>/dev/null | wc -l)
echo "--sender-threads 2: probes sent ${s:-?}, $nwire echo requests on the wire"
[ "$nwire" = 1024 ] || lab_fail "--sender-threads 2: $nwire echo requests on the wire, expected 1024"
[ -s "$D/st.odd" ] && lab_fail "--sender-threads 2: targets not probed exactly twice: $(head -3 "$D/st.odd" | paste -sd';')"

# 6. host names: A and AAAA, -4, -6 (a private /etc/hosts inside the scanner's namespace)
h4=$(sed -n 1p "$D/hosts.txt") h6=$(sed -n 1p "$D/hosts6.txt")
printf '127.0.0.1 localhost\n%s dual.lab.invalid\n%s dual.lab.invalid\n' "$h4" "$h6" >"$D/hosts"
chmod 644 "$D/hosts"
names() {
    timeout -k 2 30 ip netns exec "$LAB_S" unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' \
        sh "$D/hosts" "$ECHOSCAN" -q -O text "$@"
}
[ "$(names dual.lab.invalid 2>"$D/n.err" | sort | paste -sd' ')" = "$(printf '%s\n%s\n' "$h4" "$h6" | sort | paste -sd' ')" ] ||
    lab_fail "a name with A and AAAA: not both found: $(cat "$D/n.err")"
[ "$(names -4 dual.lab.invalid 2>>"$D/n.err")" = "$h4" ] || lab_fail "-4 name: not the A address alone"
[ "$(names -6 dual.lab.invalid 2>>"$D/n.err")" = "$h6" ] || lab_fail "-6 name: not the AAAA address alone"
grep -q dual.lab.invalid /etc/hosts && lab_fail "the machine's /etc/hosts names dual.lab.invalid"
echo "names: dual.lab.invalid -> $h4 and $h6"

# 7. nmap -6 -sn agrees (ND-only hosts are up for nmap: it pings on-link hosts by neighbour
#    discovery)
if command -v nmap >/dev/null; then
    t0=$(lab_now)
    timeout 120 ip netns exec "$LAB_S" nmap -6 -n -sn -T5 --min-rate 20000 -oG - "$LAB_PREFIX6" 2>/dev/null |
        awk '/Status: Up/ {print $2}' >"$D/nmap.txt"
    echo "nmap -6 -n -sn -T5 --min-rate 20000 $LAB_PREFIX6: $(lab_since "$t0") s, $(wc -l <"$D/nmap.txt") up"
    cat "$D/live6.txt" "$D/ndonly6.txt" >"$D/nd_all.txt"
    lab_cmp_sets "nmap -6 -sn (lab check)" "$D/nd_all.txt" "$D/nmap.txt" || LAB_FAILED=1
fi
exit $LAB_FAILED
