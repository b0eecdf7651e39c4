#!/bin/bash
# test_sighup: SIGHUP (a closed terminal, an ssh drop) ends a scan like SIGTERM: a slow sweep
# (-r 2000 over a /16, -O json -f '*', -o FILE) exits 0 soon after, the file holds only whole JSON
# lines of live hosts, the summary is on stderr; `--loop --stats` writes its last period; and
# `echoscan ping` prints its statistics on SIGHUP and on SIGTERM.
. "$(dirname "$0")/lab.sh"
N=es-hup$$
lab_trap "$N"
lab_up "$N" --seed 12 || exit 1

wait_gone() {   # PID SECS
    local i
    for i in $(seq $(($2 * 10))); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null
    return 1
}

out=$LAB_DIR/out.json err=$LAB_DIR/err
ip netns exec "$LAB_S" "$ECHOSCAN" -r 2000 --cooldown 0.5 -O json -f '*' -o "$out" "$LAB_PREFIX" 2>"$err" &
pid=$!
sleep 1.5
kill -0 $pid 2>/dev/null || { wait $pid; lab_fail "sweep ended (status $?) before SIGHUP"; exit 1; }
kill -HUP $pid
wait_gone $pid 5 || lab_fail "sweep still running 5 s after SIGHUP (killed)"
wait $pid; rc=$?
echo "sweep: exit status $rc after SIGHUP; $(wc -l <"$out") lines"
[ $rc = 0 ] || lab_fail "sweep: exit status $rc after SIGHUP, expected 0"
grep -qF -- '--- echoscan summary ---' "$err" || lab_fail "sweep: no summary on stderr after SIGHUP: $(head -3 "$err")"
if ! python3 - "$out" "$LAB_DIR/live.txt" <<'PY'
import json, sys
data = open(sys.argv[1], "rb").read()
live = set(open(sys.argv[2]).read().split())
if not data.endswith(b"\n"):
    sys.exit("output does not end with a newline")
lines = data.decode().splitlines()
if not lines:
    sys.exit("no results before SIGHUP")
for l in lines:
    r = json.loads(l)
    if r["saddr"] not in live:
        sys.exit("not a live host: " + l)
if len(lines) >= len(live):
    sys.exit("%d results: the scan was not interrupted" % len(lines))
PY
then lab_fail "sweep: bad output file after SIGHUP"; fi

# --loop --stats: the last period's records are written
ip netns exec "$LAB_S" "$ECHOSCAN" --loop --stats -r 5000 -O json "$(sed -n 1p "$LAB_DIR/live.txt")" \
    >"$out" 2>"$err" &
pid=$!
sleep 1.5
kill -HUP $pid
wait_gone $pid 5 || lab_fail "--loop still running 5 s after SIGHUP (killed)"
wait $pid; rc=$?
[ $rc = 0 ] || lab_fail "--loop: exit status $rc after SIGHUP, expected 0: $(head -3 "$err")"
grep -q '"received":[1-9]' "$out" || lab_fail "--loop: no statistics records after SIGHUP: $(head -c 300 "$out")"

# ping: HUP and TERM print the statistics
for sig in HUP TERM; do
    ip netns exec "$LAB_S" "$ECHOSCAN" ping -i 0.2 "$(sed -n 2p "$LAB_DIR/live.txt")" >"$out" 2>"$err" &
    pid=$!
    sleep 1
    kill -$sig $pid
    wait_gone $pid 5 || lab_fail "ping still running 5 s after SIG$sig (killed)"
    wait $pid; rc=$?
    [ $rc = 0 ] || lab_fail "ping: exit status $rc after SIG$sig, expected 0"
    grep -q -- '--- .* ping statistics ---' "$out" || lab_fail "ping: no statistics after SIG$sig: $(tail -2 "$out")"
    grep -q 'packets transmitted, [1-9][0-9]* received' "$out" || lab_fail "ping: no replies counted after SIG$sig"
done
exit $LAB_FAILED
