#!/bin/bash
# test_trace: `echoscan trace` against a chain of 5 router namespaces (router 3 never sends time
# exceeded) with targets behind them (tests/lab/lab.sh lab_up_chain).
#  - One host: `echoscan trace ARGS HOST` and Debian's `traceroute -I ARGS HOST` print the same
#    lines (stdout and stderr) once times are masked, with the same exit status: a live host, an
#    unreachable one (!H), a silent one (-m 8), without -n, and -q 1 -f 2 -m 4 (all with -w 1).
#  - Many targets: `echoscan trace -O csv --max-ttl 8 PREFIX` gives, for every target, router i at
#    TTL i (none at the silent router's TTL), and for every live target the target itself first at
#    its distance (6), unreachable targets a host-unreachable there, silent ones nothing beyond the
#    routers; no other responder, no duplicate (target, TTL, responder) at TTLs below 6.
#  - Forged errors: while such a trace runs, a forger in router 1's namespace answers every probe
#    it forwards with time exceeded / unreachable messages from 198.19.99.0/24 whose quote is the
#    real probe with one bit of its check (ICMP seq or checksum) flipped, and sends as many with
#    random quoted fields; none of them shows up, and the real records are still exact.
. "$(dirname "$0")/lab.sh"
N=es-trace$$
lab_trap "$N"
command -v traceroute >/dev/null || { echo "traceroute not installed (apt-get install traceroute)"; exit "$LAB_SKIP"; }
lab_up_chain "$N" --prefix 198.18.0.0/24 --live-frac 0.5 --unreach-frac 0.1 --seed 3 || exit 1
W=$LAB_DIR/w
mkdir -p "$W"
live=$(sed -n 1p "$LAB_DIR/live.txt") unr=$(sed -n 1p "$LAB_DIR/unreach.txt")
silent=$(python3 - "$LAB_DIR" <<'PY'
import sys
d = sys.argv[1]
used = set(open(d + "/live.txt").read().split()) | set(open(d + "/unreach.txt").read().split())
print(next("198.18.0.%d" % i for i in range(1, 255) if "198.18.0.%d" % i not in used))
PY
)
echo "routers: $LAB_ROUTERS (router $LAB_SILENT_ROUTER silent); live $live, unreachable $unr, silent $silent"

mask() { sed -E 's/[0-9]+\.[0-9]+ ms/X ms/g'; }

# compare LABEL EXPECT ARGS... : traceroute -I ARGS and echoscan trace ARGS; EXPECT: a regex both
# outputs must contain (so an empty result cannot pass)
compare() {
    local label=$1 expect=$2; shift 2
    timeout 60 ip netns exec "$LAB_S" traceroute -I "$@" >"$W/tr.out" 2>"$W/tr.err"
    local rc_t=$?
    timeout 60 ip netns exec "$LAB_S" "$ECHOSCAN" trace "$@" >"$W/es.out" 2>"$W/es.err"
    local rc_e=$?
    mask <"$W/tr.out" >"$W/tr.m"; mask <"$W/es.out" >"$W/es.m"
    if ! diff -u "$W/tr.m" "$W/es.m" >"$W/diff"; then
        lab_fail "$label: trace $*: stdout differs (- traceroute -I, + echoscan trace, times masked):"
        cat "$W/diff" >&2
    fi
    if ! diff -u "$W/tr.err" "$W/es.err" >"$W/diff"; then
        lab_fail "$label: trace $*: stderr differs:"; cat "$W/diff" >&2
    fi
    [ "$rc_t" = "$rc_e" ] || lab_fail "$label: trace $*: exit status $rc_e, traceroute's $rc_t"
    grep -qE "$expect" "$W/tr.m" || lab_fail "$label: traceroute's output lacks /$expect/"
    echo "$label: $(wc -l <"$W/es.out") lines, exit $rc_e"
}

r=($LAB_ROUTERS)
# -w 1 everywhere: a fixed 1 s wait. With traceroute's default -w 5,3,10 it gives up on a probe
# 3 (10) times the RTT of its hop's (a later hop's) replies after sending it, here 0.1-0.5 ms,
# which a loaded machine overruns: traceroute itself then prints * for probes that did answer.
compare live "^ 6  $live  X ms  X ms  X ms\$" -n -w 1 "$live"
compare unreachable "!H" -n -w 1 "$unr"
compare silent "^ 8  \* \* \*\$" -n -w 1 -m 8 "$silent"
compare names "\(${r[0]}\)" -w 1 "$live"
compare first-max-q1 "^ 4  " -w 1 -q 1 -f 2 -m 4 "$live"

# check_records CSV [FORGED_NET] : the per-(target, TTL) records against the chain's ground truth
check_records() {
    python3 - "$1" "$LAB_DIR" "$LAB_ROUTERS" "$LAB_SILENT_ROUTER" "$LAB_DIST" <<'PY'
import csv, ipaddress, sys
path, d, routers, silent, dist = sys.argv[1], sys.argv[2], sys.argv[3].split(), int(sys.argv[4]), int(sys.argv[5])
live = set(open(d + "/live.txt").read().split())
unr = set(open(d + "/unreach.txt").read().split())
targets = [str(a) for a in ipaddress.ip_network("198.18.0.0/24")]
rows = list(csv.DictReader(open(path)))
bad = 0
def err(*a):
    global bad
    bad += 1
    if bad <= 10:
        print(*a, file=sys.stderr)
seen = {}
for r in rows:
    t, ttl, who, cls = r["saddr"], int(r["probe_ttl"]), r["responder"], r["classification"]
    if t not in targets:
        err("record for a non-target", r); continue
    if ttl < dist:
        want = routers[ttl - 1]
        if ttl == silent or who != want or cls != "timxceed":
            err("TTL %d of %s: %s %s, expected %s timxceed" % (ttl, t, who, cls, want)); continue
        if (t, ttl) in seen:
            err("TTL %d of %s answered twice" % (ttl, t))
        seen[(t, ttl)] = who
    else:
        if who != t:
            err("TTL %d of %s answered by %s (beyond the routers only the target may)" % (ttl, t, who)); continue
        if t in live and cls != "echoreply" or t in unr and (cls != "unreach" or r["code"] != "1") \
           or t not in live and t not in unr:
            err("TTL %d of %s: %s code %s" % (ttl, t, cls, r["code"])); continue
        seen.setdefault((t, "first"), ttl)
        seen[(t, "first")] = min(seen[(t, "first")], ttl)
for t in targets:
    for ttl in range(1, dist):
        if ttl != silent and (t, ttl) not in seen:
            err("no record of %s at TTL %d" % (t, ttl))
    f = seen.get((t, "first"))
    if (t in live or t in unr) and f != dist:
        err("%s: first answered at TTL %s, expected %d" % (t, f, dist))
print("%d records, %d targets reached" % (len(rows), sum(1 for t in targets if (t, "first") in seen)))
sys.exit(1 if bad else 0)
PY
}

lab_scan 60 trace -O csv -w 1 --max-ttl 8 198.18.0.0/24 >"$W/all.csv" 2>"$W/all.err"
rc=$?
[ $rc = 0 ] || { lab_fail "trace -O csv: exit status $rc, expected 0"; cat "$W/all.err" >&2; }
check_records "$W/all.csv" || lab_fail "trace -O csv --max-ttl 8 198.18.0.0/24: records wrong (above)"

# --paths: one line per target; JSON: one object per target with its hops
lab_scan 60 trace --paths -O json -w 1 --max-ttl 8 198.18.0.0/24 >"$W/paths.json" 2>"$W/paths.err" ||
    lab_fail "trace --paths -O json: exit status $?"
python3 - "$W/paths.json" "$live" "$silent" "$LAB_ROUTERS" <<'PY' || lab_fail "trace --paths -O json: wrong (above)"
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
live, silent, routers = sys.argv[2], sys.argv[3], sys.argv[4].split()
by = {o["saddr"]: o for o in objs}
ok = len(objs) == 256
hops = lambda o: [h["responder"] for h in o["hops"]]
want = routers[:2] + [None] + routers[3:]
ok &= by[live]["reached"] and hops(by[live]) == want + [live]
ok &= not by[silent]["reached"] and hops(by[silent]) == want
ok &= all(isinstance(h["rtt_us"], float) and h["rtt_us"] >= 0 and h["probe_ttl"] == k + 1
          for o in objs for k, h in enumerate(o["hops"]) if h["responder"])
if not ok:
    print(len(objs), by.get(live), by.get(silent), file=sys.stderr)
sys.exit(0 if ok else 1)
PY
lab_scan 60 trace --paths -w 1 --max-ttl 8 "$live" "$silent" >"$W/paths.txt" 2>&1 ||
    lab_fail "trace --paths: exit status $?"
grep -q "^$live reached: 1 ${r[0]}  2 ${r[1]}  3 \*  4 ${r[3]}  5 ${r[4]}  6 $live\$" "$W/paths.txt" ||
    { lab_fail "trace --paths: no line for $live"; cat "$W/paths.txt" >&2; }

# text records: "target ttl responder  time ms [mark]"
lab_scan 60 trace -O text -w 1 --max-ttl 8 "$live" "$unr" >"$W/text" 2>&1 || lab_fail "trace -O text: exit status $?"
grep -qE "^$live  2 ${r[1]}  [0-9.]+ ms\$" "$W/text" || { lab_fail "trace -O text: no TTL 2 line for $live"; cat "$W/text" >&2; }
grep -qE "^$unr  6 $unr  [0-9.]+ ms !H\$" "$W/text" || { lab_fail "trace -O text: no !H line for $unr"; cat "$W/text" >&2; }

# forged errors during a trace
cat >"$W/forge.py" <<'PY'
# Answers every probe forwarded through this router with forged ICMP errors to the scanner.
import random, socket, struct, sys, time
iface, out, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
ps = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
ps.bind((iface, 0x0800))
ps.settimeout(0.2)
rs = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
def send(src, dst, typ, code, quote):
    icmp = bytearray(struct.pack("!BBHI", typ, code, 0, 0) + quote)
    struct.pack_into("!H", icmp, 2, csum(bytes(icmp)))
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0, 0, 64, 1, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    rs.sendto(ip + bytes(icmp), (dst, 0))
rng = random.Random(7)
n = 0
ready = open(out + ".ready", "w"); ready.close()
end = time.time() + secs
while time.time() < end:
    try: frame, sa = ps.recvfrom(2048)
    except socket.timeout: continue
    if sa[2] == 4: continue
    p = frame[14:]
    if len(p) < 28 or p[9] != 1 or p[20] != 8: continue
    scanner = socket.inet_ntoa(p[12:16])
    q = bytearray(p[:28]); q[8] = 1
    for k in range(4):
        f = bytearray(q)
        if k == 0: f[26 + rng.randrange(2)] ^= 1 << rng.randrange(8)      # seq: the check's high half
        if k == 1: f[22 + rng.randrange(2)] ^= 1 << rng.randrange(8)      # checksum: its low half
        if k >= 2:                                                         # random id, seq, checksum
            f[22:28] = bytes(rng.randrange(256) for _ in range(6))
        src = "198.19.99.%d" % rng.randrange(1, 255)
        send(src, scanner, 11 if k % 2 == 0 else 3, 0 if k % 2 == 0 else 1, bytes(f) + p[28:28 + rng.choice((0, 32))])
        n += 1
open(out, "w").write("%d\n" % n)
PY
ip netns exec "$N-r1" ip route add 198.19.99.0/24 dev lo 2>/dev/null
ip netns exec "$N-r1" python3 "$W/forge.py" left "$W/forged" 8 </dev/null >/dev/null 2>"$W/forge.err" &
fpid=$!
echo $fpid >>"$LAB_DIR/pids"
for _ in $(seq 100); do [ -e "$W/forged.ready" ] && break; sleep 0.05; done
lab_scan 60 trace -O csv -w 1 --max-ttl 8 198.18.0.0/24 >"$W/forged.csv" 2>"$W/forged.err"
rc=$?
wait $fpid
[ $rc = 0 ] || { lab_fail "trace during forgery: exit status $rc"; cat "$W/forged.err" >&2; }
nf=$(cat "$W/forged" 2>/dev/null || echo 0)
[ "$nf" -gt 1000 ] || { lab_fail "the forger sent only $nf frames: $(cat "$W/forge.err")"; }
grep -q "198\.19\.99\." "$W/forged.csv" && lab_fail "forged errors were reported: $(grep -c '198\.19\.99\.' "$W/forged.csv") records"
# the summary counts them as invalid (foreign quote): seen and rejected, not lost
ninv=$(awk '/^invalid: / {print $2}' "$W/forged.err")
[ "${ninv:-0}" -gt 0 ] || { lab_fail "summary: invalid ${ninv:-missing} during the forgery, expected > 0"; cat "$W/forged.err" >&2; }
grep -q "^invalid: 0$" "$W/all.err" || { lab_fail "summary without forgery: invalid is not 0"; cat "$W/all.err" >&2; }
check_records "$W/forged.csv" || lab_fail "trace during forgery: records wrong (above)"
echo "forged: $nf frames sent, none reported, summary: invalid $ninv"

exit $LAB_FAILED
