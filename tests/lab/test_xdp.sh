#!/bin/bash
# test_xdp: the AF_XDP send backend in the lab (skipped, saying why, where the kernel has no AF_XDP
# sockets). A /16 with 20% live, 2% unreachable, the rest silent:
#  - `--tx xdp -r 200000 -c 2 --all` classifies exactly the live set as echoreply and the
#    unreachable set as unreach, exit status 0, and the summary names the mode the kernel granted
#    (xdp-copy on veth, which has no zero-copy AF_XDP);
#  - `--tx xdp --xdp-mode zerocopy` on veth exits 2 naming the driver and the fix (--xdp-mode copy);
#  - `--xdp-mode` without `--tx xdp` exits 2, and so does `--tx xdp --sender-threads 2` on the
#    one-queue veth (an AF_XDP socket per queue, a queue per sender);
#  - the AF_XDP receiver (`--rx xdp`) against libpcap, the reference, on the same lab: the same
#    rows (saddr, classification) with the ring and with sendmmsg sending, the summary names the
#    receiver, and no XDP program is left on the interface afterwards; `--rx xdp --tx xdp` (one
#    device queue for two AF_XDP sockets) exits 2 naming the alternatives;
#  - on an on-link LAN (ARP resolution by echoscan), `--rx xdp` and `--rx pcap` give the same rows
#    (saddr, classification, mac), ARP-only hosts included;
#  - `--rx xdp` where the targets route over two interfaces exits 2 naming the fix, and so do
#    `--rx xdp` with IPv6 targets and `--tx xdp` with IPv4 and IPv6 targets on one device.
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

# one queue on ves: one sender thread per AF_XDP socket
lab_scan 20 --tx xdp --sender-threads 2 -c 0 -o /dev/null 198.18.0.1 2>"$LAB_DIR/thr.err"
rc=$?
[ $rc = 2 ] || lab_fail "--tx xdp --sender-threads 2 on a one-queue veth: exit status $rc, expected 2"
grep -q 'ves has 1 queue.*--sender-threads 1' "$LAB_DIR/thr.err" ||
    lab_fail "--tx xdp --sender-threads 2: message should name ves's queue and the fix: $(cat "$LAB_DIR/thr.err")"

lab_scan 20 --xdp-mode copy -c 0 -o /dev/null 198.18.0.1 2>"$LAB_DIR/mode.err"
rc=$?
[ $rc = 2 ] || lab_fail "--xdp-mode without --tx xdp: exit status $rc, expected 2"
grep -q -- '--tx xdp' "$LAB_DIR/mode.err" || lab_fail "--xdp-mode without --tx xdp: $(cat "$LAB_DIR/mode.err")"

# the AF_XDP receiver against libpcap
for run in "pcap ring" "xdp ring" "xdp mmsg"; do
    set -- $run
    o=$LAB_DIR/rx-$1-$2.csv
    lab_scan 40 --rx "$1" --tx "$2" -r 200000 -c 2 --all -O csv -f saddr,classification "$LAB_PREFIX" >"$o" 2>"$o.err"
    rc=$?
    [ $rc = 0 ] || { lab_fail "--rx $1 --tx $2: exit status $rc"; sed 's/^/  stderr: /' "$o.err" | tail -5 >&2; }
    [ "$1" = pcap ] || grep -q '^receiver: xdp-' "$o.err" || lab_fail "--rx xdp: the summary names no xdp receiver"
    sort "$o" >"$o.sorted"
    echo "--rx $1 --tx $2: $(($(wc -l <"$o") - 1)) rows; $(grep '^receiver' "$o.err")"
done
for run in xdp-ring xdp-mmsg; do
    cmp -s "$LAB_DIR/rx-pcap-ring.csv.sorted" "$LAB_DIR/rx-$run.csv.sorted" ||
        lab_fail "--rx ${run%%-*} --tx ${run#*-}: rows differ from libpcap's: $(diff "$LAB_DIR/rx-pcap-ring.csv.sorted" "$LAB_DIR/rx-$run.csv.sorted" | head -4 | tr '\n' ' ')"
done
ip -n "$LAB_S" link show ves | grep -q 'prog/xdp' && lab_fail "an XDP program is still attached to ves after the scans"
lab_scan 20 --rx xdp --tx xdp -c 0 -o /dev/null 198.18.0.1 2>"$LAB_DIR/both.err"
rc=$?
[ $rc = 2 ] || lab_fail "--rx xdp --tx xdp: exit status $rc, expected 2"
grep -q -- '--tx ring' "$LAB_DIR/both.err" || lab_fail "--rx xdp --tx xdp: $(cat "$LAB_DIR/both.err")"

# IPv6 targets: --rx xdp steers IPv4 only (refused, not silently deaf); --tx xdp with IPv4 and
# IPv6 targets on one device would need two sockets on the queue (refused, naming --tx ring)
lab_add_v6 >/dev/null || lab_fail "lab_add_v6 failed"
lab_scan 20 --rx xdp -c 0 -o /dev/null 2001:db8:1::1 2>"$LAB_DIR/v6rx.err"
rc=$?
[ $rc = 2 ] && grep -q -- '--rx pcap' "$LAB_DIR/v6rx.err" ||
    lab_fail "--rx xdp with an IPv6 target: exit $rc, $(cat "$LAB_DIR/v6rx.err")"
lab_scan 20 --tx xdp -c 0 -o /dev/null 2001:db8:1::1 198.18.0.1 2>"$LAB_DIR/v6tx.err"
rc=$?
[ $rc = 2 ] && grep -q -- '--tx ring' "$LAB_DIR/v6tx.err" ||
    lab_fail "--tx xdp with IPv4 and IPv6 targets on ves: exit $rc, $(cat "$LAB_DIR/v6tx.err")"

# on-link: ARP replies steered too
lab_down "$N"
N=es-xdpo$$
lab_trap "$N"
lab_up_onlink "$N" --arp-only 3 || exit 1
for rx in pcap xdp; do
    lab_scan 30 --rx $rx -x "$LAB_SCANNER" -c 1 --all -O csv -f saddr,classification,mac "$LAB_PREFIX" >"$LAB_DIR/on-$rx.csv" 2>"$LAB_DIR/on-$rx.err"
    rc=$?
    [ $rc = 0 ] || { lab_fail "on-link --rx $rx: exit status $rc"; sed 's/^/  stderr: /' "$LAB_DIR/on-$rx.err" | tail -5 >&2; }
    sort "$LAB_DIR/on-$rx.csv" >"$LAB_DIR/on-$rx.sorted"
done
awk -F, '$2 == "echoreply" {print $1}' "$LAB_DIR/on-xdp.csv" >"$LAB_DIR/on-live"
lab_cmp_sets "on-link --rx xdp: echoreply rows vs hosts.txt" "$LAB_DIR/hosts.txt" "$LAB_DIR/on-live" ||
    lab_fail "on-link --rx xdp: the live hosts differ"
cmp -s "$LAB_DIR/on-pcap.sorted" "$LAB_DIR/on-xdp.sorted" ||
    lab_fail "on-link: --rx xdp rows differ from --rx pcap: $(diff "$LAB_DIR/on-pcap.sorted" "$LAB_DIR/on-xdp.sorted" | head -4 | tr '\n' ' ')"
echo "on-link: $(grep -c ',arp,' "$LAB_DIR/on-xdp.csv") arp-only rows, $(wc -l <"$LAB_DIR/on-live") live with --rx xdp"
# the scanner's own address goes over lo: two interfaces
lab_scan 30 --rx xdp -c 1 -o /dev/null "$LAB_PREFIX" 2>"$LAB_DIR/two.err"
rc=$?
[ $rc = 2 ] || lab_fail "--rx xdp over two interfaces: exit status $rc, expected 2"
grep -q -- '--rx pcap' "$LAB_DIR/two.err" || lab_fail "--rx xdp over two interfaces: $(cat "$LAB_DIR/two.err")"
exit $LAB_FAILED
