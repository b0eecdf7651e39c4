#!/bin/bash
# test_sigint: SIGINT during a slow scan (-r 2000 over a /16, -c 1, -o FILE) ends it within a few
# seconds; the file holds only whole CSV records and ends with a newline; the summary is on stderr.
. "$(dirname "$0")/lab.sh"
N=es-si$$
lab_trap "$N"
lab_up "$N" --seed 9 || exit 1

out=$LAB_DIR/out.csv err=$LAB_DIR/err
set -m      # job control: the background scan must not inherit an ignored SIGINT
ip netns exec "$LAB_S" "$ECHOSCAN" -r 2000 -c 1 -o "$out" "$LAB_PREFIX" 2>"$err" &
pid=$!
set +m
sleep 1.5
if ! kill -0 $pid 2>/dev/null; then
    wait $pid; lab_fail "echoscan ended (status $?) before SIGINT"; sed 's/^/  stderr: /' "$err" >&2; exit 1
fi
kill -INT $pid
t0=$(lab_now)
for _ in $(seq 100); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
if kill -0 $pid 2>/dev/null; then
    kill -KILL $pid
    lab_fail "still running 10 s after SIGINT (with -c 1)"
fi
wait $pid; rc=$?
dt=$(lab_since "$t0")
echo "exit status $rc, $dt s after SIGINT; $(wc -l <"$out" 2>/dev/null) lines in the output file"
sed 's/^/  stderr: /' "$err"
[ $rc = 0 ] || lab_fail "exit status $rc after SIGINT, expected 0 (hosts had answered)"
awk -v t="$dt" 'BEGIN { exit !(t < 4) }' || lab_fail "took $dt s to exit after SIGINT, expected < 4 s (cooldown 1 s)"
if [ ! -s "$out" ]; then
    lab_fail "output file $out missing or empty"
else
    [ "$(tail -c1 "$out" | od -An -c | tr -d ' ')" = '\n' ] || lab_fail "output file does not end with a newline: ...$(tail -c 40 "$out")"
    hdr=$(head -1 "$out")
    [ "$hdr" = "saddr,rtt_us,ttl,classification,success" ] || lab_fail "header '$hdr', expected the default fields"
    bad=$(awk -F, 'NF != 5' "$out" | wc -l)
    [ "$bad" = 0 ] || lab_fail "$bad lines are not whole 5-field records, e.g. '$(awk -F, 'NF != 5' "$out" | head -1)'"
    rows=$(($(wc -l <"$out") - 1))
    [ $rows -gt 0 ] || lab_fail "no results before SIGINT"
    [ $rows -lt "$LAB_NLIVE" ] || lab_fail "$rows rows: the scan was not interrupted"
    extra=$(tail -n +2 "$out" | cut -d, -f1 | grep -cvxFf "$LAB_DIR/live.txt")
    [ "$extra" = 0 ] || lab_fail "$extra reported hosts are not live"
fi
grep -qF -- '--- echoscan summary ---' "$err" || lab_fail "no '--- echoscan summary ---' on stderr"
grep -qF 'hosts up:' "$err" || lab_fail "no 'hosts up:' on stderr"
exit $LAB_FAILED
