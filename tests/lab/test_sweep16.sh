#!/bin/bash
# test_sweep16: a /16 with 20% live, 2% unreachable, the rest silent.
#  - `echoscan -r 100000 -c 2 -O text 198.18.0.0/16` prints exactly the live set, exit status 0;
#  - `--all -O csv -f saddr,classification,success` classifies exactly the unreachable set as
#    "unreach" (success 0) and the live set as "echoreply" (success 1).
. "$(dirname "$0")/lab.sh"
N=es-sw$$
lab_trap "$N"
lab_up "$N" --seed 16 || exit 1
echo "lab: $LAB_NLIVE live, $LAB_NUNREACH unreachable in $LAB_PREFIX"

out=$LAB_DIR/text.out err=$LAB_DIR/text.err
lab_scan 30 -r 100000 -c 2 -O text "$LAB_PREFIX" >"$out" 2>"$err"
rc=$?
[ $rc = 0 ] || { lab_fail "echoscan -r 100000 -c 2 -O text $LAB_PREFIX: exit status $rc, expected 0"; sed 's/^/  stderr: /' "$err" | tail -20 >&2; }
bad=$(grep -cvE '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' "$out")
[ "$bad" = 0 ] || lab_fail "-O text: $bad lines are not a bare address, e.g. '$(grep -vE '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' "$out" | head -1)'"
lab_cmp_sets "-O text vs live.txt" "$LAB_DIR/live.txt" <(lab_addrs "$out") || lab_fail "-O text output differs from the live set"
echo "text scan: $(wc -l <"$out") lines, exit $rc"

out=$LAB_DIR/all.csv err=$LAB_DIR/all.err
lab_scan 30 -r 100000 -c 2 --all -O csv -f saddr,classification,success "$LAB_PREFIX" >"$out" 2>"$err"
rc=$?
[ $rc = 0 ] || { lab_fail "--all -O csv: exit status $rc, expected 0"; sed 's/^/  stderr: /' "$err" | tail -20 >&2; }
hdr=$(head -1 "$out")
[ "$hdr" = "saddr,classification,success" ] || lab_fail "CSV header '$hdr', expected 'saddr,classification,success'"
tail -n +2 "$out" | awk -F, '$2 == "unreach" { print $1 }' >"$LAB_DIR/got_unreach"
tail -n +2 "$out" | awk -F, '$2 == "echoreply" { print $1 }' >"$LAB_DIR/got_live"
lab_cmp_sets "unreach rows vs unreach.txt" "$LAB_DIR/unreach.txt" "$LAB_DIR/got_unreach" || lab_fail "the 'unreach' rows differ from the unreachable set"
lab_cmp_sets "echoreply rows vs live.txt" "$LAB_DIR/live.txt" "$LAB_DIR/got_live" || lab_fail "the 'echoreply' rows differ from the live set"
n=$(tail -n +2 "$out" | awk -F, '$2 == "unreach" && $3 != "0"' | wc -l)
[ "$n" = 0 ] || lab_fail "$n unreach rows have success != 0, e.g. $(tail -n +2 "$out" | awk -F, '$2 == "unreach" && $3 != "0"' | head -1)"
n=$(tail -n +2 "$out" | awk -F, '$2 == "echoreply" && $3 != "1"' | wc -l)
[ "$n" = 0 ] || lab_fail "$n echoreply rows have success != 1, e.g. $(tail -n +2 "$out" | awk -F, '$2 == "echoreply" && $3 != "1"' | head -1)"
n=$(tail -n +2 "$out" | awk -F, '$2 != "echoreply" && $2 != "unreach"' | wc -l)
[ "$n" = 0 ] || lab_fail "$n rows with another classification, e.g. $(tail -n +2 "$out" | awk -F, '$2 != "echoreply" && $2 != "unreach"' | head -1)"
echo "--all scan: $(($(wc -l <"$out") - 1)) rows, exit $rc"
exit $LAB_FAILED
