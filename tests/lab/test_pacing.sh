#!/bin/bash
# test_pacing: retries spaced by --interval keep the requested rate inside every pass. Capture
# timestamps in the target namespace: at -r 1000 no 10 ms window (sliding, from each probe) may hold
# more than 1.5x its share of 10 probes, i.e. the idle time between passes must not be spent as a
# burst; and -P 3 sends each target 3 times.
. "$(dirname "$0")/lab.sh"
N=es-pace$$
lab_trap "$N"
command -v tcpdump >/dev/null || { echo "skip: tcpdump not installed"; exit "$LAB_SKIP"; }
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 1 || exit 1
pcap=$LAB_DIR/pace.pcap
ip netns exec "$LAB_T" tcpdump -i vet -w "$pcap" -U --time-stamp-precision nano \
    'icmp[icmptype] == icmp-echo' 2>/dev/null &
tpid=$!
sleep 0.5
lab_scan 20 -q -r 1000 -P 3 --interval 0.5 -c 0.2 -O text 198.18.0.0/25 >"$LAB_DIR/out" 2>"$LAB_DIR/err"
rc=$?
sleep 0.3; kill "$tpid"; wait "$tpid" 2>/dev/null
[ $rc = 0 ] || lab_fail "exit status $rc"
tcpdump -r "$pcap" -tt -n --time-stamp-precision nano 2>/dev/null |
    awk '{ t[n++] = $1; split($5, a, ":"); dst[a[1]]++ }
         END { j = 0; maxw = 0
               for (i = 0; i < n; i++) {           # probes in [t[i], t[i] + 10 ms)
                   while (j < n && t[j] < t[i] + 0.010) j++
                   if (j - i > maxw) maxw = j - i
               }
               for (d in dst) if (dst[d] != 3) bad++
               printf "%d probes, %d distinct hosts, busiest 10 ms window %d (share 10), %d hosts not probed 3 times\n",
                      n, length(dst), maxw, bad
               exit !(n == 384 && length(dst) == 128 && maxw <= 15 && bad == 0) }' ||
    lab_fail "probes not paced at 1000/s across passes (see the line above)"
exit $LAB_FAILED
