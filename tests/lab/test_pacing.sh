#!/bin/bash
# test_pacing: retries spaced by --interval keep the requested rate inside every pass. Capture
# timestamps in the target namespace: at -r 1000 no two probes may be much closer than 1 ms (the
# idle time between passes must not be spent as a burst), and -P 3 sends each target 3 times.
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
    awk '{ t = $1; split($5, a, ":"); dst[a[1]]++; if (p != "" && t - p < 0.0005) fast++; p = t; n++ }
         END { for (d in dst) if (dst[d] != 3) bad++;
               printf "%d probes, %d to distinct hosts, %d gaps under 0.5 ms, %d hosts not probed 3 times\n",
                      n, length(dst), fast, bad;
               exit !(n == 384 && length(dst) == 128 && fast == 0 && bad == 0) }' ||
    lab_fail "probes not paced at 1000/s across passes (see the line above)"
exit $LAB_FAILED
