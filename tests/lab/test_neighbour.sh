#!/bin/bash
# test_neighbour: on-link targets resolved by echoscan's own ARP, on the lab's veth /30 with empty
# neighbour tables: the scanner is 198.19.0.1, the target namespace 198.19.0.2.
#  - `echoscan ping -c 2 198.19.0.2` gets both replies (ping goes through the kernel's IP layer,
#    which resolves the target into its neighbour table: that entry is flushed after the ping);
#    a sweep of 198.19.0.0/30 with every send backend lists 198.19.0.1 (the machine's own, answered over lo) and 198.19.0.2 with the
#    target's MAC in the mac field (empty for the own address); 198.19.0.3 (broadcast) is not
#    probed and 198.19.0.0 answers nothing;
#  - nothing is written into the scanner's kernel neighbour table by any of the sweeps (the target
#    does not re-probe within the test: delay_first_probe_time 300 s);
#  - with the target's echo replies dropped (nft), --all reports 198.19.0.2 as classification arp
#    with its MAC, and without --all nothing is reported (exit 1).
. "$(dirname "$0")/lab.sh"
N=es-neigh$$
lab_trap "$N"
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 0.2 --dynamic-neigh || exit 1
tmac=$(lab_exec_t cat /sys/class/net/vet/address)
# the target re-probes the scanner's MAC 5 s after first using it, and an ARP request addressed to
# the scanner makes its kernel add the target: that entry would be the target's doing, not echoscan's
lab_exec_t sysctl -qw net.ipv4.neigh.vet.delay_first_probe_time=300 || lab_fail "sysctl in the target"
neigh() { lab_exec_s ip -4 neigh show | grep -v FAILED | awk '{print $1, $3, $4, $5}' | sort; }
neigh >"$LAB_DIR/neigh.before"
[ -s "$LAB_DIR/neigh.before" ] && lab_fail "precondition: neighbour table not empty: $(cat "$LAB_DIR/neigh.before")"

lab_scan 20 ping -c 2 198.19.0.2 >"$LAB_DIR/ping.out" 2>&1; rc=$?
n=$(grep -c '^64 bytes from 198.19.0.2: icmp_seq=[12] ' "$LAB_DIR/ping.out")
[ $rc = 0 ] && [ "$n" = 2 ] ||
    { lab_fail "ping -c 2 198.19.0.2 (on-link, not in the neighbour table): exit $rc, $n replies"; sed 's/^/  /' "$LAB_DIR/ping.out" >&2; }
# the kernel resolved the target for ping's socket: back to an empty table for the sweeps
lab_exec_s ip -4 neigh flush all
neigh >"$LAB_DIR/neigh.before"
[ -s "$LAB_DIR/neigh.before" ] && lab_fail "neighbour table not empty after the flush: $(cat "$LAB_DIR/neigh.before")"

printf '198.19.0.1,\n198.19.0.2,%s\n' "$tmac" >"$LAB_DIR/want.csv"
for tx in ring mmsg libnet; do
    lab_scan 20 -q -c 1 --tx $tx -O csv -f saddr,mac 198.19.0.0/30 >"$LAB_DIR/$tx.csv" 2>"$LAB_DIR/$tx.err"; rc=$?
    tail -n +2 "$LAB_DIR/$tx.csv" | sort >"$LAB_DIR/$tx.got"
    [ $rc = 0 ] && cmp -s "$LAB_DIR/want.csv" "$LAB_DIR/$tx.got" ||
        { lab_fail "--tx $tx 198.19.0.0/30: exit $rc, got $(paste -sd' ' "$LAB_DIR/$tx.got"), want $(paste -sd' ' "$LAB_DIR/want.csv")"
          sed 's/^/  /' "$LAB_DIR/$tx.err" >&2; }
done

neigh >"$LAB_DIR/neigh.after"
cmp -s "$LAB_DIR/neigh.before" "$LAB_DIR/neigh.after" ||
    lab_fail "the scanner's neighbour table changed: $(paste -sd';' "$LAB_DIR/neigh.after")"

lab_exec_t nft -f - <<'NFT' || lab_fail "nft in the target failed"
table inet noecho {
  chain input {
    type filter hook input priority -5; policy accept;
    ip daddr 198.19.0.2 icmp type echo-request drop
  }
}
NFT
lab_scan 20 -q -c 1 --all -O csv -f saddr,classification,mac 198.19.0.2 >"$LAB_DIR/arp.csv" 2>"$LAB_DIR/arp.err"; rc=$?
row=$(tail -n +2 "$LAB_DIR/arp.csv" | paste -sd' ')
[ $rc = 1 ] && [ "$row" = "198.19.0.2,arp,$tmac" ] ||
    { lab_fail "ARP-only host with --all: exit $rc, rows '$row', want exit 1 and 198.19.0.2,arp,$tmac"; sed 's/^/  /' "$LAB_DIR/arp.err" >&2; }
lab_scan 20 -q -c 1 -O text 198.19.0.2 >"$LAB_DIR/noall.txt" 2>/dev/null; rc=$?
[ $rc = 1 ] && [ ! -s "$LAB_DIR/noall.txt" ] || lab_fail "ARP-only host without --all: exit $rc, $(wc -l <"$LAB_DIR/noall.txt") lines, want 1 and none"
exit $LAB_FAILED
