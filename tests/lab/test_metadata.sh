#!/bin/bash
# test_metadata: -m FILE writes one JSON object that validates against docs/metadata.schema.json
# and agrees with the summary printed on stderr (targets, probes, replies, hosts, invalid, pcap
# drops, backend) and with what the run did (exit status, hosts found, exclusions, shard counts,
# notes with quotes, a newline and an invalid UTF-8 byte). Also after SIGINT (interrupted: true,
# fewer probes than planned), with -q and nobody answering (exit status 1), and an unwritable
# path (exit status 2 before any probe is sent, naming the path).
. "$(dirname "$0")/lab.sh"
N=es-meta$$
lab_trap "$N"
python3 -c 'import jsonschema' 2>/dev/null ||
    { echo "skip: python3-jsonschema not installed (make deps installs it)"; exit "$LAB_SKIP"; }
lab_up "$N" --prefix 198.18.0.0/22 --live-frac 0.3 --unreach-frac 0.05 --seed 17 || exit 1
SCHEMA=$LAB_ROOT/docs/metadata.schema.json

# check META STDERR RC [python assertions on m (metadata) and s (summary dict)]
check() {
    python3 - "$SCHEMA" "$1" "$2" "$3" "$4" <<'PY'
import json, re, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
m = json.load(open(sys.argv[2], encoding="utf-8"))
jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(m)
s = {}
for line in open(sys.argv[3]):
    k, sep, v = line.partition(": ")
    if sep:
        s[k] = v.strip()
rc = int(sys.argv[4])
def num(k):
    return int(re.match(r"[0-9]+", s[k]).group(0))
if s:
    pairs = [("targets", m["targets"]["probed"]), ("probes sent", m["probes"]["sent"]),
             ("valid replies", m["replies"]["valid"]), ("hosts up", m["hosts_up"]),
             ("unreachable", m["hosts_unreachable"]), ("other icmp errors", m["other_icmp_errors"]),
             ("invalid", m["invalid"]), ("pcap drops", m["pcap"]["drops"])]
    for k, v in pairs:
        assert num(k) == v, f"summary {k}: {s[k]} but metadata {v}"
    assert s["send rate"].endswith("(%s)" % m["tx_backend"]), (s["send rate"], m["tx_backend"])
r = m["replies"]
assert r["valid"] == r["echoreply"] + r["unreach"] + r["timxceed"] + r["other"], r
assert sum(m["invalid_reasons"].values()) == m["invalid"], (m["invalid"], m["invalid_reasons"])
if s and "(" in s["invalid"]:     # "12 (checksum 3, tag 9)": the same breakdown as the summary
    said = dict((k.replace(" ", "_"), int(v)) for k, v in
                (x.rsplit(" ", 1) for x in s["invalid"].split("(", 1)[1].rstrip(")").split(", ")))
    assert said == {k: v for k, v in m["invalid_reasons"].items() if v}, (said, m["invalid_reasons"])
assert m["exit_status"] == rc, f"exit_status {m['exit_status']}, process exited {rc}"
assert m["start_time"] <= m["end_time"], (m["start_time"], m["end_time"])
exec(sys.argv[5])
print("metadata ok:", json.dumps({k: m[k] for k in ("targets", "probes", "replies", "hosts_up", "interrupted", "exit_status")}))
PY
}

# 1. a shard, with exclusions and notes
printf '# blocklist\n198.18.3.0/25\n' >"$LAB_DIR/block.conf"
notes=$'run "one"\nsecond line \xff end'
lab_scan 30 -r 50000 -c 1 -O text --seed 5 --shards 2 --shard 1 -x 198.18.2.0/24 \
    --exclude-file "$LAB_DIR/block.conf" -m "$LAB_DIR/m1.json" --notes "$notes" 198.18.0.0/22 \
    >"$LAB_DIR/out1" 2>"$LAB_DIR/err1"
rc=$?
[ $rc = 0 ] || lab_fail "run 1: exit status $rc, expected 0"
sed 's/^/  /' "$LAB_DIR/err1"
found=$(wc -l <"$LAB_DIR/out1")
check "$LAB_DIR/m1.json" "$LAB_DIR/err1" $rc "
assert m['targets'] == {'total': 640, 'shard': m['targets']['probed'], 'probed': m['targets']['probed']}, m['targets']
assert 0 < m['targets']['shard'] < 640, m['targets']
assert m['shard'] == 1 and m['shards'] == 2 and m['seed'] == 5 and m['seed_given'] is True
assert m['exclusions'] == {'cidrs': ['198.18.2.0/24'], 'files': ['$LAB_DIR/block.conf'], 'addresses': 384}, m['exclusions']
assert m['hosts_up'] == $found, (m['hosts_up'], $found)
assert m['notes'] == 'run \"one\"\nsecond line \ufffd end', repr(m['notes'])
assert m['command'][-1] == '198.18.0.0/22' and '--notes' in m['command'], m['command']
assert m['interrupted'] is False and m['probes']['sent'] == m['probes']['planned']
assert m['rate']['requested'] == 50000 and m['settings']['cooldown_s'] == 1
assert m['interface'] == 'ves' and m['source'] == '198.19.0.1'
" || lab_fail "run 1: metadata does not match"
# the shard's count is this shard's: the other shard's plus this one's make the whole set
lab_scan 20 --dry-run -O text --seed 5 --shards 2 --shard 1 -x 198.18.2.0/24 \
    --exclude-file "$LAB_DIR/block.conf" 198.18.0.0/22 >"$LAB_DIR/dry1" 2>/dev/null
grep -q "^targets: $(wc -l <"$LAB_DIR/dry1") (shard 1 of 2; 640 in all)\$" "$LAB_DIR/err1" ||
    lab_fail "summary: expected 'targets: $(wc -l <"$LAB_DIR/dry1") (shard 1 of 2; 640 in all)'"

# 2. SIGINT during a slow scan: the record is still written, and says so
lab_exec_s timeout --preserve-status -s INT 1.5 "$ECHOSCAN" -r 500 -c 0.5 -O text -m "$LAB_DIR/m2.json" 198.18.0.0/22 \
    >"$LAB_DIR/out2" 2>"$LAB_DIR/err2"
rc=$?
check "$LAB_DIR/m2.json" "$LAB_DIR/err2" $rc "
assert m['interrupted'] is True, m['interrupted']
assert 0 < m['probes']['sent'] < m['probes']['planned'] == 1024, m['probes']
assert m['seed_given'] is False and m['rate']['requested'] == 500
" || lab_fail "run 2 (SIGINT): metadata does not match"

# 3. -q, nobody answers: no summary, exit status 1 recorded
silent=$(comm -23 <(python3 -c "import ipaddress; print('\n'.join(str(a) for a in ipaddress.ip_network('198.18.0.0/24')))" | sort) \
    <(sort "$LAB_DIR/live.txt" "$LAB_DIR/unreach.txt") | head -1)
lab_scan 20 -q -c 0.5 -r max -m "$LAB_DIR/m3.json" "$silent" >/dev/null 2>"$LAB_DIR/err3"
rc=$?
[ $rc = 1 ] || lab_fail "run 3: exit status $rc for silent $silent, expected 1"
check "$LAB_DIR/m3.json" "$LAB_DIR/err3" $rc "
assert m['hosts_up'] == 0 and m['targets']['total'] == 1 and m['rate']['requested'] is None, m
assert m['notes'] is None
" || lab_fail "run 3 (-q, silent): metadata does not match"

# 4. an unwritable path: exit 2 naming it, nothing sent
lab_scan 20 -c 0 -m /nonexistent/dir/m.json 198.18.0.1 >/dev/null 2>"$LAB_DIR/err4"
rc=$?
[ $rc = 2 ] || lab_fail "run 4: exit status $rc with an unwritable -m path, expected 2"
grep -q '/nonexistent/dir/m.json' "$LAB_DIR/err4" || lab_fail "run 4: the message does not name the path: $(cat "$LAB_DIR/err4")"
lab_scan 20 --notes x 198.18.0.1 >/dev/null 2>"$LAB_DIR/err5"
[ $? = 2 ] && grep -q -- '-m' "$LAB_DIR/err5" || lab_fail "--notes without -m: expected exit 2 and a message naming -m"
exit $LAB_FAILED
