#!/bin/bash
# test_forged: forged replies during a sweep are rejected, never reported as hosts.
#  A /16 with 20% live, 2% unreachable, the rest silent. While `echoscan -r 20000 -c 2 -O text`
#  sweeps it, tests/lab/forge.c (built here) sends 200,000 forged frames from the target side at
#  100,000/s: echo replies with random id/seq and probe-shaped payloads from silent and live
#  addresses, some with a wrong checksum, unreachables and time-exceededs quoting probe-shaped
#  requests to silent addresses, and cut-short frames (see its header).
#  - the output is exactly the live set: no forged host, no live host lost; exit status 0;
#  - the summary's "invalid" count is above 0 (the forged frames were seen and rejected).
. "$(dirname "$0")/lab.sh"
N=es-fg$$
lab_trap "$N"
lab_up "$N" --seed 21 || exit 1
echo "lab: $LAB_NLIVE live, $LAB_NUNREACH unreachable in $LAB_PREFIX"

FORGE=$LAB_DIR/forge
cc -O2 -std=c11 -Wall -Wextra -Werror -o "$FORGE" "$LAB_ROOT/tests/lab/forge.c" ||
    { lab_fail "cannot build tests/lab/forge.c"; exit 1; }
SMAC=$(ip -n "$LAB_S" -br link show ves | awk '{print $3}')
out=$LAB_DIR/scan.out err=$LAB_DIR/scan.err

lab_scan 60 -r 20000 -c 2 -O text "$LAB_PREFIX" >"$out" 2>"$err" &
scan=$!
lab_exec_t "$FORGE" -i vet -m "$SMAC" -s 198.19.0.1 -p "$LAB_PREFIX" -l "$LAB_DIR/live.txt" \
    -u "$LAB_DIR/unreach.txt" -n 200000 -r 100000 -w 0.3 -S $$ >"$LAB_DIR/forge.out" 2>"$LAB_DIR/forge.err"
frc=$?
wait $scan
rc=$?
[ $frc = 0 ] || lab_fail "forge: exit status $frc: $(cat "$LAB_DIR/forge.err")"
echo "forge: $(tail -1 "$LAB_DIR/forge.out")"
[ $rc = 0 ] || { lab_fail "echoscan -r 20000 -c 2 -O text $LAB_PREFIX under the flood: exit status $rc, expected 0"; sed 's/^/  stderr: /' "$err" | tail -20 >&2; }
bad=$(grep -cvE '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' "$out")
[ "$bad" = 0 ] || lab_fail "$bad output lines are not a bare address, e.g. '$(grep -vE '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' "$out" | head -1)'"
lab_cmp_sets "hosts reported under the flood vs live.txt" "$LAB_DIR/live.txt" <(lab_addrs "$out") ||
    lab_fail "the hosts reported under the flood differ from the live set"
invalid=$(awk -F': *' '$1 == "invalid" { split($2, a, /[^0-9]/); print a[1] }' "$err")
[ -n "$invalid" ] || lab_fail "no 'invalid:' line in the summary: $(cat "$err")"
[ "${invalid:-0}" -gt 0 ] || lab_fail "summary says invalid: ${invalid:-?}; the forged frames were not seen"
grep -E '^(hosts up|invalid|pcap drops|duration)' "$err" | paste -sd' ' | sed 's/^/echoscan: /'
exit $LAB_FAILED
