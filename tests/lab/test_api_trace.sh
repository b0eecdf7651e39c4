#!/bin/bash
# test_api_trace: the public trace API against the 5-router chain of test_trace (router 3 never
# sends time exceeded; tests/lab/lab.sh lab_up_chain), built against include/echoscan.h and
# libechoscan.so alone (tests/lab/api_trace_check.c):
#  - es_traceroute (a fixed 1 s wait) to a live host: router i at TTL i for i = 1..5 (all 3 probes; none at the silent
#    router's TTL), the host itself at TTL 6 with reached and last set, nothing after; to an
#    unreachable host: !H from the host at TTL 6 ending the trace; to a silent one with max TTL 8:
#    the routers, then three empty hops and no end. Callbacks on the calling thread, the hop array
#    equal to the callbacks' hops, nhops counting them.
#  - A level-2 trace scan (es_scan_config_set_trace) of the /24 up to TTL 8: every result carries
#    its probe's TTL in probe_ttl; router i at TTL i for every target, each live target's echo
#    reply and each unreachable target's host unreachable first at TTL 6, no other responder.
#  - The codes: ES_ENOTFOUND for a name (no route out of the namespace: no query leaves),
#    ES_ENODEV for a missing interface, ES_EPERM for nobody (no CAP_NET_RAW: no datagram trace).
#  - examples/traceroute.c, built by `make examples` with only pkg-config's flags, prints the same
#    hop lines as `echoscan trace -n -w 1` (times masked; both a fixed 1 s wait) and exits 0 for the live host, 1 for the
#    silent one.
. "$(dirname "$0")/lab.sh"
N=es-apitr$$
lab_trap "$N"
BUILD=${BUILD:-build}
ECHOSCAN=${ECHOSCAN:-./echoscan}
make --no-print-directory examples >"/tmp/$N.make" 2>&1 ||
	{ cat "/tmp/$N.make"; rm -f "/tmp/$N.make"; echo "make examples failed"; exit 1; }
rm -f "/tmp/$N.make"
LIBDIR=$(dirname "$(find "$BUILD/stage" -name 'libechoscan.so.*.*' | head -1)")
lab_up_chain "$N" --prefix 198.18.0.0/24 --live-frac 0.5 --unreach-frac 0.1 --seed 3 || exit 1
W=$LAB_DIR/w
mkdir -p "$W"
cp "$BUILD/examples/traceroute" "$LAB_DIR/"
lab_api_build api_trace_check "$LIBDIR" || exit 1
AC=$LAB_DIR/api_trace_check
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
as_root() { timeout -k 2 60 ip netns exec "$LAB_S" "$@"; }
live=$(sed -n 1p "$LAB_DIR/live.txt") unr=$(sed -n 1p "$LAB_DIR/unreach.txt")
silent=$(comm -23 <(seq 1 254 | sed 's/^/198.18.0./' | sort) \
	<(sort "$LAB_DIR/live.txt" "$LAB_DIR/unreach.txt") | head -1)
r=($LAB_ROUTERS)
echo "routers: $LAB_ROUTERS (router $LAB_SILENT_ROUTER silent); live $live, unreachable $unr, silent $silent"

# want HOST MAX_TTL: the hop lines api_trace_check should print (ground truth from the chain)
want() {
	local host=$1 max=$2 kind=$3 ttl
	for ttl in $(seq 1 "$max"); do
		if [ "$ttl" -lt "$LAB_DIST" ]; then
			if [ "$ttl" = "$LAB_SILENT_ROUTER" ]; then echo "$ttl 0/3 * - reached=0 last=0"
			else w=${r[$((ttl - 1))]}; echo "$ttl 3/3 $w,$w,$w - reached=0 last=0"; fi
		elif [ "$kind" = live ]; then echo "$ttl 3/3 $host,$host,$host - reached=1 last=1"; return
		elif [ "$kind" = unreach ]; then echo "$ttl 3/3 $host,$host,$host !H reached=1 last=1"; return
		else echo "$ttl 0/3 * - reached=0 last=0"; fi
	done
}

check_hops() {
	local kind=$1 host=$2 max=$3
	as_root "$AC" hops "$host" "$max" >"$W/h.out" 2>"$W/h.err"; rc=$?
	[ $rc = 0 ] || { lab_fail "es_traceroute $kind $host: exit $rc: $(cat "$W/h.out" "$W/h.err")"; return; }
	want "$host" "$max" "$kind" >"$W/h.want"
	if diff -u "$W/h.want" "$W/h.out" >"$W/diff"; then
		echo "ok   es_traceroute $kind $host (max TTL $max): $(wc -l <"$W/h.out") hops as the chain has them"
	else lab_fail "es_traceroute $kind $host: hops differ from the chain (- want, + got):"; cat "$W/diff" >&2; fi
}
check_hops live "$live" 30
check_hops unreach "$unr" 30
check_hops silent "$silent" 8

# level 2: every (target, TTL) result with its probe_ttl
as_root "$AC" scan 198.18.0.0/24 8 >"$W/scan.csv" 2>"$W/scan.err"; rc=$?
[ $rc = 0 ] || lab_fail "trace scan: exit $rc: $(head -3 "$W/scan.csv" "$W/scan.err")"
python3 - "$W/scan.csv" "$LAB_DIR" "$LAB_ROUTERS" "$LAB_SILENT_ROUTER" "$LAB_DIST" <<'PY' ||
import sys
path, d, routers, silent, dist = sys.argv[1], sys.argv[2], sys.argv[3].split(), int(sys.argv[4]), int(sys.argv[5])
live = set(open(d + "/live.txt").read().split())
unr = set(open(d + "/unreach.txt").read().split())
targets = ["198.18.0.%d" % i for i in range(256)]
bad, seen, first = 0, set(), {}
def err(*a):
    global bad
    bad += 1
    if bad <= 10:
        print(*a, file=sys.stderr)
rows = [l.strip().split(",") for l in open(path) if l.strip()]
for t, ttl, who, cls, code in rows:
    ttl = int(ttl)
    if t not in targets:
        err("record for a non-target", t); continue
    if ttl < dist:
        if ttl == silent or who != routers[ttl - 1] or cls != "timxceed":
            err("TTL %d of %s: %s %s, expected %s timxceed" % (ttl, t, who, cls, routers[ttl - 1]))
        seen.add((t, ttl))
    elif who != t:
        err("TTL %d of %s answered by %s" % (ttl, t, who))
    elif not (t in live and cls == "echoreply" or t in unr and cls == "unreach" and code == "1"):
        err("TTL %d of %s: %s code %s" % (ttl, t, cls, code))
    else:
        first[t] = min(first.get(t, 99), ttl)
for t in targets:
    for ttl in range(1, dist):
        if ttl != silent and (t, ttl) not in seen:
            err("no record of %s at TTL %d" % (t, ttl))
    if (t in live or t in unr) and first.get(t) != dist:
        err("%s: first answered at TTL %s, expected %d" % (t, first.get(t), dist))
print("ok   trace scan 198.18.0.0/24 TTL 1..8: %d results, %d targets reached at TTL %d, probe_ttl right"
      % (len(rows), len(first), dist))
sys.exit(1 if bad else 0)
PY
	lab_fail "trace scan: results differ from the chain (above)"

# the codes
out=$(as_root "$AC" hops no-such-host.invalid 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == ES_ENOTFOUND* ]] || lab_fail "hops no-such-host.invalid: exit $rc, '$out' (want ES_ENOTFOUND)"
out=$(API_IFACE=nosuch0 as_root "$AC" hops "$live" 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == ES_ENODEV* ]] || lab_fail "hops, interface nosuch0: exit $rc, '$out' (want ES_ENODEV)"
out=$(as_root "${NOBODY[@]}" env LD_LIBRARY_PATH="$LD_LIBRARY_PATH" "$AC" hops "$live" 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == ES_EPERM* ]] || lab_fail "hops as nobody: exit $rc, '$out' (want ES_EPERM)"
echo "ok   codes: ES_ENOTFOUND (name), ES_ENODEV (nosuch0), ES_EPERM (nobody)"

# the example against echoscan trace -n
mask() { sed -E 's/[0-9]+\.[0-9]+ ms/X ms/g'; }
for host in "$live" "$silent"; do
	exp=0; [ "$host" = "$silent" ] && exp=1
	as_root "$LAB_DIR/traceroute" "$host" >"$W/ex.out" 2>"$W/ex.err"; rc=$?
	as_root "$ECHOSCAN" trace -n -w 1 "$host" >"$W/es.out" 2>&1
	[ $rc = $exp ] || lab_fail "examples/traceroute $host: exit $rc (want $exp): $(cat "$W/ex.err")"
	mask <"$W/ex.out" >"$W/ex.m"; tail -n +2 "$W/es.out" | mask >"$W/es.m"
	if [ -s "$W/ex.m" ] && diff -u "$W/es.m" "$W/ex.m" >"$W/diff"; then
		echo "ok   examples/traceroute $host: exit $rc, the $(wc -l <"$W/ex.m") hop lines of echoscan trace -n -w 1"
	else lab_fail "examples/traceroute $host: lines differ (- echoscan trace -n -w 1, + example):"; cat "$W/diff" >&2; fi
done
exit "${LAB_FAILED:-0}"
