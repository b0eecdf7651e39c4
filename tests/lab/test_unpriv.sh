#!/bin/bash
# test_unpriv: the sweep without privileges. As nobody (no capabilities), with
# net.ipv4.ping_group_range open in the scanner namespace, echoscan falls back to ICMP datagram
# sockets: a routed /24 (20% live, 30% rejecting with host-unreachable; each such error also leaves
# a pending socket error that the next send or receive on that socket must survive) lists exactly
# the live set and exits 0, --all reports exactly the unreachable set from the error queue,
# --stats gives one row per target with the right sent/received counts, --loop reports periods,
# and the summary names the path ("(dgram)"). Root with --tx dgram takes the same path. With
# ping_group_range closed, nobody gets the message naming CAP_NET_RAW and ping_group_range, exit 2.
. "$(dirname "$0")/lab.sh"
N=es-unpriv$$
lab_trap "$N"
command -v setpriv >/dev/null || { echo "setpriv not installed (util-linux)"; exit "$LAB_SKIP"; }
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 0.2 --unreach-frac 0.3 --seed 11 || exit 1
echo "live $LAB_NLIVE, unreachable $LAB_NUNREACH of 256"

# The binary must be reachable by nobody: the lab dir is world-readable.
cp "$ECHOSCAN" "$LAB_DIR/echoscan" && chmod 755 "$LAB_DIR/echoscan"
ES=$LAB_DIR/echoscan
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
W=$LAB_DIR/w
mkdir -p "$W"
# nobody: ARGS... (timeout 30 s)
nobody() { timeout -k 2 30 ip netns exec "$LAB_S" "${NOBODY[@]}" "$ES" "$@"; }

ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
t0=$(lab_now)

# 1. the sweep lists exactly the live set
nobody -O text -c 1 198.18.0.0/24 >"$W/sweep.out" 2>"$W/sweep.err"
rc=$?
lab_addrs "$W/sweep.out" >"$W/sweep.got"
if [ $rc != 0 ]; then lab_fail "sweep as nobody: exit $rc (want 0): $(head -3 "$W/sweep.err")"
elif ! lab_cmp_sets "sweep as nobody" "$LAB_DIR/live.txt" "$W/sweep.got"; then lab_fail "sweep as nobody: not the live set"
else echo "ok   sweep as nobody: $(wc -l <"$W/sweep.got") hosts, exactly the live set"
fi
grep -Eq '^send rate: .* \(dgram\)$' "$W/sweep.err" ||
    lab_fail "summary does not name the datagram path: $(grep 'send rate' "$W/sweep.err")"
grep -qx "probes sent: 256" "$W/sweep.err" || lab_fail "summary: $(grep 'probes sent' "$W/sweep.err") (want 256)"
grep -qx "invalid: 0" "$W/sweep.err" || lab_fail "summary: $(grep '^invalid' "$W/sweep.err") (want 0)"

# 2. --all: the unreachable hosts come from the error queue, classified like the raw path
nobody -q -O csv -f saddr,responder,type,code,classification,success -c 1 --all 198.18.0.0/24 \
    >"$W/all.csv" 2>"$W/all.err"
rc=$?
awk -F, '$5 == "unreach" && $3 == 3 && $4 == 1 && $6 == 0 && $1 == $2 { print $1 }' "$W/all.csv" >"$W/unr.got"
awk -F, '$5 == "echoreply" && $6 == 1 { print $1 }' "$W/all.csv" >"$W/up.got"
if [ $rc != 0 ]; then lab_fail "--all as nobody: exit $rc: $(head -3 "$W/all.err")"
elif ! lab_cmp_sets "--all unreachable" "$LAB_DIR/unreach.txt" "$W/unr.got" ||
     ! lab_cmp_sets "--all echo replies" "$LAB_DIR/live.txt" "$W/up.got"; then
    lab_fail "--all as nobody: wrong sets"
elif [ "$(wc -l <"$W/all.csv")" != $((1 + LAB_NLIVE + LAB_NUNREACH)) ]; then
    lab_fail "--all as nobody: $(wc -l <"$W/all.csv") lines, want $((1 + LAB_NLIVE + LAB_NUNREACH)) (header + live + unreachable)"
else echo "ok   --all as nobody: $LAB_NUNREACH host-unreachable (type 3 code 1), $LAB_NLIVE echo replies"
fi

# 3. --stats: one row per target, 3 sent each, 3 received from live hosts, 0 from the others
nobody -q -P 3 --interval 0.05 -c 1 --stats -O csv 198.18.0.0/24 >"$W/stats.csv" 2>"$W/stats.err"
rc=$?
if [ $rc != 0 ]; then lab_fail "--stats as nobody: exit $rc: $(head -3 "$W/stats.err")"
elif ! python3 - "$W/stats.csv" "$LAB_DIR/live.txt" <<'PY'; then
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
live = set(open(sys.argv[2]).read().split())
bad = []
if len(rows) != 256:
    bad.append("%d rows, want 256" % len(rows))
for r in rows:
    want = 3 if r["saddr"] in live else 0
    if int(r["sent"]) != 3 or int(r["received"]) != want:
        bad.append("%s: sent %s received %s, want 3/%d" % (r["saddr"], r["sent"], r["received"], want))
    if want and not (0 < float(r["rtt_min_us"]) <= float(r["rtt_avg_us"]) <= float(r["rtt_max_us"])):
        bad.append("%s: rtt min/avg/max %s/%s/%s" % (r["saddr"], r["rtt_min_us"], r["rtt_avg_us"], r["rtt_max_us"]))
if bad:
    sys.stderr.write("--stats: " + "; ".join(bad[:5]) + "\n")
    sys.exit(1)
PY
    lab_fail "--stats as nobody: wrong rows"
else echo "ok   --stats as nobody: 256 rows, 3 sent each, live hosts 3/3, the rest 3/0"
fi

# 4. --loop: periods with their own counts until SIGINT
live1=$(sed -n 1p "$LAB_DIR/live.txt")
timeout -s INT 3.6 ip netns exec "$LAB_S" "${NOBODY[@]}" "$ES" -q --loop --report-every 1 --interval 0.1 \
    -c 0.5 -O json "$live1" >"$W/loop.json" 2>"$W/loop.err"
if ! python3 - "$W/loop.json" <<'PY'; then
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) >= 3, rows
assert all(8 <= r["sent"] <= 12 and r["received"] == r["sent"] for r in rows[:-1]), rows
PY
    lab_fail "--loop as nobody: bad periods: $(head -c 400 "$W/loop.json") $(head -3 "$W/loop.err")"
else echo "ok   --loop as nobody: $(wc -l <"$W/loop.json") periods"
fi

# 5. root can ask for the same path
timeout 30 ip netns exec "$LAB_S" "$ES" --tx dgram -O text -c 1 198.18.0.0/24 >"$W/root.out" 2>"$W/root.err"
rc=$?
lab_addrs "$W/root.out" >"$W/root.got"
if [ $rc != 0 ] || ! lab_cmp_sets "--tx dgram as root" "$LAB_DIR/live.txt" "$W/root.got" ||
   ! grep -Eq '^send rate: .* \(dgram\)$' "$W/root.err"; then
    lab_fail "--tx dgram as root: exit $rc, $(grep 'send rate' "$W/root.err")"
else echo "ok   --tx dgram as root: the live set, summary says dgram"
fi

# 6. neither raw sockets nor datagram sockets: the message and exit 2
ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="1 0"
nobody -c 1 198.18.0.0/24 >"$W/closed.out" 2>"$W/closed.err"
rc=$?
want='echoscan: needs CAP_NET_RAW (run as root or setcap cap_net_raw+ep echoscan) or an ICMP datagram socket (allow your group: sysctl -w net.ipv4.ping_group_range="0 2147483647")'
if [ $rc != 2 ] || [ "$(cat "$W/closed.err")" != "$want" ] || [ -s "$W/closed.out" ]; then
    lab_fail "ping_group_range closed: exit $rc (want 2), stderr: $(cat "$W/closed.err"), stdout: $(head -2 "$W/closed.out")"
else echo "ok   ping_group_range closed: exit 2 and the message"
fi
echo "took $(lab_since "$t0") s"
exit $LAB_FAILED
