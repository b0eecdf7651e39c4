#!/bin/bash
# test_xdp: the AF_XDP send backend in the lab (skipped, saying why, where the kernel has no AF_XDP
# sockets). A /16 with 20% live, 2% unreachable, the rest silent:
#  - `--tx xdp -r 200000 -c 2 --all` classifies exactly the live set as echoreply and the
#    unreachable set as unreach, exit status 0, and the summary names the mode the kernel granted
#    (xdp-copy on veth, which has no zero-copy AF_XDP);
#  - `--tx xdp --xdp-mode zerocopy` on veth exits 2 naming the driver and the fix (--xdp-mode copy);
#  - `--xdp-mode` without `--tx xdp` exits 2.
. "$(dirname "$0")/lab.sh"
N=es-xdp$$
lab_trap "$N"
lab_up "$N" --seed 13 || exit 1
echo "lab: $LAB_NLIVE live, $LAB_NUNREACH unreachable in $LAB_PREFIX"

if ! lab_scan 20 -q --tx xdp -c 0 -o /dev/null 198.18.0.1 2>"$LAB_DIR/probe.err" &&
   grep -q "no AF_XDP sockets" "$LAB_DIR/probe.err"; then
    echo "skip: $(cat "$LAB_DIR/probe.err")"
    exit "$LAB_SKIP"
fi

out=$LAB_DIR/all.csv err=$LAB_DIR/all.err
lab_scan 40 --tx xdp -r 200000 -c 2 --all -O csv -f saddr,classification "$LAB_PREFIX" >"$out" 2>"$err"
rc=$?
[ $rc = 0 ] || { lab_fail "--tx xdp sweep: exit status $rc, expected 0"; sed 's/^/  stderr: /' "$err" | tail -20 >&2; }
tail -n +2 "$out" | awk -F, '$2 == "echoreply" { print $1 }' >"$LAB_DIR/got_live"
tail -n +2 "$out" | awk -F, '$2 == "unreach" { print $1 }' >"$LAB_DIR/got_unreach"
lab_cmp_sets "--tx xdp: echoreply rows vs live.txt" "$LAB_DIR/live.txt" "$LAB_DIR/got_live" ||
    lab_fail "--tx xdp: the echoreply rows differ from the live set"
lab_cmp_sets "--tx xdp: unreach rows vs unreach.txt" "$LAB_DIR/unreach.txt" "$LAB_DIR/got_unreach" ||
    lab_fail "--tx xdp: the unreach rows differ from the unreachable set"
grep -q '^send rate: .*(xdp-copy)$' "$err" ||
    lab_fail "--tx xdp on veth: summary should name xdp-copy: $(grep '^send rate' "$err")"
grep -q '^probes sent: 65536$' "$err" || lab_fail "--tx xdp: $(grep '^probes sent' "$err"), expected 65536"
echo "--tx xdp: $(wc -l <"$LAB_DIR/got_live") live, $(wc -l <"$LAB_DIR/got_unreach") unreachable; $(grep '^send rate' "$err")"

lab_scan 20 --tx xdp --xdp-mode zerocopy -c 0 -o /dev/null 198.18.0.1 2>"$LAB_DIR/zc.err"
rc=$?
[ $rc = 2 ] || lab_fail "--xdp-mode zerocopy on veth: exit status $rc, expected 2"
grep -q 'ves: .*zero-copy.*--xdp-mode copy' "$LAB_DIR/zc.err" ||
    lab_fail "--xdp-mode zerocopy on veth: message should name ves and --xdp-mode copy: $(cat "$LAB_DIR/zc.err")"

lab_scan 20 --xdp-mode copy -c 0 -o /dev/null 198.18.0.1 2>"$LAB_DIR/mode.err"
rc=$?
[ $rc = 2 ] || lab_fail "--xdp-mode without --tx xdp: exit status $rc, expected 2"
grep -q -- '--tx xdp' "$LAB_DIR/mode.err" || lab_fail "--xdp-mode without --tx xdp: $(cat "$LAB_DIR/mode.err")"
exit $LAB_FAILED
