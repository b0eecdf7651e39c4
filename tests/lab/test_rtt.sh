#!/bin/bash
# test_rtt: a host whose replies are delayed 20 ms (netem, or the lab's userspace stand-in when the
# kernel has no sch_netem) reports rtt_us within 20000..25000; an ordinary host's rtt_us is < 5000.
. "$(dirname "$0")/lab.sh"
N=es-rtt$$
lab_trap "$N"
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 0.5 --unreach-frac 0 --seed 3 || exit 1
slow=$(sed -n 3p "$LAB_DIR/live.txt") fast=$(sed -n 7p "$LAB_DIR/live.txt")
lab_add_netem_host "$slow" "delay 20ms" || exit 1
echo "delayed host $slow (20 ms$([ -n "$LAB_EMULATED" ] && echo ', userspace emulator')), ordinary host $fast"

out=$LAB_DIR/rtt.csv err=$LAB_DIR/rtt.err
lab_scan 20 -c 1 -f saddr,rtt_us "$slow" "$fast" >"$out" 2>"$err"
rc=$?
[ $rc = 0 ] || { lab_fail "echoscan -c 1 -f saddr,rtt_us $slow $fast: exit status $rc, expected 0"; sed 's/^/  stderr: /' "$err" | tail -20 >&2; }
sed 's/^/  output: /' "$out"
rs=$(awk -F, -v a="$slow" '$1 == a { print $2 }' "$out")
rf=$(awk -F, -v a="$fast" '$1 == a { print $2 }' "$out")
if [ -z "$rs" ]; then lab_fail "no rtt_us for the delayed host $slow"
elif ! awk -v r="$rs" 'BEGIN { exit !(r + 0 >= 20000 && r + 0 <= 25000) }'; then
    lab_fail "delayed host $slow: rtt_us $rs, expected 20000..25000"; fi
if [ -z "$rf" ]; then lab_fail "no rtt_us for the ordinary host $fast"
elif ! awk -v r="$rf" 'BEGIN { exit !(r + 0 >= 0 && r + 0 < 5000) }'; then
    lab_fail "ordinary host $fast: rtt_us $rf, expected < 5000"; fi
n=$(tail -n +2 "$out" | wc -l)
[ "$n" = 2 ] || lab_fail "$n result rows, expected 2"
exit $LAB_FAILED
