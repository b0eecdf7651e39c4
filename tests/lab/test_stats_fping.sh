#!/bin/bash
# test_stats_fping: `echoscan --stats` text is fping's summary, byte for byte once the times are
# masked: the same hosts (live ones whose addresses have 10, 11 and 12 characters, an unreachable
# one, a silent one) probed 3 times by `fping -c 3 -q` and by `echoscan -P 3 --stats` in the same
# lab give the same lines, the colon aligned over all hosts. Also when only some targets are
# probed (-n: the rows come from replaying the order), the colons of a report line up.
. "$(dirname "$0")/lab.sh"
N=es-fping$$
lab_trap "$N"
command -v fping >/dev/null || { echo "skip: fping not installed"; exit "$LAB_SKIP"; }
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 0.5 --unreach-frac 0.1 --seed 8 || exit 1

pick() { grep -E "^198\.18\.0\.$1\$" "$LAB_DIR/live.txt" | head -1; }
hosts=("$(pick '[0-9]')" "$(pick '[1-9][0-9]')" "$(pick '1[0-9][0-9]')" "$(pick '2[0-9][0-9]')"
       "$(head -1 "$LAB_DIR/unreach.txt")")
silent=$(comm -23 <(python3 -c "import ipaddress; print('\n'.join(str(a) for a in ipaddress.ip_network('198.18.0.0/24')))" | sort) \
    <(sort "$LAB_DIR/live.txt" "$LAB_DIR/unreach.txt") | head -1)
hosts+=("$silent")
for h in "${hosts[@]}"; do [ -n "$h" ] || { lab_fail "lab ground truth lacks a host of some width: ${hosts[*]}"; exit 1; }; done
mapfile -t hosts < <(printf '%s\n' "${hosts[@]}" | lab_sortip)
echo "hosts: ${hosts[*]}"

mask() { sed -E 's#min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+$#min/avg/max = T/T/T#'; }
lab_exec_s fping -c 3 -p 50 -q "${hosts[@]}" 2>&1 | mask >"$LAB_DIR/fping.txt"
lab_scan 20 -q -P 3 --interval 0.05 -c 1 --stats "${hosts[@]}" 2>&1 | mask >"$LAB_DIR/echoscan.txt"
echo "fping -c 3 -p 50 -q (times masked):"; sed 's/^/  /' "$LAB_DIR/fping.txt"
echo "echoscan -q -P 3 --interval 0.05 -c 1 --stats (times masked):"; sed 's/^/  /' "$LAB_DIR/echoscan.txt"
[ "$(wc -l <"$LAB_DIR/fping.txt")" = ${#hosts[@]} ] || lab_fail "fping printed $(wc -l <"$LAB_DIR/fping.txt") lines for ${#hosts[@]} hosts"
cmp -s "$LAB_DIR/fping.txt" "$LAB_DIR/echoscan.txt" ||
    { lab_fail "echoscan --stats text differs from fping's summary:"; diff "$LAB_DIR/fping.txt" "$LAB_DIR/echoscan.txt" >&2; }

# -n 4 of 6 hosts, 2 passes: the rows come from replaying the order; their colons line up too
lab_scan 20 -q -P 2 --interval 0.05 -c 1 -n 4 --seed 3 --stats "${hosts[@]}" >"$LAB_DIR/n4.txt" 2>&1
sed 's/^/  /' "$LAB_DIR/n4.txt"
[ "$(wc -l <"$LAB_DIR/n4.txt")" = 4 ] || lab_fail "-n 4: $(wc -l <"$LAB_DIR/n4.txt") rows, expected 4"
cols=$(awk '{ print index($0, " : ") }' "$LAB_DIR/n4.txt" | sort -u)
want=$(lab_addrs "$LAB_DIR/n4.txt" | awk '{ if (length($0) > m) m = length($0) } END { print m + 1 }')
[ "$cols" = "$want" ] || lab_fail "-n 4: the colons are at columns $(echo $cols), expected all at $want"
exit $LAB_FAILED
