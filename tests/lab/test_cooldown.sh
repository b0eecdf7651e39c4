#!/bin/bash
# test_cooldown: the default (adaptive) cooldown. Without -c a scan ends once no reply can still be in
# flight: 4 x the slowest RTT seen, at least 1 s and at most 8 s after the last probe.
#   - a silent host, no -c: ends after the 1 s floor and well before the old 8 s (bound < 3 s, generous
#     for a shared machine), exit status 1;
#   - a host behind a 300 ms delay plus a silent host (so "every target answered" cannot end the scan
#     early; the first and only reply is the slow one), no -c: found, exit 0, ends within 3 s;
#   - hosts behind 600 ms and 1200 ms delays plus a silent host, no -c: both found; the 1.2 s reply
#     comes after the 1 s floor, so only the window moving out once the 600 ms reply is seen (to
#     4 x 0.6 = 2.4 s after the last probe) catches it; then the window is 4 x 1.2 = 4.8 s, and the
#     scan lasts that long (at least 4.75 s, well under the 8 s cap: bound 7.5 s);
#   - an explicit -c is honoured exactly: a silent host with -c 2 takes at least 2 s.
. "$(dirname "$0")/lab.sh"
N=es-cd$$
lab_trap "$N"
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 0.5 --unreach-frac 0 --seed 8 || exit 1
silent=$(comm -23 <(python3 -c 'print("\n".join("198.18.0.%d" % i for i in range(256)))' | sort) \
    <(sort "$LAB_DIR/live.txt") | head -1)
d300=$(sed -n 2p "$LAB_DIR/live.txt") d600=$(sed -n 5p "$LAB_DIR/live.txt") d1200=$(sed -n 9p "$LAB_DIR/live.txt")
lab_add_netem_host "$d300" "delay 300ms" || exit 1
lab_add_netem_host "$d600" "delay 600ms" || exit 1
lab_add_netem_host "$d1200" "delay 1200ms" || exit 1
echo "silent $silent; delayed: $d300 (300 ms), $d600 (600 ms), $d1200 (1200 ms)$([ -n "$LAB_EMULATED" ] && echo ', userspace emulator')"

# run LABEL ARGS...: scans, sets RC, SECS (wall) and OUT (the hosts found, one a line)
run() {
    local label=$1 t0; shift
    t0=$(lab_now)
    lab_scan 30 -O text "$@" >"$LAB_DIR/out" 2>"$LAB_DIR/err"
    RC=$? SECS=$(lab_since "$t0") OUT=$(lab_addrs "$LAB_DIR/out" | sort | tr '\n' ' ')
    echo "$label: exit $RC after $SECS s, found: ${OUT:-nothing}"
}
slower() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'; }

run "silent host, no -c" "$silent"
[ $RC = 1 ] || lab_fail "silent host without -c: exit status $RC, expected 1 ($(tail -3 "$LAB_DIR/err"))"
slower "$SECS" 3 && lab_fail "silent host without -c took $SECS s, expected about 1 s (bound 3 s)"
slower "$SECS" 0.95 || lab_fail "silent host without -c ended after $SECS s, before the 1 s floor"

run "300 ms host + silent host, no -c" "$d300" "$silent"
[ $RC = 0 ] || lab_fail "300 ms host without -c: exit status $RC, expected 0"
[ "$OUT" = "$d300 " ] || lab_fail "300 ms host without -c: found '$OUT', expected $d300"
slower "$SECS" 3 && lab_fail "300 ms host + silent host without -c took $SECS s, expected about 1.2 s (bound 3 s)"

run "600 ms, 1200 ms and silent hosts, no -c" "$d600" "$d1200" "$silent"
[ $RC = 0 ] || lab_fail "600/1200 ms hosts without -c: exit status $RC, expected 0"
want=$(printf '%s\n' "$d600" "$d1200" | sort | tr '\n' ' ')
[ "$OUT" = "$want" ] || lab_fail "600/1200 ms hosts without -c: found '$OUT', expected $want"
slower "$SECS" 4.75 || lab_fail "600/1200 ms hosts without -c: ended after $SECS s, before 4 x 1.2 s"
slower "$SECS" 7.5 && lab_fail "600/1200 ms hosts without -c took $SECS s, expected about 4.8 s (bound 7.5 s)"

run "silent host, -c 2" -c 2 "$silent"
[ $RC = 1 ] || lab_fail "silent host with -c 2: exit status $RC, expected 1"
slower "$SECS" 2 || lab_fail "silent host with -c 2 ended after $SECS s: the explicit cooldown was cut short"
exit $LAB_FAILED
