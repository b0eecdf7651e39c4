#!/bin/bash
# test_route: the network plumbing comes from the kernel. With an empty neighbour table echoscan
# resolves the next hop's MAC itself; -i, -S and -G override what the routing and neighbour tables
# say; a wrong -G MAC means no replies (exit 1), proving the override reaches the wire.
. "$(dirname "$0")/lab.sh"
N=es-route$$
lab_trap "$N"
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 0.25 --unreach-frac 0 --seed 9 --dynamic-neigh || exit 1

if lab_exec_s ip neigh show 198.19.0.2 dev ves | grep -q lladdr; then
    lab_fail "precondition: the scanner already knows the gateway's MAC"
fi
out=$LAB_DIR/dyn.txt
lab_scan 20 -q -c 1 -O text 198.18.0.0/24 >"$out" 2>"$LAB_DIR/dyn.err" ||
    { lab_fail "scan with an empty neighbour table failed"; sed 's/^/  /' "$LAB_DIR/dyn.err" >&2; }
lab_cmp_sets "empty neighbour table" "$LAB_DIR/live.txt" "$out" || LAB_FAILED=1

tmac=$(lab_exec_t cat /sys/class/net/vet/address)
lab_scan 20 -q -c 1 -O text -i ves -S 198.19.0.1 -G "$tmac" 198.18.0.0/24 >"$out" 2>"$LAB_DIR/ovr.err" ||
    { lab_fail "scan with -i/-S/-G failed"; sed 's/^/  /' "$LAB_DIR/ovr.err" >&2; }
lab_cmp_sets "-i ves -S 198.19.0.1 -G $tmac" "$LAB_DIR/live.txt" "$out" || LAB_FAILED=1

lab_scan 20 -q -c 0.5 -O text -G 02:00:00:00:00:99 198.18.0.0/24 >"$out" 2>"$LAB_DIR/bad.err"
rc=$?
[ $rc = 1 ] && [ ! -s "$out" ] || lab_fail "-G with a wrong MAC: exit $rc and $(wc -l <"$out") hosts, expected exit 1 and none"

lab_scan 20 -q -c 0.5 -G 02:00:00:00:0099 198.18.0.1 >/dev/null 2>"$LAB_DIR/badmac.err"
rc=$?
[ $rc = 2 ] && grep -q '02:00:00:00:0099' "$LAB_DIR/badmac.err" ||
    lab_fail "-G 02:00:00:00:0099: exit $rc, expected 2 naming the MAC ($(cat "$LAB_DIR/badmac.err"))"
lab_scan 20 -q -c 0.5 -S 198.19.0.300 198.18.0.1 >/dev/null 2>"$LAB_DIR/badsrc.err"
rc=$?
[ $rc = 2 ] && grep -q '198.19.0.300' "$LAB_DIR/badsrc.err" ||
    lab_fail "-S 198.19.0.300: exit $rc, expected 2 naming the address ($(cat "$LAB_DIR/badsrc.err"))"
exit $LAB_FAILED
