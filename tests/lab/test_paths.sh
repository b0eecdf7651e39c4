#!/bin/bash
# test_paths: each target goes through its own route. The scanner owns 198.18.0.1 (on lo) besides
# its veth address; 198.18.1.0/24 is routed via the target namespace (empty neighbour table).
#  - one run over 127.0.0.1, 198.18.0.1 (the machine's own addresses: answered by the kernel over
#    lo) and the routed /24 finds each set exactly (two interfaces: lo and ves);
#  - -i ves applies to every target even when the first (lowest) target is the machine's own
#    address: the routed /24 is found exactly (before, frames all went out on lo and nothing was
#    found), and the own address, now a neighbour on ves that nobody answers for, is not listed;
#  - -S and -G apply to every target of a multi-route run too;
#  - the summary of a mixed run names the Ethernet side's send backend (--tx ring; a job this small
#    would take mmsg by default), not lo's raw socket.
. "$(dirname "$0")/lab.sh"
N=es-paths$$
lab_trap "$N"
lab_up "$N" --prefix 198.18.1.0/24 --live-frac 0.25 --unreach-frac 0.02 --seed 11 --dynamic-neigh || exit 1
lab_exec_s ip addr add 198.18.0.1/32 dev lo || { lab_fail "cannot add 198.18.0.1 to the scanner's lo"; exit 1; }

want=$LAB_DIR/want.txt
{ cat "$LAB_DIR/live.txt"; echo 127.0.0.1; echo 198.18.0.1; } | lab_sortip >"$want"
out=$LAB_DIR/mixed.txt
lab_scan 20 -q -c 1 -O text 127.0.0.1 198.18.0.1 198.18.1.0/24 >"$out" 2>"$LAB_DIR/mixed.err" ||
    { lab_fail "mixed run failed"; sed 's/^/  /' "$LAB_DIR/mixed.err" >&2; }
lab_cmp_sets "127.0.0.1 + own address + routed /24" "$want" "$out" || LAB_FAILED=1

lab_scan 20 -c 1 --tx ring -O csv -f saddr,daddr,classification 198.18.0.1 198.18.1.0/24 127.0.0.1 \
    >"$LAB_DIR/mixed.csv" 2>"$LAB_DIR/mixed.sum"
grep -q '^send rate: .*(ring)$' "$LAB_DIR/mixed.sum" ||
    lab_fail "the summary of a mixed run should name the veth's backend (ring): $(grep 'send rate' "$LAB_DIR/mixed.sum")"
grep -q '^127.0.0.1,127.0.0.1,echoreply' "$LAB_DIR/mixed.csv" &&
    grep -q '^198.18.0.1,198.18.0.1,echoreply' "$LAB_DIR/mixed.csv" &&
    [ "$(grep -c ',198.19.0.1,echoreply' "$LAB_DIR/mixed.csv")" = "$LAB_NLIVE" ] ||
    lab_fail "each path's replies should come back to that path's source address: $(head -5 "$LAB_DIR/mixed.csv" | tr '\n' ' ')"

out=$LAB_DIR/ovr.txt
lab_scan 20 -q -c 1 -O text -i ves 198.18.0.1 198.18.1.0/24 >"$out" 2>"$LAB_DIR/ovr.err" ||
    { lab_fail "-i ves with a local first target failed"; sed 's/^/  /' "$LAB_DIR/ovr.err" >&2; }
lab_cmp_sets "-i ves, first target local" "$LAB_DIR/live.txt" "$out" || LAB_FAILED=1

tmac=$(lab_exec_t cat /sys/class/net/vet/address)
lab_scan 20 -q -c 1 -O csv -f saddr,daddr -i ves -S 198.19.0.1 -G "$tmac" 198.18.0.1 198.18.1.0/24 \
    >"$LAB_DIR/sg.csv" 2>"$LAB_DIR/sg.err" ||
    { lab_fail "-i/-S/-G over two routes failed"; sed 's/^/  /' "$LAB_DIR/sg.err" >&2; }
lab_addrs "$LAB_DIR/sg.csv" >"$LAB_DIR/sg.txt"
lab_cmp_sets "-i ves -S -G, first target local" "$LAB_DIR/live.txt" "$LAB_DIR/sg.txt" || LAB_FAILED=1
exit $LAB_FAILED
