#!/bin/bash
# test_closedfd: started with stdout or stderr closed (>&-, 2>&-), echoscan never turns a socket
# into fd 1/2 (results or messages would go out as raw frames): with every TX backend, a closed
# stdout with results meant for it is a clear error (exit 2, nothing sent), a closed stdout with
# -o FILE and a closed stderr are normal runs. tcpdump on the target's side proves that nothing but
# ICMP echo requests arrived.
. "$(dirname "$0")/lab.sh"
N=es-cf$$
lab_trap "$N"
lab_up "$N" --seed 4 --prefix 198.18.7.0/24 || exit 1
command -v tcpdump >/dev/null || { echo "tcpdump not found (apt-get install tcpdump)"; exit $LAB_SKIP; }

pcap=$LAB_DIR/in.pcap
ip netns exec "$LAB_T" tcpdump -i vet -Q in -U -nn -w "$pcap" 2>"$LAB_DIR/td.err" &
echo $! >>"$LAB_DIR/pids"
tdpid=$!
for _ in $(seq 100); do grep -q "listening on" "$LAB_DIR/td.err" 2>/dev/null && break; sleep 0.05; done
grep -q "listening on" "$LAB_DIR/td.err" || { lab_fail "tcpdump did not start: $(cat "$LAB_DIR/td.err")"; exit 1; }

out=$LAB_DIR/out.csv err=$LAB_DIR/err
for tx in mmsg ring libnet; do
    # 1. results meant for a closed stdout: a clear error, exit 2
    timeout -k 2 20 ip netns exec "$LAB_S" "$ECHOSCAN" --tx $tx -r 2000 --cooldown 1.5 "$LAB_PREFIX" >&- 2>"$err"
    rc=$?
    [ $rc = 2 ] || lab_fail "--tx $tx >&-: exit $rc, expected 2"
    grep -q "standard output is closed" "$err" || lab_fail "--tx $tx >&-: no clear message: $(head -3 "$err")"
    # 2. a closed stdout does not matter with -o FILE
    rm -f "$out"
    timeout -k 2 20 ip netns exec "$LAB_S" "$ECHOSCAN" --tx $tx -r 2000 --cooldown 1.5 -o "$out" "$LAB_PREFIX" >&- 2>"$err"
    rc=$?
    [ $rc = 0 ] || lab_fail "--tx $tx -o FILE >&-: exit $rc, expected 0: $(head -3 "$err")"
    lab_addrs "$out" >"$LAB_DIR/got"
    lab_cmp_sets "--tx $tx -o FILE >&-" "$LAB_DIR/live.txt" "$LAB_DIR/got" || lab_fail "--tx $tx -o FILE >&-: wrong hosts"
    # 3. a closed stderr: a normal run, the summary goes nowhere
    timeout -k 2 20 ip netns exec "$LAB_S" "$ECHOSCAN" --tx $tx -r 2000 --cooldown 1.5 "$LAB_PREFIX" 2>&- >"$out"
    rc=$?
    [ $rc = 0 ] || lab_fail "--tx $tx 2>&-: exit $rc, expected 0"
    lab_addrs "$out" >"$LAB_DIR/got"
    lab_cmp_sets "--tx $tx 2>&-" "$LAB_DIR/live.txt" "$LAB_DIR/got" || lab_fail "--tx $tx 2>&-: wrong hosts"
    # 4. both closed, results in a file; and a closed stdin
    rm -f "$out"
    timeout -k 2 20 ip netns exec "$LAB_S" "$ECHOSCAN" --tx $tx -r 2000 --cooldown 1.5 -o "$out" "$LAB_PREFIX" >&- 2>&- <&-
    rc=$?
    [ $rc = 0 ] || lab_fail "--tx $tx -o FILE >&- 2>&- <&-: exit $rc, expected 0"
    lab_addrs "$out" >"$LAB_DIR/got"
    lab_cmp_sets "--tx $tx >&- 2>&- <&-" "$LAB_DIR/live.txt" "$LAB_DIR/got" || lab_fail "--tx $tx >&- 2>&- <&-: wrong hosts"
done
# ping with stdout closed: a clear error too
timeout -k 2 10 ip netns exec "$LAB_S" "$ECHOSCAN" ping -c 1 198.18.7.1 >&- 2>"$err"
rc=$?
[ $rc = 2 ] && grep -q "standard output is closed" "$err" || lab_fail "ping >&-: exit $rc, $(head -2 "$err")"
timeout -k 2 10 ip netns exec "$LAB_S" "$ECHOSCAN" ping -c 1 -W 1 "$(head -1 "$LAB_DIR/live.txt")" 2>&- >"$out"
rc=$?
[ $rc = 0 ] || lab_fail "ping 2>&-: exit $rc, expected 0"

sleep 1.5   # tcpdump hands over a partly filled capture block after its 1 s timeout
kill -INT $tdpid; wait $tdpid 2>/dev/null
total=$(tcpdump -r "$pcap" -nn 2>/dev/null | wc -l)
echoes=$(tcpdump -r "$pcap" -nn 'icmp and icmp[icmptype] == icmp-echo' 2>/dev/null | wc -l)
other=$(tcpdump -r "$pcap" -nn -e 'not arp and not ip6 and not (icmp and icmp[icmptype] == icmp-echo)' 2>/dev/null)
echo "target side: $total frames in, $echoes ICMP echo requests"
# 3 backends x 3 successful scans x 256 targets, and the ping
[ "$echoes" -ge $((3 * 3 * 256 + 1)) ] || lab_fail "only $echoes echo requests reached the target (tcpdump working?)"
if [ -n "$other" ]; then
    lab_fail "frames other than echo requests reached the target: $(printf '%s\n' "$other" | wc -l), e.g.:"
    printf '%s\n' "$other" | head -5 >&2
fi
if grep -qaE 'saddr,|echoscan|summary' "$pcap"; then
    lab_fail "text from echoscan's output reached the wire"
fi
exit $LAB_FAILED
