#!/bin/bash
# test_ceiling: the rate is a ceiling. A sender stopped for about a second mid-run (SIGSTOP, then
# SIGCONT: what a very busy machine does to it) does not send its backlog at once: it catches up at
# 17/16 of the rate, so no 10 ms window at the target holds more than 1.5x its share (the threshold
# of test_pacing) and the run takes longer; the summary ("behind schedule: N ms at most") and the
# -m record (rate.behind_max_s) say how far behind it fell. With --max-runtime the run still ends on
# time: what it owed at the deadline and could not send paced within the grace stays unsent (before,
# the backlog went at once and every probe due was sent). -r max records no schedule (null).
. "$(dirname "$0")/lab.sh"
N=es-ceil$$
lab_trap "$N"
command -v tcpdump >/dev/null || { echo "skip: tcpdump not installed"; exit "$LAB_SKIP"; }
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 1 || exit 1

# stall_run SECS ARGS...: runs echoscan in the background with --status, stops it for SECS once it
# has sent something, lets it go on, waits for it; stderr in $LAB_DIR/err, exit status in $rc
stall_run() {
    local secs=$1 pid sent=0; shift
    ip netns exec "$LAB_S" "$ECHOSCAN" --status "$@" 2>"$LAB_DIR/err" &
    pid=$!
    for _ in $(seq 100); do   # up to 10 s for the first status line with probes sent
        sent=$(sed -n 's/.* sent: \([0-9]*\) .*/\1/p' "$LAB_DIR/err" | tail -1)
        [ "${sent:-0}" -gt 0 ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ "${sent:-0}" -gt 0 ] && kill -STOP "$pid" 2>/dev/null; then
        sleep "$secs"
        kill -CONT "$pid"
    else
        lab_fail "echoscan $* sent nothing to stall (or ended): $(tail -2 "$LAB_DIR/err")"
    fi
    wait "$pid"; rc=$?
}

# 1. -r 1000, 4096 probes (-P 16 over the /24, 4.1 s on schedule), stopped for 1 s
pcap=$LAB_DIR/ceil.pcap
ip netns exec "$LAB_T" tcpdump -i vet -w "$pcap" -U --time-stamp-precision nano \
    'icmp[icmptype] == icmp-echo' 2>"$LAB_DIR/tcpdump.err" &
tpid=$!
for _ in $(seq 100); do   # until it listens (a loaded machine may take seconds)
    grep -q '^listening on' "$LAB_DIR/tcpdump.err" 2>/dev/null && break
    sleep 0.1
done
stall_run 1 -r 1000 -P 16 -c 0.2 -O text -o /dev/null -m "$LAB_DIR/m1.json" 198.18.0.0/24
sleep 0.5; kill "$tpid"; wait "$tpid" 2>/dev/null
[ "$rc" = 0 ] || lab_fail "stalled run: exit status $rc: $(tail -3 "$LAB_DIR/err")"
grep '^behind schedule' "$LAB_DIR/err" | sed 's/^/  summary: /'
ms=$(sed -n 's/^behind schedule: \([0-9.]*\) ms at most (caught up at 17\/16 of the rate)$/\1/p' "$LAB_DIR/err")
[ -n "$ms" ] || lab_fail "stalled run: no 'behind schedule: N ms at most (caught up at 17/16 of the rate)' in the summary"
awk -v m="${ms:-0}" 'BEGIN { exit !(m >= 500) }' || lab_fail "stalled 1 s, but 'behind schedule: $ms ms' (want >= 500)"
python3 - "$LAB_DIR/m1.json" <<'EOF' || lab_fail "stalled run: the -m record (see above)"
import json, sys
m = json.load(open(sys.argv[1]))
b = m['rate']['behind_max_s']
print("  -m: rate %s, probes %s" % (m['rate'], m['probes']))
assert isinstance(b, (int, float)) and b >= 0.5, b
assert m['probes']['sent'] == m['probes']['planned'] == 4096, m['probes']
EOF
tcpdump -r "$pcap" -tt -n --time-stamp-precision nano 2>/dev/null |
    awk '{ t[n++] = $1 }
         END { j = 0; maxw = 0
               for (i = 0; i < n; i++) {           # probes in [t[i], t[i] + 10 ms)
                   while (j < n && t[j] < t[i] + 0.010) j++
                   if (j - i > maxw) maxw = j - i
               }
               printf "  stalled run: %d probes at the target, busiest 10 ms window %d (share 10)\n", n, maxw
               exit !(n == 4096 && maxw <= 15) }' ||
    lab_fail "stalled run: the backlog was not paced (or probes missing; see the line above)"

# 2. --max-runtime 3 at -r 1000, stopped for 1 s: ends on time, the rest unsent
t0=$(lab_now)
stall_run 1 -r 1000 -P 16 --max-runtime 3 -c 0 -O text -o /dev/null -m "$LAB_DIR/m2.json" 198.18.0.0/24
dt=$(lab_since "$t0")
[ "$rc" = 0 ] || lab_fail "--max-runtime run: exit status $rc: $(tail -3 "$LAB_DIR/err")"
echo "  --max-runtime 3 run: ended $dt s after it started"
awk -v t="$dt" 'BEGIN { exit !(t < 6) }' || lab_fail "--max-runtime 3 -c 0 took $dt s"
python3 - "$LAB_DIR/m2.json" <<'EOF' || lab_fail "--max-runtime run: the -m record (see above)"
import json, sys
m = json.load(open(sys.argv[1]))
print("  -m: rate %s, probes %s" % (m['rate'], m['probes']))
# 3000 due by the deadline; ~1 s of it owed at SIGCONT, caught up at 1/16 of the rate
assert 1000 <= m['probes']['sent'] < 2900, m['probes']
assert m['rate']['behind_max_s'] >= 0.5, m['rate']
EOF

# 3. -r max: no schedule, nothing to fall behind
lab_scan 20 -q -r max -c 0 -o /dev/null -m "$LAB_DIR/m3.json" 198.18.0.0/24
rc=$?   # 1: no reply before the end, which -c 0 allows
[ "$rc" -le 1 ] || lab_fail "-r max run: exit status $rc"
python3 -c "import json,sys; m = json.load(open(sys.argv[1])); assert m['rate']['behind_max_s'] is None, m['rate']" \
    "$LAB_DIR/m3.json" || lab_fail "-r max: rate.behind_max_s is not null"
exit $LAB_FAILED
