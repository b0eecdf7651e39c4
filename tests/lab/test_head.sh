#!/bin/bash
# test_head: `echoscan -O text -r 100000 -c 8 198.18.0.0/16 | head -3` ends the scan quietly:
# exit status 0, 3 lines, no error text on stderr, and it stops at once (< 3 s) rather than
# sending everything and waiting out the 8 s cooldown.
. "$(dirname "$0")/lab.sh"
N=es-hd$$
lab_trap "$N"
lab_up "$N" --seed 5 || exit 1

out=$LAB_DIR/head.out err=$LAB_DIR/head.err
t0=$(lab_now)
lab_scan 20 -O text -r 100000 -c 8 "$LAB_PREFIX" 2>"$err" | head -3 >"$out"
st=("${PIPESTATUS[@]}")
dt=$(lab_since "$t0")
echo "echoscan | head -3: exit ${st[0]}, $dt s"
sed 's/^/  stdout: /' "$out"; sed 's/^/  stderr: /' "$err"
[ "${st[0]}" = 0 ] || lab_fail "echoscan exit status ${st[0]}, expected 0 (141 = killed by SIGPIPE)"
n=$(wc -l <"$out")
[ "$n" = 3 ] || lab_fail "$n lines, expected 3"
while read -r a; do
    grep -qxF "$a" "$LAB_DIR/live.txt" || lab_fail "'$a' is not a live host"
done <"$out"
if grep -qiE 'error|broken pipe|epipe|sigpipe' "$err"; then
    lab_fail "stderr has error text: $(grep -iE 'error|broken pipe|epipe|sigpipe' "$err" | head -3)"
fi
awk -v t="$dt" 'BEGIN { exit !(t < 3) }' || lab_fail "took $dt s, expected < 3 s (it should stop at once when the pipe closes)"
exit $LAB_FAILED
