#!/bin/bash
# test_output: output formats and target selection.
#  - -O json: one valid JSON object per line with the requested fields; -f '*' gives every field
#    of --list-fields; CSV header matches -f; --list-fields lists the documented fields;
#  - -iL FILE with comments and blank lines scans exactly the listed targets;
#  - -x and --exclude-file remove those hosts from the results;
#  - -n 10 --dry-run prints exactly 10 probes.
. "$(dirname "$0")/lab.sh"
N=es-out$$
lab_trap "$N"
lab_up "$N" --prefix 198.18.0.0/22 --live-frac 0.3 --unreach-frac 0.05 --seed 11 || exit 1
D=$LAB_DIR

# --list-fields
lab_scan 10 --list-fields >"$D/lf" 2>"$D/lf.err"
rc=$?
[ $rc = 0 ] || lab_fail "--list-fields: exit status $rc, expected 0"
all_fields="saddr daddr responder rtt_us ttl type code classification success repeat cooldown probe ipid size timestamp mac"
for f in $all_fields; do
    grep -qE "(^|[^a-z_])$f([^a-z_]|$)" "$D/lf" || lab_fail "--list-fields does not list $f"
done
echo "--list-fields: $(wc -l <"$D/lf") lines"

# JSON with chosen fields
fields=saddr,rtt_us,ttl,classification,success
lab_scan 20 -c 1 -O json -f "$fields" "$LAB_PREFIX" >"$D/j1" 2>"$D/j1.err"
rc=$?
[ $rc = 0 ] || { lab_fail "-O json -f $fields: exit status $rc, expected 0"; tail -5 "$D/j1.err" >&2; }
python3 - "$D/j1" "$fields" "$D/live.txt" <<'PY' || lab_fail "-O json -f $fields: see above"
import json, sys
path, fields, live = sys.argv[1], sys.argv[2].split(","), set(open(sys.argv[3]).read().split())
bad = 0; got = []
for n, line in enumerate(open(path), 1):
    try:
        o = json.loads(line)
    except ValueError as e:
        print("line %d is not JSON (%s): %r" % (n, e, line[:200]), file=sys.stderr); bad += 1; continue
    if not isinstance(o, dict):
        print("line %d is not an object: %r" % (n, line[:200]), file=sys.stderr); bad += 1; continue
    if sorted(o) != sorted(fields):
        print("line %d has keys %s, expected %s" % (n, sorted(o), sorted(fields)), file=sys.stderr); bad += 1; continue
    if o["classification"] != "echoreply" or o["success"] not in (1, True):
        print("line %d: not a success: %r" % (n, line[:200]), file=sys.stderr); bad += 1
    if not isinstance(o["rtt_us"], (int, float)) or not isinstance(o["ttl"], int):
        print("line %d: rtt_us/ttl not numbers: %r" % (n, line[:200]), file=sys.stderr); bad += 1
    got.append(o["saddr"])
if len(got) != len(set(got)) or set(got) != live:
    print("json saddr set: %d rows, %d distinct, %d missing, %d extra" % (len(got), len(set(got)), len(live - set(got)), len(set(got) - live)), file=sys.stderr); bad += 1
print("json: %d lines" % len(got))
sys.exit(1 if bad else 0)
PY

# JSON with every field, every reply
lab_scan 20 -c 1 --all -O json -f '*' "$LAB_PREFIX" >"$D/j2" 2>"$D/j2.err"
rc=$?
[ $rc = 0 ] || { lab_fail "--all -O json -f '*': exit status $rc, expected 0"; tail -5 "$D/j2.err" >&2; }
python3 - "$D/j2" "$all_fields" "$D/unreach.txt" <<'PY' || lab_fail "--all -O json -f '*': see above"
import json, sys
path, fields, unr = sys.argv[1], sys.argv[2].split(), set(open(sys.argv[3]).read().split())
bad = 0; gu = set(); n = 0
for n, line in enumerate(open(path), 1):
    try:
        o = json.loads(line)
    except ValueError as e:
        print("line %d is not JSON (%s): %r" % (n, e, line[:200]), file=sys.stderr); bad += 1; continue
    miss = [f for f in fields if f not in o]
    if miss:
        print("line %d lacks %s" % (n, miss), file=sys.stderr); bad += 1
    if o.get("classification") == "unreach":
        gu.add(o.get("saddr"))
    if o.get("mac", 0) is not None:   # routed hosts: no MAC of theirs is known
        print("line %d: mac %r, expected null for a routed host" % (n, o.get("mac")), file=sys.stderr); bad += 1
if gu != unr:
    print("unreach rows: %d, expected %d (missing %d, extra %d)" % (len(gu), len(unr), len(unr - gu), len(gu - unr)), file=sys.stderr); bad += 1
print("json '*': %d lines" % n)
sys.exit(1 if bad else 0)
PY

# CSV header follows -f
lab_scan 20 -c 1 -O csv -f saddr,ttl,rtt_us "$LAB_PREFIX" >"$D/c1" 2>"$D/c1.err"
hdr=$(head -1 "$D/c1")
[ "$hdr" = "saddr,ttl,rtt_us" ] || lab_fail "CSV header '$hdr', expected 'saddr,ttl,rtt_us'"
bad=$(tail -n +2 "$D/c1" | awk -F, 'NF != 3 || $2 !~ /^[0-9]+$/' | wc -l)
[ "$bad" = 0 ] || lab_fail "CSV -f saddr,ttl,rtt_us: $bad bad rows, e.g. $(tail -n +2 "$D/c1" | awk -F, 'NF != 3 || $2 !~ /^[0-9]+$/' | head -1)"

# -iL with comments and blank lines
mapfile -t L <"$D/live.txt"
cat >"$D/targets.txt" <<T
# lab targets: comments and blank lines are ignored
${L[0]}

   # an indented comment
198.18.1.0/28
198.18.2.0-198.18.2.20
${L[${#L[@]}-1]}

T
python3 - "$D/targets.txt" "$D/live.txt" >"$D/exp_il" <<'PY'
import ipaddress, sys
want = set()
for line in open(sys.argv[1]):
    line = line.split("#")[0].strip()
    if not line: continue
    if "-" in line:
        a, b = (int(ipaddress.ip_address(x)) for x in line.split("-"))
        want.update(str(ipaddress.ip_address(i)) for i in range(a, b + 1))
    else:
        want.update(str(x) for x in ipaddress.ip_network(line))
print("\n".join(sorted(want & set(open(sys.argv[2]).read().split()))))
PY
lab_scan 20 -c 1 -O text -iL "$D/targets.txt" >"$D/il" 2>"$D/il.err"
rc=$?
[ $rc = 0 ] || { lab_fail "-iL FILE: exit status $rc, expected 0"; tail -5 "$D/il.err" >&2; }
lab_cmp_sets "-iL results vs live targets of the file" "$D/exp_il" <(lab_addrs "$D/il") || lab_fail "-iL: results differ"
echo "-iL: $(wc -l <"$D/il") hosts (expected $(grep -c . "$D/exp_il"))"

# exclusions: -x (address, CIDR, range) and --exclude-file (zmap blocklist format)
cat >"$D/excl.txt" <<T
# excluded for the lab test

198.18.3.0/25   # inline comment
${L[1]}
T
lab_scan 20 -c 1 -O text -x "${L[0]}" -x 198.18.1.0/26 -x 198.18.2.10-198.18.2.20 \
    --exclude-file "$D/excl.txt" "$LAB_PREFIX" >"$D/ex" 2>"$D/ex.err"
rc=$?
[ $rc = 0 ] || { lab_fail "-x/--exclude-file: exit status $rc, expected 0"; tail -5 "$D/ex.err" >&2; }
python3 - "$D/live.txt" "${L[0]}" "${L[1]}" >"$D/exp_ex" <<'PY'
import ipaddress, sys
live = open(sys.argv[1]).read().split()
ex = [ipaddress.ip_network(x) for x in (sys.argv[2], sys.argv[3], "198.18.1.0/26", "198.18.3.0/25")]
def out(a):
    a = ipaddress.ip_address(a)
    return any(a in n for n in ex) or ipaddress.ip_address("198.18.2.10") <= a <= ipaddress.ip_address("198.18.2.20")
print("\n".join(a for a in live if not out(a)))
PY
lab_cmp_sets "results with exclusions vs expected" "$D/exp_ex" <(lab_addrs "$D/ex") || lab_fail "exclusions: results differ"
echo "exclusions: $(wc -l <"$D/ex") hosts (expected $(grep -c . "$D/exp_ex") of $LAB_NLIVE)"

# -n 10 --dry-run
lab_scan 10 -n 10 --dry-run "$LAB_PREFIX" >"$D/dry" 2>"$D/dry.err"
rc=$?
[ $rc = 0 ] || lab_fail "-n 10 --dry-run: exit status $rc, expected 0"
n=$(lab_addrs "$D/dry" | wc -l)
[ "$n" = 10 ] || lab_fail "-n 10 --dry-run printed $n probes, expected 10"
nu=$(lab_addrs "$D/dry" | sort -u | wc -l)
[ "$nu" = 10 ] || lab_fail "-n 10 --dry-run: $nu distinct addresses, expected 10"
exit $LAB_FAILED
