#!/bin/bash
# test_mixed: one run over targets behind three different routes: loopback (127.0.0.1), the on-link
# /24 the scanner sits on (198.18.5.0/24, hosts resolved by ARP) and a /24 routed through a gateway
# (198.18.6.0/24 via 198.19.0.2) finds each set exactly, whichever target comes first. The scanner's
# kernel neighbour table is unchanged by the runs (the gateway's entry is permanent).
. "$(dirname "$0")/lab.sh"
N=es-mixed$$
lab_trap "$N"
lab_up_onlink "$N" --prefix 198.18.5.0/24 --scanner 198.18.5.1 --hosts 40 --seed 11 || exit 1
lab_add_routed --prefix 198.18.6.0/24 --live-frac 0.25 --seed 12 || exit 1
D=$LAB_DIR
echo 127.0.0.1 >"$D/lo.txt"
cat "$D/lo.txt" "$D/live.txt" "$D/routed_live.txt" >"$D/expect.txt"
echo "lab: 1 loopback, $LAB_NLIVE on-link (with 198.18.5.1), $LAB_ROUTED_NLIVE routed"

neigh() { lab_exec_s ip -4 neigh show | awk '{print $1, $2, $3, $4, $5}' | sort; }
neigh >"$D/neigh.before"

# split_check LABEL FILE : compares FILE with each of the three sets and with their union
split_check() {
    local label=$1 got=$2
    grep -x '127\.0\.0\.1' "$got" >"$D/got.lo"
    grep '^198\.18\.5\.' "$got" >"$D/got.on"
    grep '^198\.18\.6\.' "$got" >"$D/got.rt"
    lab_cmp_sets "$label: loopback" "$D/lo.txt" "$D/got.lo" || LAB_FAILED=1
    lab_cmp_sets "$label: on-link 198.18.5.0/24" "$D/live.txt" "$D/got.on" || LAB_FAILED=1
    lab_cmp_sets "$label: routed 198.18.6.0/24" "$D/routed_live.txt" "$D/got.rt" || LAB_FAILED=1
    lab_cmp_sets "$label: all" "$D/expect.txt" "$got" || LAB_FAILED=1
}

i=0
for order in "127.0.0.1 198.18.5.0/24 198.18.6.0/24" "198.18.6.0/24 198.18.5.0/24 127.0.0.1" \
             "198.18.5.0/24 127.0.0.1 198.18.6.0/24"; do
    i=$((i + 1))
    t0=$(lab_now)
    # shellcheck disable=SC2086
    lab_scan 40 -q -O text $order >"$D/es$i.txt" 2>"$D/es$i.err"
    rc=$?
    echo "echoscan -O text $order: $(lab_since "$t0") s, exit $rc, $(wc -l <"$D/es$i.txt") hosts"
    [ $rc = 0 ] || { lab_fail "echoscan -O text $order: exit $rc, expected 0"; sed 's/^/  /' "$D/es$i.err" >&2; }
    split_check "echoscan $order" "$D/es$i.txt"
done

neigh >"$D/neigh.after"
if ! cmp -s "$D/neigh.before" "$D/neigh.after"; then
    lab_fail "the scanner's kernel neighbour table changed during the echoscan runs:"
    diff "$D/neigh.before" "$D/neigh.after" | sed 's/^/  /' >&2
fi
exit $LAB_FAILED
