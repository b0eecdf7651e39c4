#!/bin/bash
# test_ipv6: IPv6 sweeps against a target namespace answering a whole /112 (2001:db8:1::/112, 20%
# live, 2% rejected with address-unreachable, the rest silent; neighbour discovery left to the
# kernel and echoscan): `-O text` lists exactly the live set in RFC 5952 form; --all classifies
# every rejected address as unreach (ICMPv6 type 1 code 3); a 1,000-address hitlist (-iL, half
# live, half silent) gives exactly its live half; a run mixing an IPv4 /24 and the IPv6 /112
# finds both live sets; JSON output parses with IPv6 addresses; the bad inputs of the issue exit 2
# naming themselves.
. "$(dirname "$0")/lab.sh"
N=es-v6$$
lab_trap "$N"
lab_up "$N" --prefix 198.18.7.0/24 --live-frac 0.25 --unreach-frac 0 --seed 5 || exit 1
lab_add_v6 --prefix 2001:db8:1::/112 --live-frac 0.20 --unreach-frac 0.02 --seed 3 || exit 1
D=$LAB_DIR
echo "lab: IPv6 $LAB_PREFIX6: $LAB_NLIVE6 live, $LAB_NUNREACH6 unreachable; IPv4 $LAB_PREFIX: $LAB_NLIVE live"

# the scanner does not know the gateway yet: echoscan resolves it (neighbour solicitation)
lab_exec_s ip -6 neigh show dev ves | grep -q '2001:db8::1 .*lladdr' &&
    lab_fail "the scanner's neighbour table already holds 2001:db8::1 (should be dynamic)"

# 1. the /112, text: exactly the live set
t0=$(lab_now)
lab_scan 60 -q -r 40000 -O text "$LAB_PREFIX6" >"$D/v6.txt" 2>"$D/v6.err"
rc=$?
echo "echoscan -O text $LAB_PREFIX6: $(lab_since "$t0") s, exit $rc, $(wc -l <"$D/v6.txt") hosts"
[ $rc = 0 ] || { lab_fail "exit $rc, expected 0"; sed 's/^/  /' "$D/v6.err" >&2; }
lab_cmp_sets "IPv6 /112 -O text" "$D/live6.txt" "$D/v6.txt" || LAB_FAILED=1

# 2. --all: every live host an echoreply, every rejected one unreach with type 1 code 3
lab_scan 60 -q -r 40000 --all -O csv -f saddr,classification,type,code,responder \
    "$LAB_PREFIX6" >"$D/all.csv" 2>"$D/all.err"
rc=$?
[ $rc = 0 ] || { lab_fail "--all: exit $rc"; sed 's/^/  /' "$D/all.err" >&2; }
awk -F, '$2 == "echoreply" && $3 == 129 {print $1}' "$D/all.csv" >"$D/all.live"
awk -F, '$2 == "unreach" && $3 == 1 && $4 == 3 {print $1}' "$D/all.csv" >"$D/all.unreach"
lab_cmp_sets "--all echoreply" "$D/live6.txt" "$D/all.live" || LAB_FAILED=1
lab_cmp_sets "--all unreach (type 1 code 3)" "$D/unreach6.txt" "$D/all.unreach" || LAB_FAILED=1
other=$(awk -F, 'NR > 1 && !(($2 == "echoreply" && $3 == 129) || ($2 == "unreach" && $3 == 1 && $4 == 3))' "$D/all.csv" | wc -l)
[ "$other" = 0 ] || lab_fail "--all: $other rows that are neither echoreply nor unreach type 1 code 3"
# the unreachables come from the target's address on the link (the router here)
awk -F, '$2 == "unreach" && $5 != "2001:db8::1" && $5 !~ /^2001:db8:1::/' "$D/all.csv" | head -1 | grep -q . &&
    lab_fail "--all: an unreach row from an unexpected responder"

# 3. a hitlist of 1,000: 500 live and 500 silent addresses, shuffled
python3 - "$D" <<'PY'
import random, sys
d = sys.argv[1]
live = open(d + "/live6.txt").read().split()
silent = open(d + "/silent6.txt").read().split()
r = random.Random(9)
a, b = r.sample(live, 500), r.sample(silent, 500)
open(d + "/hit.expect", "w").write("".join(x + "\n" for x in sorted(a)))
h = a + b
r.shuffle(h)
open(d + "/hitlist.txt", "w").write("# 1,000 addresses\n" + "".join(x + "\n" for x in h))
PY
lab_scan 60 -q -O text -iL "$D/hitlist.txt" >"$D/hit.txt" 2>"$D/hit.err"
rc=$?
[ $rc = 0 ] || { lab_fail "-iL hitlist: exit $rc"; sed 's/^/  /' "$D/hit.err" >&2; }
lab_cmp_sets "-iL 1,000-address hitlist" "$D/hit.expect" "$D/hit.txt" || LAB_FAILED=1

# 4. IPv4 and IPv6 in one run
lab_scan 60 -q -r 40000 -O text "$LAB_PREFIX" "$LAB_PREFIX6" >"$D/mix.txt" 2>"$D/mix.err"
rc=$?
[ $rc = 0 ] || { lab_fail "mixed run: exit $rc"; sed 's/^/  /' "$D/mix.err" >&2; }
grep ':' "$D/mix.txt" >"$D/mix.v6"
grep -v ':' "$D/mix.txt" >"$D/mix.v4"
lab_cmp_sets "mixed run: IPv6" "$D/live6.txt" "$D/mix.v6" || LAB_FAILED=1
lab_cmp_sets "mixed run: IPv4" "$D/live.txt" "$D/mix.v4" || LAB_FAILED=1
echo "mixed run: $(wc -l <"$D/mix.v4") IPv4 and $(wc -l <"$D/mix.v6") IPv6 hosts"

# 5. JSON lines with IPv6 addresses; the summary counts them
lab_scan 30 -O json -f saddr,daddr,ttl,type,size -iL "$D/hitlist.txt" >"$D/hit.json" 2>"$D/hit.sum"
python3 - "$D/hit.json" <<'PY' || lab_fail "JSON output: not what was expected"
import ipaddress, json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 500, len(rows)
for r in rows:
    a = ipaddress.ip_address(r["saddr"])
    assert a.version == 6 and str(a) == r["saddr"], r       # RFC 5952 text
    assert r["daddr"] == "2001:db8::2" and r["type"] == 129 and r["size"] == 40 + 8 + 18, r
    assert r["ttl"] == 64, r
PY
grep -q '^hosts up: 500$' "$D/hit.sum" || lab_fail "summary: no 'hosts up: 500' line: $(grep 'hosts up' "$D/hit.sum")"

# 6. per-host statistics (keyed by the rank among the IPv6 targets): --stats, with -n, mixed, --loop
lab_scan 60 -q -P 3 --interval 0 --stats -O csv 2001:db8:1::/120 >"$D/st.csv" 2>"$D/st.err"
rc=$?
[ $rc = 0 ] || { lab_fail "--stats: exit $rc"; sed 's/^/  /' "$D/st.err" >&2; }
python3 - "$D" <<'PY' || lab_fail "--stats rows for 2001:db8:1::/120 are wrong"
import ipaddress, sys
d = sys.argv[1]
live = set(open(d + "/live6.txt").read().split())
rows = [l.split(",") for l in open(d + "/st.csv").read().splitlines()[1:]]
net = [str(a) for a in ipaddress.ip_network("2001:db8:1::/120")]
assert [r[0] for r in rows] == net, "one row per target, in address order"
for r in rows:
    want = "3" if r[0] in live else "0"
    assert r[1] == "3" and r[2] == want, r
PY
lab_scan 60 -q --stats -n 100 -O csv 2001:db8:1::/120 >"$D/stn.csv" 2>/dev/null
[ "$(tail -n +2 "$D/stn.csv" | wc -l)" = 100 ] || lab_fail "--stats -n 100: $(tail -n +2 "$D/stn.csv" | wc -l) rows, want 100"
lab_scan 60 -q -P 2 --interval 0 --stats -O text 198.18.7.0/28 2001:db8:1::/124 >"$D/stm.txt" 2>/dev/null
[ "$(wc -l <"$D/stm.txt")" = 32 ] || lab_fail "--stats, IPv4 /28 + IPv6 /124: $(wc -l <"$D/stm.txt") rows, want 32"
grep -q '^2001:db8:1::f *: xmt/rcv/%loss = 2/' "$D/stm.txt" || lab_fail "--stats text: no aligned row for 2001:db8:1::f: $(tail -1 "$D/stm.txt")"
lab_scan 4 -q --loop --report-every 1 -O csv 2001:db8:1::/124 >"$D/loop.csv" 2>/dev/null
nlive=$(grep -c '^2001:db8:1::[0-9a-f]$' "$D/live6.txt")
awk -F, 'NR > 1 && $3 > 0 {print $1}' "$D/loop.csv" | sort -u >"$D/loop.live"
grep '^2001:db8:1::[0-9a-f]$' "$D/live6.txt" | sort >"$D/loop.expect"
cmp -s "$D/loop.live" "$D/loop.expect" ||
    lab_fail "--loop: hosts with replies differ from the live ones of the /124 ($nlive): $(paste -sd' ' "$D/loop.live")"
echo "--stats/--loop: $(tail -n +2 "$D/st.csv" | wc -l) rows for the /120, $(wc -l <"$D/stm.txt") mixed, $(tail -n +2 "$D/loop.csv" | wc -l) --loop rows"

# 7. bad input: exit 2, the message names it
for bad in "2001:db8::/129" "2001:db8::zz" "::/0" "2001:db8::/64"; do
    out=$(lab_exec_s "$ECHOSCAN" "$bad" 2>&1); rc=$?
    [ $rc = 2 ] || lab_fail "$bad: exit $rc, expected 2"
    case $out in *"$bad"*|*"${bad%/*}"*) ;; *) lab_fail "$bad: message does not name it: $out" ;; esac
    echo "$bad: exit $rc: $out"
done
exit $LAB_FAILED
