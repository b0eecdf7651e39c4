#!/bin/bash
# test_onlink: a sweep of the subnet the scanner sits on (the LAN case). The scanner holds
# 198.18.5.1/24 on its veth, the target namespace 60 addresses of that /24 (3 of them answer ARP
# only), and nobody has static neighbours, so echoscan must resolve every target by ARP itself:
#  - `echoscan -O text 198.18.5.0/24` lists exactly the hosts that answer echo plus 198.18.5.1
#    (the scanner's own address, which the kernel answers), and the scanner's kernel neighbour
#    table is the same before and after (echoscan writes nothing into it);
#  - `--all -O csv -f saddr,classification,mac` gives each host that answers echo as echoreply and
#    each ARP-only host as arp, all with the target's MAC;
#  - fping -a -g and nmap -sn on the same lab agree with the ground truth (this proves the lab:
#    nmap pings on-link hosts by ARP, so it lists the ARP-only hosts too);
#  - after fping has filled the kernel's neighbour table, a second sweep (which may use the
#    kernel's entries) still lists exactly the live set.
# Wall times of the three tools are printed for the record (not judged: the machine is shared).
. "$(dirname "$0")/lab.sh"
N=es-onlink$$
lab_trap "$N"
lab_up_onlink "$N" --prefix 198.18.5.0/24 --scanner 198.18.5.1 --hosts 60 --arp-only 3 --seed 5 || exit 1
D=$LAB_DIR
cat "$D/live.txt" "$D/arponly.txt" >"$D/arp_all.txt"
echo "lab: $LAB_NLIVE live (with 198.18.5.1), $LAB_NARPONLY ARP-only, target MAC $LAB_TMAC"

neigh() { lab_exec_s ip -4 neigh show | awk '{print $1, $2, $3, $4, $5}' | sort; }
neigh >"$D/neigh.before"
[ -s "$D/neigh.before" ] && lab_fail "precondition: the scanner's neighbour table is not empty: $(paste -sd';' "$D/neigh.before")"

# 1. the sweep, with an empty neighbour table
t0=$(lab_now)
lab_scan 40 -q -O text 198.18.5.0/24 >"$D/es.txt" 2>"$D/es.err"
rc=$?
echo "echoscan -O text 198.18.5.0/24: $(lab_since "$t0") s, exit $rc, $(wc -l <"$D/es.txt") hosts"
[ $rc = 0 ] || { lab_fail "echoscan -O text 198.18.5.0/24: exit $rc, expected 0"; sed 's/^/  /' "$D/es.err" >&2; }
lab_cmp_sets "echoscan -O text 198.18.5.0/24" "$D/live.txt" "$D/es.txt" || LAB_FAILED=1
neigh >"$D/neigh.after"
if ! cmp -s "$D/neigh.before" "$D/neigh.after"; then
    lab_fail "the scanner's kernel neighbour table changed during the echoscan sweep:"
    diff "$D/neigh.before" "$D/neigh.after" | sed 's/^/  /' >&2
fi

# 2. --all: echo replies and ARP-only hosts, with their MAC
lab_scan 40 -q --all -O csv -f saddr,classification,mac 198.18.5.0/24 >"$D/all.csv" 2>"$D/all.err"
rc=$?
[ $rc = 0 ] || { lab_fail "echoscan --all: exit $rc, expected 0"; sed 's/^/  /' "$D/all.err" >&2; }
python3 - "$D/all.csv" "$D/hosts.txt" "$D/arponly.txt" "$LAB_SCANNER" "$LAB_TMAC" <<'PY' ||
import csv, sys
path, hosts, arponly, me, tmac = sys.argv[1:6]
hosts = set(open(hosts).read().split()); arponly = set(open(arponly).read().split())
rows = list(csv.DictReader(open(path)))
bad = 0
echo = {r["saddr"] for r in rows if r["classification"] == "echoreply"}
arp = {r["saddr"] for r in rows if r["classification"] == "arp"}
other = [r for r in rows if r["classification"] not in ("echoreply", "arp")]
if echo != hosts | {me}:
    print("--all: echoreply from %d hosts, expected %d (missing %s, extra %s)" % (len(echo), len(hosts) + 1,
          sorted(hosts | {me} - echo)[:5], sorted(echo - hosts - {me})[:5]), file=sys.stderr); bad = 1
if arp != arponly:
    print("--all: arp rows for %s, expected %s" % (sorted(arp), sorted(arponly)), file=sys.stderr); bad = 1
if other:
    print("--all: unexpected rows %s" % other[:3], file=sys.stderr); bad = 1
wrong = [r for r in rows if r["saddr"] != me and r["mac"].lower() != tmac.lower()]
if wrong:
    print("--all: %d rows without the target's MAC %s, e.g. %s" % (len(wrong), tmac, wrong[:3]), file=sys.stderr); bad = 1
print("--all: %d rows, %d echoreply, %d arp" % (len(rows), len(echo), len(arp)))
sys.exit(bad)
PY
    lab_fail "echoscan --all -O csv -f saddr,classification,mac: see above"
neigh >"$D/neigh.after2"
cmp -s "$D/neigh.before" "$D/neigh.after2" ||
    lab_fail "the scanner's kernel neighbour table changed during echoscan --all: $(diff "$D/neigh.before" "$D/neigh.after2" | grep '^>' | head -3 | paste -sd';')"

# 3. the lab itself, seen by fping and nmap (these fill the kernel's neighbour table)
t0=$(lab_now)
lab_exec_s fping -a -g 198.18.5.0/24 >"$D/fping.txt" 2>/dev/null
echo "fping -a -g 198.18.5.0/24: $(lab_since "$t0") s, $(wc -l <"$D/fping.txt") hosts"
lab_cmp_sets "fping -a -g 198.18.5.0/24" "$D/live.txt" "$D/fping.txt" || LAB_FAILED=1
t0=$(lab_now)
lab_exec_s nmap -sn -n 198.18.5.0/24 -oG - >"$D/nmap.txt" 2>&1
awk '/Status: Up/ {print $2}' "$D/nmap.txt" >"$D/nmap.up"
echo "nmap -sn -n 198.18.5.0/24: $(lab_since "$t0") s, $(wc -l <"$D/nmap.up") hosts"
lab_cmp_sets "nmap -sn -n 198.18.5.0/24 (ARP ping: ARP-only hosts count)" "$D/arp_all.txt" "$D/nmap.up" || LAB_FAILED=1

# 4. again, now that the kernel knows the hosts (echoscan may take their MACs from its table)
echo "kernel neighbour entries with a MAC now: $(lab_exec_s ip -4 neigh show | grep -c lladdr)"
lab_scan 40 -q -O text 198.18.5.0/24 >"$D/es2.txt" 2>"$D/es2.err"
rc=$?
[ $rc = 0 ] || { lab_fail "second sweep: exit $rc, expected 0"; sed 's/^/  /' "$D/es2.err" >&2; }
lab_cmp_sets "echoscan -O text 198.18.5.0/24 with a filled neighbour table" "$D/live.txt" "$D/es2.txt" || LAB_FAILED=1
exit $LAB_FAILED
