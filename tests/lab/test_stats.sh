#!/bin/bash
# test_stats: per-host statistics (--stats) against hosts with known impairments (netem, or the
# lab's userspace stand-in when the kernel has no sch_netem): 20% loss over 500 probes stays within
# binomial bounds, "delay 10ms 2ms" gives min/avg/max inside 8..14 ms, 100% duplication is counted
# once per probe; the fping-shaped text summary and --loop periods are checked too.
. "$(dirname "$0")/lab.sh"
N=es-stats$$
lab_trap "$N"
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 0.5 --unreach-frac 0 --seed 5 || exit 1
lossy=$(sed -n 2p "$LAB_DIR/live.txt") slow=$(sed -n 4p "$LAB_DIR/live.txt")
dup=$(sed -n 6p "$LAB_DIR/live.txt") plain=$(sed -n 8p "$LAB_DIR/live.txt")
lab_add_netem_host "$lossy" "loss 20%" || exit 1
lab_add_netem_host "$slow" "delay 10ms 2ms" || exit 1
lab_add_netem_host "$dup" "duplicate 100%" || exit 1
echo "loss 20%: $lossy; delay 10ms 2ms: $slow; duplicate 100%: $dup; plain: $plain"

out=$LAB_DIR/stats.csv err=$LAB_DIR/stats.err
lab_scan 60 -q -P 500 --interval 0.01 -c 1 --stats -O csv "$lossy" "$slow" "$dup" "$plain" >"$out" 2>"$err"
rc=$?
[ $rc = 0 ] || { lab_fail "--stats run: exit status $rc, expected 0"; sed 's/^/  stderr: /' "$err" >&2; }
sed 's/^/  /' "$out"
head -1 "$out" | grep -qx 'saddr,sent,received,loss,rtt_min_us,rtt_avg_us,rtt_max_us,rtt_mdev_us,jitter_us' ||
    lab_fail "unexpected header: $(head -1 "$out")"
row() { awk -F, -v a="$1" '$1 == a' "$out"; }
check() { # ADDR AWK-CONDITION DESCRIPTION  (fields: $2 sent $3 received $4 loss $5 min $6 avg $7 max)
    local r; r=$(row "$1")
    [ -n "$r" ] || { lab_fail "no row for $1"; return; }
    echo "$r" | awk -F, "{ exit !($2) }" || lab_fail "$1: $3 (row: $r)"
}
# 500 probes, p = 0.2: mean 100 lost, sd 8.9; 60..140 is beyond 4.4 sd on each side
check "$lossy" '$2 == 500 && $3 >= 360 && $3 <= 440' "received outside the binomial bounds 360..440 for 20% loss"
check "$slow" '$2 == 500 && $3 == 500' "expected 500/500"
# the userspace stand-in (python) adds scheduling spikes of its own to the maximum
maxbound=14500; [ -n "$LAB_EMULATED" ] && maxbound=40000
check "$slow" "\$5 >= 7500 && \$5 <= 10000 && \$6 >= 9000 && \$6 <= 11500 && \$7 >= 10000 && \$7 <= $maxbound" \
    "min/avg/max not consistent with delay 10ms 2ms (max bound $maxbound us)"
check "$dup" '$2 == 500 && $3 == 500 && $4 == 0' "duplicates must be counted once (500/500, 0% loss)"
check "$plain" '$2 == 500 && $3 == 500 && $6 < 5000' "plain host: expected 500/500 and avg < 5 ms"

# fping's summary shape in text mode, including a silent host
silent=$(sed -n 1p "$LAB_DIR/live.txt" | awk -F. '{ print $1"."$2"."$3"."(($4+1)%256) }')
grep -qx "$silent" "$LAB_DIR/live.txt" && silent=198.18.0.255
txt=$(lab_scan 20 -q -P 3 --interval 0.05 -c 1 --stats "$plain" "$silent" 2>&1)
echo "$txt" | sed 's/^/  /'
# (the addresses are padded so the colons line up, as fping pads its host names)
echo "$txt" | grep -Eq "^$plain +: xmt/rcv/%loss = 3/3/0%, min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+$" ||
    lab_fail "text summary for $plain not in fping's shape"
grep -qx "$silent" "$LAB_DIR/live.txt" ||
    echo "$txt" | grep -Eqx "$silent +: xmt/rcv/%loss = 3/0/100%" || lab_fail "text summary for silent $silent"

# --loop: several periods, each with its own sent count, until SIGINT
loop=$LAB_DIR/loop.json
lab_exec_s timeout -s INT 3.6 "$ECHOSCAN" -q --loop --report-every 1 --interval 0.1 -c 0.5 -O json \
    "$plain" >"$loop" 2>"$LAB_DIR/loop.err"
periods=$(grep -c '"saddr":"'"$plain"'"' "$loop")
[ "$periods" -ge 3 ] || lab_fail "--loop: $periods periods in 3.6 s, expected at least 3"
python3 - "$loop" <<'PY' || lab_fail "--loop: bad period records"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
full = rows[:-1]  # the last period is cut short by SIGINT
assert all(8 <= r["sent"] <= 12 and r["received"] == r["sent"] for r in full), rows
assert all("timestamp" in r for r in rows), rows
PY
exit $LAB_FAILED
