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
#    receiver, and no XDP program is left on the interface afterwards;
#  - `--tx xdp --rx xdp` together (one AF_XDP socket per queue with both rings, its UMEM split
#    between sending and receiving): exactly the live and unreachable sets of the /16;
#  - `--tx auto` (the default) on the native-XDP veth of a job above the small-job bound picks
#    AF_XDP in copy mode and says so (summary "tx auto:" line, -m "tx_auto"), alone and with
#    --rx xdp, with the same rows as --tx ring; it keeps the ring, saying why, on the ifb sink
#    (no native XDP), on a dummy device, with --sender-threads 2 on the one-queue veth, and when
#    another AF_XDP socket holds the queue (exit status and rows as with the ring);
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

# sweep_sets TAG ARGS...: a /16 sweep with ARGS classifies exactly the live set as echoreply and
# the unreachable set as unreach, exit status 0; the summary is in $LAB_DIR/TAG.err
sweep_sets() {
    local tag=$1 rc; shift
    local out=$LAB_DIR/$tag.csv
    lab_scan 40 "$@" -r 200000 -c 2 --all -O csv -f saddr,classification "$LAB_PREFIX" >"$out" 2>"$LAB_DIR/$tag.err"
    rc=$?
    [ $rc = 0 ] || { lab_fail "$*: exit status $rc, expected 0"; sed 's/^/  stderr: /' "$LAB_DIR/$tag.err" | tail -20 >&2; }
    tail -n +2 "$out" | awk -F, '$2 == "echoreply" { print $1 }' >"$LAB_DIR/$tag.live"
    tail -n +2 "$out" | awk -F, '$2 == "unreach" { print $1 }' >"$LAB_DIR/$tag.unreach"
    lab_cmp_sets "$*: echoreply rows vs live.txt" "$LAB_DIR/live.txt" "$LAB_DIR/$tag.live" ||
        lab_fail "$*: the echoreply rows differ from the live set"
    lab_cmp_sets "$*: unreach rows vs unreach.txt" "$LAB_DIR/unreach.txt" "$LAB_DIR/$tag.unreach" ||
        lab_fail "$*: the unreach rows differ from the unreachable set"
    echo "$*: $(wc -l <"$LAB_DIR/$tag.live") live, $(wc -l <"$LAB_DIR/$tag.unreach") unreachable; $(grep -E '^(send rate|receiver)' "$LAB_DIR/$tag.err" | tr '\n' ' ')"
}

sweep_sets all --tx xdp
err=$LAB_DIR/all.err
grep -q '^send rate: .*(xdp-copy)$' "$err" ||
    lab_fail "--tx xdp on veth: summary should name xdp-copy: $(grep '^send rate' "$err")"
grep -q '^probes sent: 65536$' "$err" || lab_fail "--tx xdp: $(grep '^probes sent' "$err"), expected 65536"

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

# AF_XDP both ways: the receiver's sockets send too
sweep_sets both --rx xdp --tx xdp
grep -q '^send rate: .*(xdp-copy)$' "$LAB_DIR/both.err" && grep -q '^receiver: xdp-' "$LAB_DIR/both.err" ||
    lab_fail "--tx xdp --rx xdp: the summary should name both: $(grep -E '^(send rate|receiver)' "$LAB_DIR/both.err" | tr '\n' ' ')"
ip -n "$LAB_S" link show ves | grep -q 'prog/xdp' && lab_fail "an XDP program is still attached to ves after --tx xdp --rx xdp"

# --tx auto: -P 2 makes the job (131072 probes) bigger than a small one (sendmmsg)
lab_scan 40 --tx ring -P 2 -r 300000 -c 2 --all -O csv -f saddr,classification "$LAB_PREFIX" >"$LAB_DIR/auto-ring.csv" 2>"$LAB_DIR/auto-ring.err" ||
    lab_fail "--tx ring -P 2: exit status $?"
sort -u "$LAB_DIR/auto-ring.csv" >"$LAB_DIR/auto-ring.sorted"
for rx in pcap xdp; do
    o=$LAB_DIR/auto-$rx.csv
    lab_scan 40 --rx $rx -P 2 -r 300000 -c 2 --all -O csv -f saddr,classification -m "$o.json" "$LAB_PREFIX" >"$o" 2>"$o.err"
    rc=$?
    [ $rc = 0 ] || { lab_fail "--tx auto --rx $rx: exit status $rc"; sed 's/^/  stderr: /' "$o.err" | tail -5 >&2; }
    grep -q '^tx auto: AF_XDP (ves: native XDP, xdp-copy)$' "$o.err" && grep -q '^send rate: .*(xdp-copy)$' "$o.err" ||
        lab_fail "--tx auto --rx $rx on the native-XDP veth: $(grep -E '^(send rate|tx auto)' "$o.err" | tr '\n' ' ')"
    jq -e '.tx_auto == "AF_XDP (ves: native XDP, xdp-copy)" and .tx_backend == "xdp-copy"' "$o.json" >/dev/null ||
        lab_fail "--tx auto --rx $rx: -m says $(jq -c '{tx_backend, tx_auto}' "$o.json")"
    sort -u "$o" >"$o.sorted"
    cmp -s "$LAB_DIR/auto-ring.sorted" "$o.sorted" ||
        lab_fail "--tx auto --rx $rx: rows differ from --tx ring's: $(diff "$LAB_DIR/auto-ring.sorted" "$o.sorted" | head -4 | tr '\n' ' ')"
    echo "--tx auto --rx $rx: $(grep '^tx auto' "$o.err")"
done
# ... keeps the ring where it must, saying why
lab_scan 40 --sender-threads 2 -P 2 -r 300000 -c 2 --all -O csv -f saddr,classification "$LAB_PREFIX" >"$LAB_DIR/auto-thr.csv" 2>"$LAB_DIR/auto-thr.err" ||
    lab_fail "--tx auto --sender-threads 2: exit status $?"
grep -q '^tx auto: packet ring (ves: 2 sender threads but 1 queue)$' "$LAB_DIR/auto-thr.err" ||
    lab_fail "--tx auto --sender-threads 2: $(grep -E '^(send rate|tx auto)' "$LAB_DIR/auto-thr.err" | tr '\n' ' ')"
sort -u "$LAB_DIR/auto-thr.csv" | cmp -s "$LAB_DIR/auto-ring.sorted" - || lab_fail "--tx auto --sender-threads 2: rows differ from --tx ring's"
# another AF_XDP socket on ves's queue (a paced --tx xdp run): set-up fails, the ring takes over
lab_scan 30 -q --tx xdp -r 2000 -P 10000 --max-runtime 6 -c 0 -o /dev/null "$(head -1 "$LAB_DIR/live.txt")" 2>"$LAB_DIR/holder.err" &
holder=$!
sleep 1.5
o=$LAB_DIR/auto-busy.csv
lab_scan 40 -P 2 -r 300000 -c 2 --all -O csv -f saddr,classification "$LAB_PREFIX" >"$o" 2>"$o.err"
rc=$?
wait $holder || lab_fail "the --tx xdp run holding ves's queue failed: $(cat "$LAB_DIR/holder.err")"
[ $rc = 0 ] || lab_fail "--tx auto with ves's queue taken: exit status $rc, expected 0: $(tail -3 "$o.err")"
grep -q '^tx auto: packet ring (ves: AF_XDP set-up failed: .*already bound' "$o.err" && grep -q '^send rate: .*(ring)$' "$o.err" ||
    lab_fail "--tx auto with ves's queue taken: $(grep -E '^(send rate|tx auto)' "$o.err" | tr '\n' ' ')"
sort -u "$o" | cmp -s "$LAB_DIR/auto-ring.sorted" - || lab_fail "--tx auto with ves's queue taken: rows differ from --tx ring's"
echo "--tx auto, queue taken: $(grep '^tx auto' "$o.err")"
# the ifb sink and a dummy device: no native XDP
lab_add_ifb >/dev/null || lab_fail "lab_add_ifb failed"
sinks=("ifbsink 198.19.255.1 02:00:00:00:00:01 198.19.128.0/17")
if ip -n "$LAB_S" link add esdummy type dummy 2>/dev/null; then
    { ip -n "$LAB_S" link set esdummy up && ip -n "$LAB_S" addr add 198.19.254.1/32 dev esdummy &&
      ip -n "$LAB_S" neigh replace 198.19.64.1 lladdr 02:00:00:00:00:02 dev esdummy nud permanent &&
      ip -n "$LAB_S" route add 198.19.64.0/18 via 198.19.64.1 dev esdummy onlink src 198.19.254.1; } ||
        lab_fail "cannot set up the dummy device"
    sinks+=("esdummy 198.19.254.1 02:00:00:00:00:02 198.19.64.0/18")
else
    echo "note: this kernel has no dummy devices: --tx auto checked on the ifb sink only"
fi
for run in "${sinks[@]}"; do
    set -- $run
    dev=$1
    lab_scan 30 -q -P 8 -r max -c 0 -i "$dev" -S "$2" -G "$3" -o /dev/null -m "$LAB_DIR/$dev.json" "$4" 2>"$LAB_DIR/$dev.err"
    rc=$?
    [ $rc = 1 ] || lab_fail "--tx auto on $dev: exit status $rc, expected 1 (nobody answers): $(tail -3 "$LAB_DIR/$dev.err")"
    jq -e --arg d "$dev" '.tx_backend == "ring" and .tx_auto == "packet ring (\($d): no native XDP in its driver)"' \
        "$LAB_DIR/$dev.json" >/dev/null ||
        lab_fail "--tx auto on $dev: -m says $(jq -c '{tx_backend, tx_auto}' "$LAB_DIR/$dev.json" 2>&1)"
done
echo "--tx auto on the sinks: $(cat "$LAB_DIR"/*sink.json "$LAB_DIR"/esdummy.json 2>/dev/null | jq -r .tx_auto | tr '\n' ' ')"

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
