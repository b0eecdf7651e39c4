#!/usr/bin/env bash
# bench/bench.sh — echoscan vs zmap vs masscan on the same work, in a namespace lab.
#
# Run through `make bench` (installs zmap, masscan and time, builds echoscan) as root.
# Every packet stays inside the two namespaces created here (tests/lab/lab.sh), and only
# 198.18.0.0/15 addresses are used. Writes bench/RESULTS.md (override with BENCH_OUT=FILE).
#
# Sections (each measurement BENCH_RUNS times, default 3; medians reported):
#   1. send-only on the ifb sink (frames are dropped by ifbsink at once): probes counted by the
#      sink's rx_dropped counter, send duration = first to last change of that counter (1 ms
#      polling), CPU = user+sys of the tool's process (/usr/bin/time) / probes, peak RSS.
#   2. full loop: a /16 where every address answers, cooldown 2 s, at max rate and at 200 kpps:
#      distinct hosts found and wall time.
#   3. share of arriving replies that the tool reports, at max rate with 16 probes per host
#      (masscan: 1, see the notes): tool's count / rx_packets delta of the scanner's veth.
#   4. rate accuracy at 10k, 100k, 1M pps over 3 s, measured two ways:
#      a. send-only to the ifb sink, its rx_dropped counter polled every 0.2 ms (all three rates);
#      b. at 10k and 100k only (the veth path to the target carries ~0.65 Mpps here), from capture
#         timestamps on the receiving side: libpcap on the target's "vet" (incoming ICMP echo
#         requests, ns stamps; the target does not answer during this section).
#      Achieved rate = (n - 1) / (last - first), and the largest 10 ms window / its share.
#   5. peak RSS of echoscan for 16.7 M probes send-only, and `--dry-run -n 1000 0.0.0.0/0`.
#   6. small jobs, echoscan vs fping vs nmap -sn with default timeouts (no -c), in a lab of its own
#      (198.18.0.0/24, 20 % live, two of the live hosts answering 20 ms and 300 ms late): one live
#      host, one silent host, a /28 and the /24; wall time of each run (measured inside the scanner
#      namespace) and hosts found, BENCH_SMALL_RUNS runs each (default 7), tools interleaved.
#      Also `echoscan ping -c 1` vs iputils `ping -c 1` on the live host.
#   7. CPU while pacing (issue 13): at 10k and 100k probes/s for 5 s, CPU time per second of
#      scanning (all threads, benchtool cpu: /proc/PID/task/*/schedstat 1.5 s and 4.5 s after the
#      process started, so start-up and teardown are left out): send-only on the ifb sink; beside it the busiest
#      10 ms window (and the 99th percentile window) / its share, and the requests seen / (5 s x
#      rate), from capture stamps in the target (as 4b, same rates, the probes
#      over the veth pair; the CPU of that run is recorded too, it includes the veth and the
#      target's receive path, which run in the sender's softirq). echoscan, zmap, with
#      BENCH_PACE_BEFORE=BINARY an older echoscan as "before", and with BENCH_ZMAP4=BINARY a zmap 4.x
#      built outside the repository (skipped with a note otherwise; build it with cmake
#      -DRESPECT_INSTALL_PREFIX_CONFIG=ON: without it, zmap 4's cmake rewrites the system's
#      /etc/zmap/zmap.conf for zmap 4, which breaks Debian's zmap 2.1.1).
#   BENCH_SWEEP_BEFORE=BINARY runs an older echoscan as "before" beside echoscan in sections 1 and
#      2 (the same commands, runs interleaved): the sweep's speed before and after a change (#12).
#   8. traceroute of a /24 through a chain of routers: echoscan trace vs traceroute -I per target
#      (extrapolated) vs scamper (bench/trace.sh, which says how).
#   9. IPv6 beside IPv4, echoscan alone, in a lab of its own: send-only rate and CPU per probe
#      (the ifb sink, counted as in section 1) for the same number of probes to an IPv4 /17 and an
#      IPv6 /113, runs interleaved; and the full loop over a /112 where every address answers
#      (2001:db8:1::/112, cooldown 2 s) beside a /16 (198.18.0.0/16): hosts found and wall time.
#  10. sender threads (issue 13): echoscan -r max send-only with --sender-threads 1 and 2, on the
#      ifb sink (5.24 M probes, counted as in 1) and over the veth pair to the target, which ignores
#      the requests (1.05 M probes, counted by the target's vet rx_packets): rate, CPU per probe.
#  11. AF_XDP (issue 13): send-only on a veth pair whose far end drops in XDP (and on the ifb sink),
#      --tx ring vs --tx xdp vs a raw AF_XDP yardstick (bench/xdpsend.c); the full loop against an
#      XDP echo responder of our own (bench/xdp_responder.bpf.c): reply rate, share captured
#      (libpcap and --rx xdp, with --tx ring and with --tx xdp: one AF_XDP socket both ways), hosts
#      of the all-live /16 found. Runs before 6 (it uses the /16 lab).
#
# BENCH_SECTIONS="6" (or any subset) runs only those sections; the figures of the sections not run
# are kept from the existing RESULTS file (the small-jobs block is marked so it can be replaced).
set -u
LC_ALL=C
export LC_ALL
cd "$(dirname "$0")/.." || exit 2
ROOT=$PWD
RUNS=${BENCH_RUNS:-3}
SECTIONS=${BENCH_SECTIONS:-1 2 3 4 5 6 7 8 9 10 11}   # a subset, for trying things out (4a, 4b: half of 4)
want() { [[ " $SECTIONS " == *" $1 "* ]]; }
RESULTS=${BENCH_OUT:-$ROOT/bench/RESULTS.md}
# shellcheck source=../tests/lab/lab.sh
source tests/lab/lab.sh

die() { echo "bench: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces); run: sudo make bench"
for t in zmap masscan /usr/bin/time cc python3 fping nmap ping; do
    command -v "$t" >/dev/null || die "$t not found (make bench installs zmap masscan time fping nmap)"
done
[ -x "$ECHOSCAN" ] || die "$ECHOSCAN not built (make)"

W=$(mktemp -d /tmp/echoscan-bench.XXXXXX) || die "mktemp failed"
BT=$W/benchtool
cc -O2 -o "$BT" bench/benchtool.c -lpcap || die "cannot build bench/benchtool.c (libpcap-dev?)"
: >"$W/empty.bl"          # zmap's default blocklist excludes 198.18.0.0/15
RES=$W/results.tsv       # section<TAB>tool<TAB>case<TAB>metric<TAB>value
CMDS=$W/commands.txt
: >"$RES"; : >"$CMDS"

NAME=bench$$
NAME6=benchsj$$
cleanup() { lab_down "$NAME"; lab_down "$NAME6"; lab_down "${NAME9:-}"; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$W"; }
LAB_DIR=${LAB_DIR:-} LAB_NAME=${LAB_NAME:-}   # lab_down reads them, under set -u
MAIN=0 VETMAC=   # MAIN: any of sections 1-5, 7, 10, 11 asked for (they share the /16 lab)
for sec in 1 2 3 4 4a 4b 5 7 10 11; do want $sec && MAIN=1; done
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$W" || die "cd $W"   # masscan writes paused.conf into its working directory
if [ $MAIN = 1 ]; then
    lab_up "$NAME" --live-frac 1 || die "lab_up failed"
    lab_add_ifb || die "lab_add_ifb failed"
    VETMAC=$(ip -n "$LAB_T" -br link show vet | awk '{print $3}')
fi
SINK=(-i ifbsink -S 198.19.255.1 -G 02:00:00:00:00:01)
SINK_M=(--adapter ifbsink --adapter-ip 198.19.255.1 --router-mac 02:00:00:00:00:01)
LOOP_Z=(-i ves -S 198.19.0.1 -G "$VETMAC")
LOOP_M=(--adapter ves --adapter-ip 198.19.0.1 --router-mac "$VETMAC")
ZM=(zmap -q --disable-syslog -M icmp_echoscan -b "$W/empty.bl")
T0=$(date +%s)

rec() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RES"; }
cmdlog() { local sec=$1; shift; printf '%s\t%s\n' "$sec" "$*" >>"$CMDS"; }
# S CMD...: runs CMD in the scanner namespace under /usr/bin/time; $W/time holds "wall user sys rss_kb"
S_timed() {
    ip netns exec "$LAB_S" /usr/bin/time -o "$W/time" -f "%e %U %S %M" "$@" >"$W/out" 2>"$W/err"
}
# bg_start NS CMD...: starts a helper, waits for its "ready" line; sets BGPID, output in $W/bg
bg_start() {
    local ns=$1; shift
    : >"$W/bg"
    ip netns exec "$ns" "$@" >"$W/bg" 2>"$W/bg.err" &
    BGPID=$!
    for _ in $(seq 200); do grep -q ready "$W/bg" && return 0; sleep 0.01; done
    die "helper did not start: $* ($(cat "$W/bg.err"))"
}
bg_stop() { kill -INT "$BGPID" 2>/dev/null; wait "$BGPID"; cat "$W/bg" >>"$W/bg.log"; tail -1 "$W/bg"; }
rx_ves() { ip netns exec "$LAB_S" cat /sys/class/net/ves/statistics/rx_packets; }
# masscan's receive thread (libpcap TPACKET_V3) blocks while nothing arrives, so after its --wait
# it can hang for a minute: a 100/s ping from the target to the scanner keeps frames coming.
# pinger_start / pinger_stop (prints how many requests it sent, to subtract from veth counts).
pinger_start() { ip netns exec "$LAB_T" ping -q -i 0.01 198.19.0.1 >"$W/ping" 2>&1 & PINGPID=$!; }
pinger_stop() { kill -INT "$PINGPID" 2>/dev/null; wait "$PINGPID"; awk '/packets transmitted/ {print $1}' "$W/ping"; }
progress() { echo "bench: [$(( $(date +%s) - T0 )) s] $*" >&2; }

# ---- 1. send-only on the ifb sink ------------------------------------------------------------
P1=${BENCH_P1:-160}                     # 160 x 32768 = 5.24 M probes
N1=32768
MR1=$(( P1 * N1 / 2 - N1 ))             # masscan: (N + retries*rate) * (retries+1) frames
send_only() {   # tool cmd...
    local tool=$1; shift
    bg_start "$LAB_S" "$BT" watch /sys/class/net/ifbsink/statistics/rx_dropped
    S_timed "$@"
    local rc=$? w
    w=$(bg_stop)
    read -r probes first last _ <<<"$w"
    read -r wall user sys rss < <(tail -1 "$W/time")
    if [ "${probes:-0}" -lt 1000 ]; then
        echo "bench: $tool sent only ${probes:-0} frames (rc $rc): $(tail -3 "$W/err")" >&2; return
    fi
    rec 1 "$tool" send probes "$probes"
    rec 1 "$tool" send rate_pps "$(awk -v p="$probes" -v a="$first" -v b="$last" 'BEGIN{printf "%.0f", (p-1)/((b-a)/1e9)}')"
    rec 1 "$tool" send cpu_ns "$(awk -v p="$probes" -v u="$user" -v s="$sys" 'BEGIN{printf "%.1f", (u+s)*1e9/p}')"
    rec 1 "$tool" send rss_kb "$rss"
    rec 1 "$tool" send wall_s "$wall"
}
C1e=("$ECHOSCAN" -q -r max -P "$P1" -c 0 "${SINK[@]}" -o /dev/null 198.19.128.0/17)
C1z=("${ZM[@]}" -r 0 -P "$P1" -c 0 "${SINK[@]}" -o /dev/null 198.19.128.0/17)
C1m=(masscan --ping --rate "$MR1" --retries 1 --wait 0 "${SINK_M[@]}" 198.19.128.0/17)
C1b=("${BENCH_SWEEP_BEFORE:-}" "${C1e[@]:1}")
cmdlog 1 "${C1e[*]}"; cmdlog 1 "${C1z[*]}"; cmdlog 1 "${C1m[*]}"
[ -n "${BENCH_SWEEP_BEFORE:-}" ] && cmdlog 1 "${C1b[*]}"
want 1 && for r in $(seq "$RUNS"); do
    progress "1. send-only, run $r/$RUNS"
    send_only echoscan "${C1e[@]}"
    [ -n "${BENCH_SWEEP_BEFORE:-}" ] && send_only before "${C1b[@]}"
    send_only zmap "${C1z[@]}"
    send_only masscan "${C1m[@]}"
done

# ---- 2. full loop: /16, every host alive -----------------------------------------------------
loop16() {   # tool case cmd...   (output file $W/hosts)
    local tool=$1 case=$2; shift 2
    rm -f "$W/hosts"
    S_timed "$@"
    local rc=$? n
    read -r wall user sys rss < <(tail -1 "$W/time")
    case $tool in
        masscan) n=$(awk '$1 == "open" {print $4}' "$W/hosts" 2>/dev/null | sort -u | wc -l) ;;
        *) n=$(lab_addrs "$W/hosts" 2>/dev/null | sort -u | wc -l) ;;
    esac
    [ "$n" -gt 0 ] || echo "bench: $tool found nothing (rc $rc): $(tail -3 "$W/err")" >&2
    rec 2 "$tool" "$case" hosts "$n"
    rec 2 "$tool" "$case" wall_s "$wall"
}
want 2 && for rate in max 200k; do
    zr=0; mr=100000000
    [ $rate = 200k ] && { zr=200000; mr=200000; }
    C2e=("$ECHOSCAN" -q -r "$rate" -c 2 -O text -o "$W/hosts" 198.18.0.0/16)
    C2z=("${ZM[@]}" -r "$zr" -c 2 "${LOOP_Z[@]}" -o "$W/hosts" 198.18.0.0/16)
    C2m=(masscan --ping --rate "$mr" --wait 2 "${LOOP_M[@]}" -oL "$W/hosts" 198.18.0.0/16)
    C2b=("${BENCH_SWEEP_BEFORE:-}" "${C2e[@]:1}")
    cmdlog 2 "${C2e[*]}"; cmdlog 2 "${C2z[*]}"; cmdlog 2 "${C2m[*]}"
    [ -n "${BENCH_SWEEP_BEFORE:-}" ] && cmdlog 2 "${C2b[*]}"
    for r in $(seq "$RUNS"); do
        progress "2. full loop /16 at $rate, run $r/$RUNS"
        loop16 echoscan "$rate" "${C2e[@]}"
        [ -n "${BENCH_SWEEP_BEFORE:-}" ] && loop16 before "$rate" "${C2b[@]}"
        loop16 zmap "$rate" "${C2z[@]}"
        pinger_start; loop16 masscan "$rate" "${C2m[@]}"; pinger_stop >/dev/null
    done
done

# ---- 3. share of arriving replies captured ---------------------------------------------------
capture() {   # tool cmd...
    local tool=$1; shift
    local a b got extra=0
    [ "$tool" = masscan ] && pinger_start
    a=$(rx_ves)
    S_timed "$@"
    b=$(rx_ves)
    [ "$tool" = masscan ] && extra=$(pinger_stop)
    b=$((b - extra))
    case $tool in
        echoscan) got=$(awk -F': ' '/^valid replies:/ {print $2}' "$W/err") ;;
        zmap) got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["success_total"] + d["failure_total"])' "$W/meta") ;;
        masscan) got=$(awk '$1 == "open" {print $4}' "$W/hosts" | sort -u | wc -l) ;;
    esac
    rec 3 "$tool" max arrived $((b - a))
    rec 3 "$tool" max reported "${got:-0}"
    rec 3 "$tool" max share_pct "$(awk -v g="${got:-0}" -v n=$((b - a)) 'BEGIN{printf "%.4f", n ? 100*g/n : 0}')"
}
C3e=("$ECHOSCAN" -r max -P 16 -c 2 -o /dev/null 198.18.0.0/16)
C3z=("${ZM[@]}" -r 0 -P 16 -c 2 "${LOOP_Z[@]}" -o /dev/null -m "$W/meta" 198.18.0.0/16)
C3m=(masscan --ping --rate 100000000 --wait 2 "${LOOP_M[@]}" -oL "$W/hosts" 198.18.0.0/16)
cmdlog 3 "${C3e[*]}"; cmdlog 3 "${C3z[*]}"; cmdlog 3 "${C3m[*]}"
want 3 && for r in $(seq "$RUNS"); do
    progress "3. capture share, run $r/$RUNS"
    capture echoscan "${C3e[@]}"
    capture zmap "${C3z[@]}"
    rm -f "$W/hosts"; capture masscan "${C3m[@]}"
done

# ---- 4a. rate accuracy (sender alone, ifb sink) ---------------------------------------------
# The veth path to the target namespace carries only ~0.65 Mpps on this machine (2 vCPUs), so
# rates are measured where nothing else limits them: at the ifb sink, whose rx_dropped counter
# is polled every 0.2 ms (10 ms windows resolved to +-0.2 ms).
rate_run() {   # tool pps cmd...
    local tool=$1 pps=$2; shift 2
    bg_start "$LAB_S" "$BT" watch /sys/class/net/ifbsink/statistics/rx_dropped 200000
    ip netns exec "$LAB_S" "$@" >/dev/null 2>"$W/err"
    local c
    c=$(bg_stop)
    read -r n first last maxw nwin <<<"$c"
    if [ "${n:-0}" -lt 100 ]; then echo "bench: $tool at $pps: only ${n:-0} probes seen: $(tail -3 "$W/err")" >&2; return; fi
    local ach
    ach=$(awk -v n="$n" -v a="$first" -v b="$last" 'BEGIN{printf "%.1f", (n-1)/((b-a)/1e9)}')
    rec 4 "$tool" "$pps" achieved_pps "$ach"
    rec 4 "$tool" "$pps" err_pct "$(awk -v x="$ach" -v r="$pps" 'BEGIN{printf "%+.3f", 100*(x/r-1)}')"
    rec 4 "$tool" "$pps" maxwin_share "$(awk -v m="$maxw" -v r="$pps" 'BEGIN{printf "%.3f", m/(r*0.01)}')"
}
{ want 4 || want 4a; } && for pps in 10000 100000 1000000; do
    # zmap's -r counts targets and -P sends back-to-back probes: enough probes for 3 s
    zk=$(( (pps * 33 / 10 + N1 - 1) / N1 ))
    C4e=("$ECHOSCAN" -q -r "$pps" -P 1000 --max-runtime 3 -c 0 "${SINK[@]}" -o /dev/null 198.19.128.0/17)
    C4z=("${ZM[@]}" -r $((pps / zk)) -P "$zk" -t 3 -c 0 "${SINK[@]}" -o /dev/null 198.19.128.0/17)
    C4m=(timeout --foreground -s INT -k 2 3.3 masscan --ping --rate "$pps" --retries 2 --wait 0 "${SINK_M[@]}" 198.19.128.0/17)
    cmdlog 4 "${C4e[*]}"; cmdlog 4 "${C4z[*]}"; cmdlog 4 "${C4m[*]}"
    for r in $(seq "$RUNS"); do
        progress "4. rate $pps, run $r/$RUNS"
        rate_run echoscan "$pps" "${C4e[@]}"
        rate_run zmap "$pps" "${C4z[@]}"
        rate_run masscan "$pps" "${C4m[@]}"
    done
done

# ---- 4b. rate accuracy from capture timestamps in the target namespace ----------------------
# The probes cross the veth pair to the target, where benchtool captures the incoming echo
# requests on vet (libpcap, nanosecond stamps): achieved rate = (n-1)/(last-first stamp), max 10 ms
# window counted from the first request over every whole window. The target ignores echo
# requests meanwhile (net.ipv4.icmp_echo_ignore_all=1 in its namespace), so only the sender and
# the capture run. 1M is left to 4a: the veth path carries only ~0.65 Mpps on this machine.
cap_run() {   # tool pps cmd...
    local tool=$1 pps=$2; shift 2
    bg_start "$LAB_T" "$BT" count vet
    [ "$tool" = masscan ] && pinger_start
    ip netns exec "$LAB_S" "$@" >/dev/null 2>"$W/err"
    [ "$tool" = masscan ] && pinger_stop >/dev/null
    local c
    c=$(bg_stop)
    read -r n first last maxw nwin drops _ <<<"$c"
    if [ "${n:-0}" -lt 100 ]; then echo "bench: $tool at $pps (capture): only ${n:-0} probes seen: $(tail -3 "$W/err")" >&2; return; fi
    [ "${drops:-0}" = 0 ] || echo "bench: $tool at $pps (capture): libpcap dropped $drops" >&2
    local ach
    ach=$(awk -v n="$n" -v a="$first" -v b="$last" 'BEGIN{printf "%.1f", (n-1)/((b-a)/1e9)}')
    rec 4 "$tool" "$pps" cap_achieved_pps "$ach"
    rec 4 "$tool" "$pps" cap_err_pct "$(awk -v x="$ach" -v r="$pps" 'BEGIN{printf "%+.3f", 100*(x/r-1)}')"
    rec 4 "$tool" "$pps" cap_maxwin_share "$(awk -v m="$maxw" -v r="$pps" 'BEGIN{printf "%.3f", m/(r*0.01)}')"
    rec 4 "$tool" "$pps" cap_span_s "$(awk -v a="$first" -v b="$last" 'BEGIN{printf "%.3f", (b-a)/1e9}')"
    rec 4 "$tool" "$pps" cap_drops "${drops:-0}"
}
if want 4 || want 4b; then
    ip netns exec "$LAB_T" sysctl -qw net.ipv4.icmp_echo_ignore_all=1 || die "sysctl in $LAB_T failed"
    NT=65536    # 198.18.0.0/16
    for pps in 10000 100000; do
        # zmap: k probes per target with k dividing pps (so -r x -P k is exactly pps), enough for 3 s
        zk=$(( (pps * 33 / 10 + NT - 1) / NT ))
        while [ $((pps % zk)) != 0 ]; do zk=$((zk + 1)); done
        C4e=("$ECHOSCAN" -q -r "$pps" -P 1000 --max-runtime 3 -c 0 -o /dev/null 198.18.0.0/16)
        C4z=("${ZM[@]}" -r $((pps / zk)) -P "$zk" -t 3 -c 0 "${LOOP_Z[@]}" -o /dev/null 198.18.0.0/16)
        C4m=(timeout --foreground -s INT -k 2 3.3 masscan --ping --rate "$pps" --retries 2 --wait 0 "${LOOP_M[@]}" 198.18.0.0/16)
        cmdlog 4b "${C4e[*]}"; cmdlog 4b "${C4z[*]}"; cmdlog 4b "${C4m[*]}"
        for r in $(seq "$RUNS"); do
            progress "4b. rate $pps (capture in the target), run $r/$RUNS"
            cap_run echoscan "$pps" "${C4e[@]}"
            cap_run zmap "$pps" "${C4z[@]}"
            cap_run masscan "$pps" "${C4m[@]}"
        done
    done
    ip netns exec "$LAB_T" sysctl -qw net.ipv4.icmp_echo_ignore_all=0
fi

# ---- 7. CPU while pacing --------------------------------------------------------------------
# tool pps mode cmd...: mode "sink" (ifb, CPU only) or "cap" (veth, CPU and window share)
pace_run() {
    local tool=$1 pps=$2 mode=$3 pid rc c n first last maxw nwin drops cpu busiest; shift 3
    [ "$mode" = cap ] && bg_start "$LAB_T" "$BT" count vet
    ip netns exec "$LAB_S" "$@" >/dev/null 2>"$W/err" &
    pid=$!
    read -r cpu busiest < <("$BT" cpu "$pid" 1.5 4.5)
    wait "$pid"
    rc=$?
    if [ "$mode" = cap ]; then c=$(bg_stop); fi
    if [ $rc -gt 1 ] || [ "${cpu:-0}" = 0 ]; then
        echo "bench: $tool at $pps ($mode): exit status $rc, CPU ${cpu:-?}: $(tail -3 "$W/err")" >&2; return
    fi
    rec 7 "$tool" "$pps" "${mode}_cpu_ms" "$(awk -v c="$cpu" 'BEGIN{printf "%.2f", c/1e6}')"
    rec 7 "$tool" "$pps" "${mode}_busiest_ms" "$(awk -v c="$busiest" 'BEGIN{printf "%.2f", c/1e6}')"
    [ "$mode" = cap ] || return
    read -r n first last maxw nwin drops p99 <<<"$c"
    [[ ${n:-0} =~ ^[0-9]+$ ]] || n=0   # the capture helper printed no figures
    if [ "$n" -lt 100 ]; then echo "bench: $tool at $pps (pacing): only ${n:-0} probes seen: $(tail -3 "$W/err")" >&2; return; fi
    rec 7 "$tool" "$pps" cap_maxwin_share "$(awk -v m="$maxw" -v r="$pps" 'BEGIN{printf "%.3f", m/(r*0.01)}')"
    rec 7 "$tool" "$pps" cap_p99win_share "$(awk -v m="${p99:-0}" -v r="$pps" 'BEGIN{printf "%.3f", m/(r*0.01)}')"
    # the schedule met? requests seen / (5 s x rate): under 1 when a sender fell behind
    # and did not catch up before its end (a paced catch-up makes a run longer)
    rec 7 "$tool" "$pps" cap_sent_share "$(awk -v n="$n" -v r="$pps" 'BEGIN{printf "%.4f", n/(r*5)}')"
}
if want 7; then
    ip netns exec "$LAB_T" sysctl -qw net.ipv4.icmp_echo_ignore_all=1 || die "sysctl in $LAB_T failed"
    rec 7 load all load1 "$(cut -d' ' -f1 /proc/loadavg)"
    PACE_TOOLS=(echoscan zmap)
    [ -n "${BENCH_PACE_BEFORE:-}" ] && PACE_TOOLS+=(before)
    if [ -n "${BENCH_ZMAP4:-}" ]; then
        [ -x "$BENCH_ZMAP4" ] || die "BENCH_ZMAP4=$BENCH_ZMAP4 is not an executable"
        PACE_TOOLS+=(zmap4)
        BENCH_ZMAP4_VERSION=$("$BENCH_ZMAP4" -C "$W/empty.bl" --version 2>/dev/null | sed -n 's/^zmap v\([0-9.]*\).*/\1/p')
        export BENCH_ZMAP4 BENCH_ZMAP4_VERSION
    else
        echo "bench: section 7 without zmap 4.x (set BENCH_ZMAP4=/path/to/zmap to add it)" >&2
    fi
    for pps in 10000 100000; do
        zs=$(( (pps * 55 / 10 + N1 - 1) / N1 ))            # zmap, ifb /17: k probes per target
        zc=$(( (pps * 55 / 10 + 65535) / 65536 ))          # zmap, veth /16
        while [ $((pps % zc)) != 0 ]; do zc=$((zc + 1)); done
        for tool in "${PACE_TOOLS[@]}"; do
            case $tool in
                echoscan|before)
                    bin=$ECHOSCAN; [ "$tool" = before ] && bin=$BENCH_PACE_BEFORE
                    # the ring on both (--tx auto would take AF_XDP on the native-XDP veth):
                    # the figures compare pacing, not backends
                    C7s=("$bin" -q --tx ring -r "$pps" -P 1000 --max-runtime 5 -c 0 "${SINK[@]}" -o /dev/null 198.19.128.0/17)
                    C7c=("$bin" -q --tx ring -r "$pps" -P 1000 --max-runtime 5 -c 0 -o /dev/null 198.18.0.0/16) ;;
                zmap|zmap4)
                    zbin=("${ZM[@]}")
                    # its own empty configuration: /etc/zmap/zmap.conf is the Debian zmap's
                    # (2.1.1: blacklist-file), an option zmap 4 no longer knows
                    # zmap 2.1.1's -r counts targets a second (k probes each), zmap 4's
                    # packets: both send pps frames a second
                    zrs=$((pps / zs)) zrc=$((pps / zc))
                    if [ "$tool" = zmap4 ]; then
                        zbin=("$BENCH_ZMAP4" -C "$W/empty.bl" "${ZM[@]:1}") zrs=$pps zrc=$pps
                    fi
                    C7s=("${zbin[@]}" -r "$zrs" -P "$zs" -t 5 -c 0 "${SINK[@]}" -o /dev/null 198.19.128.0/17)
                    C7c=("${zbin[@]}" -r "$zrc" -P "$zc" -t 5 -c 0 "${LOOP_Z[@]}" -o /dev/null 198.18.0.0/16) ;;
            esac
            cmdlog 7 "${C7s[*]}"; cmdlog 7 "${C7c[*]}"
            for r in $(seq "$RUNS"); do
                progress "7. CPU while pacing: $tool at $pps, run $r/$RUNS"
                pace_run "$tool" "$pps" sink "${C7s[@]}"
                pace_run "$tool" "$pps" cap "${C7c[@]}"
            done
        done
    done
    rec 7 load all load1 "$(cut -d' ' -f1 /proc/loadavg)"
    ip netns exec "$LAB_T" sysctl -qw net.ipv4.icmp_echo_ignore_all=0
fi

# ---- 10. sender threads ---------------------------------------------------------------------
thr_run() {   # threads mode counter_ns counter_file cmd...
    local thr=$1 mode=$2 ns=$3 file=$4 w probes first last; shift 4
    bg_start "$ns" "$BT" watch "$file"
    S_timed "$@"
    local rc=$?
    w=$(bg_stop)
    read -r probes first last _ <<<"$w"
    read -r wall user sys rss < <(tail -1 "$W/time")
    [[ ${probes:-0} =~ ^[0-9]+$ ]] || probes=0
    if [ "$probes" -lt 1000 ]; then
        echo "bench: --sender-threads $thr ($mode) sent only $probes frames (rc $rc): $(tail -3 "$W/err")" >&2; return
    fi
    rec 10 "t$thr" "$mode" probes "$probes"
    rec 10 "t$thr" "$mode" rate_pps "$(awk -v p="$probes" -v a="$first" -v b="$last" 'BEGIN{printf "%.0f", (p-1)/((b-a)/1e9)}')"
    rec 10 "t$thr" "$mode" cpu_ns "$(awk -v p="$probes" -v u="$user" -v s="$sys" 'BEGIN{printf "%.1f", (u+s)*1e9/p}')"
}
if want 10; then
    ip netns exec "$LAB_T" sysctl -qw net.ipv4.icmp_echo_ignore_all=1 || die "sysctl in $LAB_T failed"
    for r in $(seq "$RUNS"); do
        for thr in 1 2; do
            # the ring for both counts (--tx auto takes AF_XDP on ves for one thread only:
            # the one-queue veth has no queue for a second AF_XDP sender)
            C8s=("$ECHOSCAN" -q --tx ring -r max -P "$P1" -c 0 --sender-threads "$thr" "${SINK[@]}" -o /dev/null 198.19.128.0/17)
            C8v=("$ECHOSCAN" -q --tx ring -r max -P 16 -c 0 --sender-threads "$thr" -o /dev/null 198.18.0.0/16)
            [ "$r" = 1 ] && { cmdlog 10 "${C8s[*]}"; cmdlog 10 "${C8v[*]}"; }
            progress "10. sender threads $thr, run $r/$RUNS"
            thr_run "$thr" sink "$LAB_S" /sys/class/net/ifbsink/statistics/rx_dropped "${C8s[@]}"
            thr_run "$thr" veth "$LAB_T" /sys/class/net/vet/statistics/rx_packets "${C8v[@]}"
        done
    done
    ip netns exec "$LAB_T" sysctl -qw net.ipv4.icmp_echo_ignore_all=0
fi

# ---- 5. memory -------------------------------------------------------------------------------
if want 5; then
progress "5. memory"
C5=("$ECHOSCAN" -q -r max -P 512 -c 0 "${SINK[@]}" -o /dev/null 198.19.128.0/17)
cmdlog 5 "/usr/bin/time -v ${C5[*]}"
ip netns exec "$LAB_S" /usr/bin/time -v "${C5[@]}" 2>"$W/tv" >/dev/null
rec 5 echoscan 16.7M rss_kb "$(awk -F': ' '/Maximum resident set size/ {print $2}' "$W/tv")"
rec 5 echoscan 16.7M wall_s "$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$W/tv" | awk -F: '{print ($1*60+$2)}')"
C5d=("$ECHOSCAN" --dry-run -n 1000 0.0.0.0/0)
cmdlog 5 "${C5d[*]}"
for r in $(seq "$RUNS"); do
    S_timed "${C5d[@]}"
    read -r wall user sys rss < <(tail -1 "$W/time")
    rec 5 echoscan dryrun wall_s "$wall"
    rec 5 echoscan dryrun rss_kb "$rss"
    rec 5 echoscan dryrun lines "$(wc -l <"$W/out")"
done
fi
# ---- 11. AF_XDP (issue 13) --------------------------------------------------------------------
# 11a. send-only on the veth pair, its far end (vet) dropping every frame in native XDP
#     (bench/xdp_responder.bpf.c, section xdp_drop): echoscan --tx ring, --tx xdp and the raw AF_XDP
#     yardstick (bench/xdpsend.c); probes counted by vet's rx_packets, polled every ms in the target
#     namespace, rate = (n-1)/(first to last change). Also on the ifb sink (rx_dropped).
# 11b. the full loop against the XDP echo responder on vet (section xdp: echo requests turned into
#     replies in place, XDP_TX), so the target's stack is not the limit; XDP_TX back into a veth
#     needs an XDP program on the receiving end too: ves gets xdp_pass (XDP_PASS), except in the
#     --rx xdp runs, where echoscan's own program is there. Reply rate = replies arriving at ves
#     (rx_packets, polled in the scanner namespace) over first to last change, 16 probes per host
#     over the /16 (1,048,576 replies); captured = echoscan's valid replies / arrived. Then
#     -P 1 -O text: hosts found of 65,536. The yardstick's replies are dropped in XDP on ves
#     (xdp_drop) as they arrive: its figure is the lab's ceiling (send, respond, count). The
#     receiving yardstick (xdpsend with bench/xdp_xsk.bpf.c) takes them into an AF_XDP socket
#     instead and counts them: the raw full loop, the kernel doing what it does for --rx xdp.
XBPF=$W/xdp_responder.o XSEND=$W/xdpsend XXSK=$W/xdp_xsk.o
xdp_setup() {
    clang -O2 -g -target bpf -I"/usr/include/$(cc -print-multiarch)" -c "$ROOT/bench/xdp_responder.bpf.c" \
        -o "$XBPF" || die "cannot build bench/xdp_responder.bpf.c (clang, libbpf-dev)"
    clang -O2 -g -target bpf -I"/usr/include/$(cc -print-multiarch)" -c "$ROOT/bench/xdp_xsk.bpf.c" \
        -o "$XXSK" || die "cannot build bench/xdp_xsk.bpf.c (clang, libbpf-dev)"
    cc -O2 -o "$XSEND" "$ROOT/bench/xdpsend.c" -lxdp -lbpf || die "cannot build bench/xdpsend.c (libxdp-dev)"
}
xdp_attach() { ip -n "$1" link set dev "$2" xdpdrv obj "$XBPF" sec "$3" || die "attaching $3 to $2 failed"; }
xdp_detach() { ip -n "$1" link set dev "$2" xdpdrv off 2>/dev/null; }
xdp_rate() {   # ns counterfile tool case cmd...   (sets the rate metric from the counter)
    local ns=$1 file=$2 tool=$3 case=$4; shift 4
    bg_start "$ns" "$BT" watch "$file"
    S_timed "$@"
    local rc=$? w
    w=$(bg_stop)
    read -r n first last _ <<<"$w"
    if [ "${n:-0}" -lt 1000 ]; then echo "bench: 11 $tool $case: only ${n:-0} frames (rc $rc): $(tail -3 "$W/err")" >&2; return; fi
    rec 11 "$tool" "$case" frames "$n"
    rec 11 "$tool" "$case" rate_pps "$(awk -v p="$n" -v a="$first" -v b="$last" 'BEGIN{printf "%.0f", (p-1)/((b-a)/1e9)}')"
    read -r wall user sys rss < <(tail -1 "$W/time")
    rec 11 "$tool" "$case" cpu_ns "$(awk -v p="$n" -v u="$user" -v s="$sys" 'BEGIN{printf "%.1f", (u+s)*1e9/p}')"
    if [ "$tool" != xdpsend ] && [[ $case == loop* ]]; then
        local got
        if [ "$tool" = xdpsend-rx ]; then got=$(awk '{print $4}' "$W/out")
        else got=$(awk -F': ' '/^valid replies:/ {print $2}' "$W/err"); fi
        rec 11 "$tool" "$case" captured_pct "$(awk -v g="${got:-0}" -v n="$n" 'BEGIN{printf "%.4f", n ? 100*g/n : 0}')"
    fi
}
if want 11; then
    xdp_setup
    VESMAC=$(ip -n "$LAB_S" -br link show ves | awk '{print $3}')
    SINKMAC=$(ip -n "$LAB_S" -br link show ifbsink | awk '{print $3}')
    P11=${BENCH_P11:-32}                    # 32 x 65536 = 2.1 M probes per send-only run
    VET_RX=/sys/class/net/vet/statistics/rx_packets VES_RX=/sys/class/net/ves/statistics/rx_packets
    C11r=("$ECHOSCAN" -q --tx ring -r max -P "$P11" -c 0 -o /dev/null 198.18.0.0/16)
    C11x=("$ECHOSCAN" -q --tx xdp -r max -P "$P11" -c 0 -o /dev/null 198.18.0.0/16)
    C11y=("$XSEND" ves "$VESMAC" "$VETMAC" 198.19.0.1 198.18.0.0/16 $((P11 * 65536)))
    C11sr=("$ECHOSCAN" -q --tx ring -r max -P $((P11 * 2)) -c 0 "${SINK[@]}" -o /dev/null 198.19.128.0/17)
    C11sx=("$ECHOSCAN" -q --tx xdp -r max -P $((P11 * 2)) -c 0 "${SINK[@]}" -o /dev/null 198.19.128.0/17)
    C11sy=("$XSEND" ifbsink "$SINKMAC" 02:00:00:00:00:01 198.19.255.1 198.19.128.0/17 $((P11 * 65536)))
    for c in C11r C11x C11y C11sr C11sx C11sy; do eval "cmdlog 11 \"\${$c[*]}\""; done
    xdp_attach "$LAB_T" vet xdp_drop
    for r in $(seq "$RUNS"); do
        progress "11a. send-only, veth (XDP drop) and ifb sink, run $r/$RUNS"
        xdp_rate "$LAB_T" "$VET_RX" ring veth "${C11r[@]}"
        xdp_rate "$LAB_T" "$VET_RX" xdp veth "${C11x[@]}"
        xdp_rate "$LAB_T" "$VET_RX" xdpsend veth "${C11y[@]}"
        xdp_rate "$LAB_S" /sys/class/net/ifbsink/statistics/rx_dropped ring ifb "${C11sr[@]}"
        xdp_rate "$LAB_S" /sys/class/net/ifbsink/statistics/rx_dropped xdp ifb "${C11sx[@]}"
        xdp_rate "$LAB_S" /sys/class/net/ifbsink/statistics/rx_dropped xdpsend ifb "${C11sy[@]}"
    done
    xdp_detach "$LAB_T" vet
    xdp_attach "$LAB_T" vet xdp
    C11lr=("$ECHOSCAN" --tx ring -r max -P 16 -c 1 -o /dev/null 198.18.0.0/16)
    C11lx=("$ECHOSCAN" --tx xdp -r max -P 16 -c 1 -o /dev/null 198.18.0.0/16)
    C11lrx=("$ECHOSCAN" --tx ring --rx xdp -r max -P 16 -c 1 -o /dev/null 198.18.0.0/16)
    C11lxx=("$ECHOSCAN" --tx xdp --rx xdp -r max -P 16 -c 1 -o /dev/null 198.18.0.0/16)
    C11ly=("$XSEND" ves "$VESMAC" "$VETMAC" 198.19.0.1 198.18.0.0/16 $((16 * 65536)))
    C11lyr=("${C11ly[@]}" "$XXSK")
    for c in C11lr C11lx C11lrx C11lxx C11ly C11lyr; do eval "cmdlog 11 \"\${$c[*]}\""; done
    for r in $(seq "$RUNS"); do
        progress "11b. full loop against the XDP responder, run $r/$RUNS"
        xdp_attach "$LAB_S" ves xdp_pass
        xdp_rate "$LAB_S" "$VES_RX" ring loop "${C11lr[@]}"
        xdp_rate "$LAB_S" "$VES_RX" xdp loop "${C11lx[@]}"
        xdp_detach "$LAB_S" ves
        # the ceiling: replies dropped in XDP as they arrive (no stack, no capture)
        xdp_attach "$LAB_S" ves xdp_drop
        xdp_rate "$LAB_S" "$VES_RX" xdpsend loop "${C11ly[@]}"
        xdp_detach "$LAB_S" ves
        xdp_rate "$LAB_S" "$VES_RX" xdpsend-rx loop "${C11lyr[@]}"
        xdp_rate "$LAB_S" "$VES_RX" ring-rxxdp loop "${C11lrx[@]}"
        xdp_rate "$LAB_S" "$VES_RX" xdp-rxxdp loop "${C11lxx[@]}"
        for v in "ring:--tx ring" "xdp:--tx xdp" "ring-rxxdp:--tx ring --rx xdp" "xdp-rxxdp:--tx xdp --rx xdp"; do
            [[ ${v%%:*} == *-rxxdp ]] || xdp_attach "$LAB_S" ves xdp_pass
            # shellcheck disable=SC2086
            loop16 "${v%%:*}" hosts_xdp "$ECHOSCAN" ${v#*:} -r max -c 1 -O text -o "$W/hosts" 198.18.0.0/16
            xdp_detach "$LAB_S" ves
        done
    done
    cmdlog 11 "$ECHOSCAN --tx ring|xdp [--rx xdp] -r max -c 1 -O text -o $W/hosts 198.18.0.0/16"
    xdp_detach "$LAB_T" vet
fi

# ---- 6. small jobs ---------------------------------------------------------------------------
# A lab of its own: 198.18.0.0/24 with 20 % live (seed 4: neither .0 nor .255 is live, which
# `fping -g` would skip, and 198.18.0.16/28 holds 5 live hosts, none at its ends), two live hosts
# answering late (20 ms and 300 ms, netem or the lab's userspace stand-in). Every tool runs with
# its defaults (echoscan: no -c, the adaptive cooldown; fping: 500 ms timeout and 3 retries;
# nmap -sn: ICMP echo, TCP 443 SYN, TCP 80 ACK and ICMP timestamp), -n for nmap (no DNS).
small_run() {   # case tool cmd...   (run inside the scanner namespace, wall from walltime.py)
    local case=$1 tool=$2 w rc n; shift 2
    read -r w rc < <(ip netns exec "$LAB_S" python3 "$ROOT/bench/walltime.py" "$W/out" "$@")
    rec 6 "$tool" "$case" wall_s "$w"
    [ "$case" = ping ] && return    # ping's lines are not a host list
    case $tool in
        nmap) n=$(awk '/Status: Up/ {print $2}' "$W/out" | sort -u) ;;
        *) n=$(lab_addrs "$W/out" | sort -u) ;;
    esac
    rec 6 "$tool" "$case" found "$(printf '%s' "$n" | grep -c .)"
    rec 6 "$tool" "$case" recall_pct "$(comm -12 <(printf '%s\n' "$n" | sort) <(sort "$LAB6/live.$case") | grep -c . |
        awk -v t="$(grep -c . "$LAB6/live.$case")" '{printf "%.1f", t ? 100 * $1 / t : 100}')"
    if [ "$case" = c24 ]; then
        rec 6 "$tool" "$case" delayed_found "$(printf '%s\n' "$n" | grep -cxF -e "$SLOW20" -e "$SLOW300")"
    fi
    [ "$rc" -le 1 ] || echo "bench: $tool $case: exit status $rc" >&2   # 1: some or all silent
}
if want 6; then
    [ $MAIN = 1 ] && lab_down "$NAME"
    lab_up "$NAME6" --prefix 198.18.0.0/24 --live-frac 0.2 --unreach-frac 0 --seed 4 ||
        die "lab_up (small jobs) failed"
    LAB6=$LAB_DIR
    SLOW20=$(sed -n 10p "$LAB6/live.txt") SLOW300=$(sed -n 20p "$LAB6/live.txt")
    lab_add_netem_host "$SLOW20" "delay 20ms" || die "netem failed"
    lab_add_netem_host "$SLOW300" "delay 300ms" || die "netem failed"
    ONE=$(sed -n 3p "$LAB6/live.txt")
    SILENT=$(comm -23 <(python3 -c 'print("\n".join("198.18.0.%d" % i for i in range(256)))' | sort) \
        <(sort "$LAB6/live.txt") | head -1)
    echo "$ONE" >"$LAB6/live.one"; : >"$LAB6/live.silent"; cp "$LAB6/live.txt" "$LAB6/live.c24"
    awk -F. '$4 >= 16 && $4 < 32' "$LAB6/live.txt" >"$LAB6/live.c28"
    declare -A T6=([one]=$ONE [silent]=$SILENT [c28]=198.18.0.16/28 [c24]=198.18.0.0/24)
    for case in one silent c28 c24; do
        t=${T6[$case]}
        if [[ $t == */* ]]; then F=(fping -a -g "$t"); else F=(fping -a "$t"); fi
        C6e=("$ECHOSCAN" -q -O text "$t")
        C6n=(nmap -sn -n -oG - "$t")
        cmdlog 6 "${C6e[*]}"; cmdlog 6 "${F[*]}"; cmdlog 6 "${C6n[*]}"
        for r in $(seq "${BENCH_SMALL_RUNS:-7}"); do
            progress "6. small jobs: $case ($t), run $r/${BENCH_SMALL_RUNS:-7}"
            small_run "$case" echoscan "${C6e[@]}"
            small_run "$case" fping "${F[@]}"
            small_run "$case" nmap "${C6n[@]}"
        done
    done
    # the ICMP datagram path (no packet socket at all), for which the lab opens ping_group_range
    ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="0 2147483647" ||
        die "sysctl ping_group_range in $LAB_S failed"
    echo "$ONE" >"$LAB6/live.dgram"
    cmdlog 6 "$ECHOSCAN -q -O text --tx dgram $ONE   (net.ipv4.ping_group_range opened)"
    for r in $(seq "${BENCH_SMALL_RUNS:-7}"); do
        progress "6. small jobs: --tx dgram, run $r/${BENCH_SMALL_RUNS:-7}"
        small_run dgram echoscan "$ECHOSCAN" -q -O text --tx dgram "$ONE"
    done
    cmdlog 6 "$ECHOSCAN ping -c 1 $ONE"; cmdlog 6 "ping -c 1 $ONE"
    for r in $(seq "${BENCH_SMALL_RUNS:-7}"); do
        progress "6. small jobs: ping -c 1, run $r/${BENCH_SMALL_RUNS:-7}"
        small_run ping echoscan "$ECHOSCAN" ping -c 1 "$ONE"
        small_run ping iputils ping -c 1 "$ONE"
    done
fi

# ---- 8. traceroute of a /24 (bench/trace.sh: a lab of its own) --------------------------------
if want 8; then
    progress "8. traceroute of a /24"
    bash "$ROOT/bench/trace.sh" >"$W/trace.md" || die "bench/trace.sh failed"
fi

# ---- 9. IPv6 beside IPv4 ------------------------------------------------------------------------
send_only9() {   # family cmd...
    local fam=$1; shift
    bg_start "$LAB_S" "$BT" watch /sys/class/net/ifbsink/statistics/rx_dropped
    S_timed "$@"
    local rc=$? w
    w=$(bg_stop)
    read -r probes first last _ <<<"$w"
    read -r wall user sys rss < <(tail -1 "$W/time")
    if [ "${probes:-0}" -lt 1000 ]; then
        echo "bench: $fam send-only sent only ${probes:-0} frames (rc $rc): $(tail -3 "$W/err")" >&2; return
    fi
    rec 9 echoscan "$fam" rate_pps "$(awk -v p="$probes" -v a="$first" -v b="$last" 'BEGIN{printf "%.0f", (p-1)/((b-a)/1e9)}')"
    rec 9 echoscan "$fam" cpu_ns "$(awk -v p="$probes" -v u="$user" -v s="$sys" 'BEGIN{printf "%.1f", (u+s)*1e9/p}')"
    rec 9 echoscan "$fam" probes "$probes"
}
loop9() {   # family cmd...
    local fam=$1 n; shift
    rm -f "$W/hosts"
    S_timed "$@"
    read -r wall user sys rss < <(tail -1 "$W/time")
    n=$(sort -u "$W/hosts" 2>/dev/null | grep -c .)
    rec 9 echoscan "loop_$fam" hosts "$n"
    rec 9 echoscan "loop_$fam" wall_s "$wall"
}
if want 9; then
    lab_down "$NAME"; lab_down "$NAME6"
    NAME9=bench9_$$
    lab_up "$NAME9" --prefix 198.18.0.0/16 --live-frac 1 || die "lab_up (IPv6) failed"
    lab_add_ifb && lab_add_ifb6 || die "ifb sink failed"
    lab_add_v6 --prefix 2001:db8:1::/112 --live-frac 1 --unreach-frac 0 || die "lab_add_v6 failed"
    P9=${BENCH_P9:-80}    # 80 x 32768 = 2.6 M probes per run
    C9a=("$ECHOSCAN" -q -r max -P "$P9" -c 0 "${SINK[@]}" -o /dev/null 198.19.128.0/17)
    C9b=("$ECHOSCAN" -q -r max -P "$P9" -c 0 -o /dev/null 2001:db8:8000::/113)
    C9c=("$ECHOSCAN" -q -r max -c 2 -O text -o "$W/hosts" 198.18.0.0/16)
    C9d=("$ECHOSCAN" -q -r max -c 2 -O text -o "$W/hosts" 2001:db8:1::/112)
    cmdlog 9 "${C9a[*]}"; cmdlog 9 "${C9b[*]}"; cmdlog 9 "${C9c[*]}"; cmdlog 9 "${C9d[*]}"
    for r in $(seq "$RUNS"); do
        progress "9. IPv6 beside IPv4, run $r/$RUNS"
        send_only9 ipv4 "${C9a[@]}"
        send_only9 ipv6 "${C9b[@]}"
        loop9 ipv4 "${C9c[@]}"
        loop9 ipv6 "${C9d[@]}"
    done
fi

progress "done, writing $RESULTS"

# ---- report ----------------------------------------------------------------------------------
MACHINE="$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), Linux $(uname -r), $(. /etc/os-release; echo "$PRETTY_NAME")"
VERS="echoscan $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?'), $(zmap --version 2>&1 | head -1), masscan $(dpkg-query -W -f='${Version}' masscan 2>/dev/null)"
VERS="$VERS, fping $(fping --version 2>&1 | head -1 | awk '{print $NF}'), nmap $(nmap --version | head -1 | awk '{print $3}')"
# the sections not run keep their figures from the existing file
BENCH_SECTIONS_RUN="$SECTIONS" BENCH_OLD="$RESULTS" BENCH_NOTES="$ROOT/bench/NOTES.md" \
BENCH_SMALL_RUNS="${BENCH_SMALL_RUNS:-7}" BENCH_TRACE_BLOCK="$W/trace.md" \
python3 "$ROOT/bench/report.py" "$RES" "$CMDS" "$MACHINE" "$VERS" "$RUNS" "$(( $(date +%s) - T0 ))" >"$W/report.md" ||
    die "report failed (raw results: $RES)"
cp "$W/report.md" "$RESULTS"
cat "$W/report.md"
