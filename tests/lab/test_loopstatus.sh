#!/bin/bash
# test_loopstatus: --loop with --status shows the pass number, never a percent past 100 or an
# absurd time left (one pass is not the run); periods in which nothing was sent write no records
# (--interval 5 with --report-every 1, stopped between passes: only the first period, no 0/0/0%
# rows); and --max-runtime is an exact budget like the rate: -r 1000 for 1.0000001 s sends probes
# 0..1000 (probe 1000 is due 100 ns before the deadline), 1001 in all (less only by what the
# sender's reported lag holds, when a loaded machine held it up).
. "$(dirname "$0")/lab.sh"
N=es-ls$$
lab_trap "$N"
lab_up "$N" --seed 17 || exit 1

hosts=$(head -4 "$LAB_DIR/live.txt" | paste -sd' ')
out=$LAB_DIR/out err=$LAB_DIR/err
# shellcheck disable=SC2086
ip netns exec "$LAB_S" "$ECHOSCAN" --loop --status --stats -O text --interval 5 --report-every 1 \
    --cooldown 0.3 $hosts >"$out" 2>"$err" &
pid=$!
sleep 4.2          # passes start at 0 s and 5 s; periods end at 3.5 s, 4.5 s, ...
kill -TERM $pid
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -KILL $pid 2>/dev/null && lab_fail "--loop still running 5 s after SIGTERM (killed)"
wait $pid; rc=$?
echo "--loop: exit $rc; status lines:"; grep -E '^[0-9]+:[0-9]{2} ' "$err" | sed 's/^/  /' | head -6
echo "records:"; sed 's/^/  /' "$out"
[ $rc = 0 ] || lab_fail "--loop: exit $rc, expected 0"
st=$(grep -cE '^[0-9]+:[0-9]{2} ' "$err")
[ "$st" -ge 3 ] || lab_fail "--loop --status: $st status lines in 4 s, expected at least 3"
bad=$(grep -E '^[0-9]+:[0-9]{2} ' "$err" | grep -vE '^[0-9:]+ pass [0-9]+( \([0-9:]+ left, cooling down\))?; sent: ')
[ -z "$bad" ] || lab_fail "--loop --status: not a pass count: $(printf '%s\n' "$bad" | head -2)"
grep -q ' 0/0/' "$out" && lab_fail "--loop: rows for hosts never probed in their period: $(grep -c ' 0/0/' "$out")"
hdrs=$(grep -cE '^\[[0-9]{2}:[0-9]{2}:[0-9]{2}\]$' "$out")
[ "$hdrs" = 1 ] || lab_fail "--loop: $hdrs periods written, expected 1 (only the first had a pass)"
rows=$(grep -c 'xmt/rcv/%loss = 1/1/0%' "$out")
[ "$rows" = 4 ] || lab_fail "--loop: $rows rows '1/1/0%', expected 4"

# --max-runtime: an exact budget
lab_scan 20 -r 1000 --max-runtime 1.0000001 --cooldown 0.2 -o "$out" "$LAB_PREFIX" 2>"$err"
sent=$(awk -F': ' '/^probes sent:/ { print $2 + 0 }' "$err")
# a sender that fell behind (a loaded machine; the summary says how far) catches up at 17/16 of the
# rate, never in a burst: what it still owed after the deadline's grace stays unsent
b=$(sed -n 's/^behind schedule: \([0-9.]*\) ms at most.*/\1/p' "$err")
echo "--max-runtime 1.0000001 -r 1000: $sent probes sent${b:+ (behind schedule: $b ms at most)}"
if [ -z "$b" ]; then
    [ "$sent" = 1001 ] || lab_fail "--max-runtime 1.0000001 -r 1000: $sent probes sent, expected 1001"
else
    awk -v s="${sent:-0}" -v b="$b" 'BEGIN { exit !(s <= 1001 && 1001 - s <= b + 1) }' ||
        lab_fail "--max-runtime 1.0000001 -r 1000: $sent probes sent, $b ms behind: expected 1001 less at most $b ms of traffic"
fi
exit $LAB_FAILED
