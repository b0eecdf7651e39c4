#!/bin/bash
# test_forged6: forged ICMPv6 replies during an IPv6 sweep are rejected, never reported as hosts.
#  2001:db8:1::/112 with 20% live, 2% unreachable, the rest silent. While `echoscan -r 20000 -c 2
#  -O text` sweeps it, tests/lab/forge6.c (built here) sends 200,000 forged frames from the target
#  side at 100,000/s: echo replies with valid checksums, random identifier/sequence/payload and
#  flow label, spoofed from silent and live addresses, some with a wrong checksum; unreachables,
#  time-exceededs, packet-too-bigs and parameter problems from the gateway and from prefix
#  addresses, quoting probe-shaped requests to silent addresses (whole or cut to the headers);
#  cut-short frames (see its header).
#  - the output is exactly the live set: no forged host, no live host lost; exit status 0;
#  - the summary's "invalid" count is above 0 (the forged frames were seen and rejected).
. "$(dirname "$0")/lab.sh"
N=es-fg6$$
lab_trap "$N"
lab_up "$N" --prefix 198.18.7.0/24 --seed 21 || exit 1
lab_add_v6 --prefix 2001:db8:1::/112 --seed 22 || exit 1
echo "lab: $LAB_NLIVE6 live, $LAB_NUNREACH6 unreachable in $LAB_PREFIX6"

FORGE=$LAB_DIR/forge6
cc -O2 -std=c11 -Wall -Wextra -Werror -o "$FORGE" "$LAB_ROOT/tests/lab/forge6.c" ||
    { lab_fail "cannot build tests/lab/forge6.c"; exit 1; }
SMAC=$(ip -n "$LAB_S" -br link show ves | awk '{print $3}')
out=$LAB_DIR/scan.out err=$LAB_DIR/scan.err

lab_scan 60 -r 20000 -c 2 -O text "$LAB_PREFIX6" >"$out" 2>"$err" &
scan=$!
lab_exec_t "$FORGE" -i vet -m "$SMAC" -s 2001:db8::2 -g "$LAB_GW6" -p "$LAB_PREFIX6" \
    -l "$LAB_DIR/live6.txt" -u "$LAB_DIR/unreach6.txt" -n 200000 -r 100000 -w 0.3 -S $$ \
    >"$LAB_DIR/forge.out" 2>"$LAB_DIR/forge.err"
frc=$?
wait $scan
rc=$?
[ $frc = 0 ] || lab_fail "forge6: exit status $frc: $(cat "$LAB_DIR/forge.err")"
echo "forge6: $(tail -1 "$LAB_DIR/forge.out")"
[ $rc = 0 ] || { lab_fail "echoscan -r 20000 -c 2 -O text $LAB_PREFIX6 under the flood: exit status $rc, expected 0"; sed 's/^/  stderr: /' "$err" | tail -20 >&2; }
bad=$(grep -cvE '^2001:db8:1::[0-9a-f]{0,4}$' "$out")
[ "$bad" = 0 ] || lab_fail "$bad output lines are not an address of the prefix, e.g. '$(grep -vE '^2001:db8:1::[0-9a-f]{0,4}$' "$out" | head -1)'"
lab_cmp_sets "hosts reported under the flood vs live6.txt" "$LAB_DIR/live6.txt" "$out" ||
    lab_fail "the hosts reported under the flood differ from the live set"
invalid=$(awk -F': *' '$1 == "invalid" { split($2, a, /[^0-9]/); print a[1] }' "$err")
[ -n "$invalid" ] || lab_fail "no 'invalid:' line in the summary: $(cat "$err")"
[ "${invalid:-0}" -gt 0 ] || lab_fail "summary says invalid: ${invalid:-?}; the forged frames were not seen"
grep -E '^(hosts up|invalid|pcap drops|duration)' "$err" | paste -sd' ' | sed 's/^/echoscan: /'
exit $LAB_FAILED
