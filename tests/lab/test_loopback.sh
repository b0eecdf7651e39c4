#!/bin/bash
# test_loopback: in a namespace whose only interface is lo, echoscan reaches the machine's own
# addresses through the kernel's IP layer: `ping -c 2 127.0.0.1` and `ping -c 1 localhost` print
# their replies and exit 0; a sweep of 127.0.0.0/30 lists exactly the four addresses; a sweep of
# 127.0.0.0/29 with --probes 2 --all gives each address exactly two echo replies (lo shows every
# frame twice, going out and coming in: no reply may be counted twice).
. "$(dirname "$0")/lab.sh"
NS=es-lo$$
LAB_FAILED=0
D=$(mktemp -d /tmp/echoscan-lo.XXXXXX) || exit 1
trap 'ip netns del "$NS" 2>/dev/null; rm -rf "$D"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ip netns add "$NS" && ip -n "$NS" link set lo up || { echo "cannot create namespace $NS"; exit 1; }
[ "$(ip -n "$NS" -o link show | wc -l)" = 1 ] || lab_fail "precondition: $NS has more than lo"
run() { timeout -k 2 20 ip netns exec "$NS" "$ECHOSCAN" "$@"; }

run ping -c 2 127.0.0.1 >"$D/p1.out" 2>"$D/p1.err"; rc=$?
n=$(grep -c '^64 bytes from 127.0.0.1: icmp_seq=[12] ' "$D/p1.out")
[ $rc = 0 ] && [ "$n" = 2 ] ||
    { lab_fail "ping -c 2 127.0.0.1: exit $rc, $n reply lines (expected 0 and 2)"; sed 's/^/  /' "$D/p1.out" "$D/p1.err" >&2; }

run ping -c 1 localhost >"$D/p2.out" 2>"$D/p2.err"; rc=$?
n=$(grep -c '^64 bytes from .*icmp_seq=1 ' "$D/p2.out")
[ $rc = 0 ] && [ "$n" = 1 ] ||
    { lab_fail "ping -c 1 localhost: exit $rc, $n reply lines (expected 0 and 1)"; sed 's/^/  /' "$D/p2.out" "$D/p2.err" >&2; }

printf '127.0.0.%d\n' 0 1 2 3 >"$D/want.txt"
run -q -c 1 -O text 127.0.0.0/30 >"$D/s.txt" 2>"$D/s.err"; rc=$?
[ $rc = 0 ] || { lab_fail "echoscan -O text 127.0.0.0/30: exit $rc"; sed 's/^/  /' "$D/s.err" >&2; }
lab_cmp_sets "127.0.0.0/30" "$D/want.txt" "$D/s.txt" || LAB_FAILED=1

run -q -c 1 -P 2 --all -O csv -f saddr,classification,probe 127.0.0.0/29 >"$D/all.csv" 2>"$D/all.err"; rc=$?
got=$(grep -c ',echoreply,' "$D/all.csv")
dups=$(grep ',echoreply,' "$D/all.csv" | sort | uniq -d | wc -l)
[ $rc = 0 ] && [ "$got" = 16 ] && [ "$dups" = 0 ] ||
    lab_fail "127.0.0.0/29 -P 2 --all: exit $rc, $got echo replies ($dups repeated), expected 16 distinct"
exit $LAB_FAILED
