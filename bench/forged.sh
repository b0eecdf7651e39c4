#!/usr/bin/env bash
# bench/forged.sh — forged-reply flood: how many forged replies does a scanner report as hosts?
#
#   bash bench/forged.sh [FRAMES] [SCAN_RATE]        (as root; FRAMES default 10000000,
#                                                     SCAN_RATE default 5000 probes/s)
#
# In a lab (tests/lab/lab.sh: a /16, 20% live, 2% unreachable, seed 11) each scanner sweeps the /16
# at SCAN_RATE with a 2 s cooldown while tests/lab/forge.c floods the scanner's address from the
# target namespace with FRAMES forged frames as fast as it can (FORGE_RATE=N to pace it), starting
# 0.5 s after the scanner. Reported per scanner: false positives (addresses reported that are not
# live), misses (live addresses not reported), the scanner's own invalid / drop counters where it
# has them, the flood's duration and rate, and the commands. FORGED_TOOLS (default "echoscan zmap")
# picks the scanners; zmap is Debian's, with its icmp_echoscan module. To have the whole flood land
# during the sweep, give a SCAN_RATE and FORGE_RATE so that 65536 / SCAN_RATE > FRAMES / FORGE_RATE
# (e.g. 10000000 1100 with FORGE_RATE=180000). Every packet stays inside the lab's namespaces.
set -u
LC_ALL=C
export LC_ALL
cd "$(dirname "$0")/.." || exit 2
FRAMES=${1:-10000000}
RATE=${2:-5000}
# shellcheck source=../tests/lab/lab.sh
source tests/lab/lab.sh
die() { echo "forged: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
[ -x "$ECHOSCAN" ] || die "$ECHOSCAN not built (make)"
NAME=fgb$$
lab_trap "$NAME"
lab_up "$NAME" --seed 11 || die "lab_up failed"
W=$LAB_DIR
cc -O2 -std=c11 -Wall -Wextra -Werror -o "$W/forge" tests/lab/forge.c || die "cannot build tests/lab/forge.c"
: >"$W/empty.bl"
SMAC=$(ip -n "$LAB_S" -br link show ves | awk '{print $3}')
TMAC=$(ip -n "$LAB_T" -br link show vet | awk '{print $3}')
FORGE=("$W/forge" -i vet -m "$SMAC" -s 198.19.0.1 -p "$LAB_PREFIX" -l "$W/live.txt"
       -u "$W/unreach.txt" -n "$FRAMES" -r "${FORGE_RATE:-0}" -w 0.5 -S 11)
echo "lab: $LAB_NLIVE live, $LAB_NUNREACH unreachable in $LAB_PREFIX; $FRAMES forged frames"
echo "forger (target namespace): ${FORGE[*]}"

# run TOOL OUTFILE CMD...: scanner in the background, the flood in the foreground
run() {
    local tool=$1 out=$2; shift 2
    local t0 rc
    t0=$(lab_now)
    ip netns exec "$LAB_S" "$@" >"$out" 2>"$W/$tool.err" &
    local pid=$!
    ip netns exec "$LAB_T" "${FORGE[@]}" >"$W/$tool.forge" 2>&1 || die "forge failed: $(cat "$W/$tool.forge")"
    wait $pid; rc=$?
    local dt; dt=$(lab_since "$t0")
    lab_addrs "$out" | sort -u >"$W/$tool.got"
    sort -u "$W/live.txt" >"$W/live.sorted"
    local fp miss
    fp=$(comm -13 "$W/live.sorted" "$W/$tool.got" | wc -l)
    miss=$(comm -23 "$W/live.sorted" "$W/$tool.got" | wc -l)
    echo "== $tool (exit $rc, $dt s wall): $(wc -l <"$W/$tool.got") hosts reported, false positives $fp, misses $miss"
    echo "   command (scanner namespace): $*"
    echo "   flood: $(tail -1 "$W/$tool.forge")"
    [ "$fp" = 0 ] || echo "   false positives (first 5): $(comm -13 "$W/live.sorted" "$W/$tool.got" | head -5 | paste -sd' ')"
}

TOOLS=" ${FORGED_TOOLS:-echoscan zmap} "
if [[ $TOOLS == *" echoscan "* ]]; then
    run echoscan "$W/echoscan.out" "$ECHOSCAN" -r "$RATE" -c 2 -O text "$LAB_PREFIX"
    grep -E '^(probes sent|valid replies|hosts up|invalid|pcap drops|duration)' "$W/echoscan.err" | sed 's/^/   echoscan summary: /'
fi
if [[ $TOOLS == *" zmap "* ]]; then
    command -v zmap >/dev/null || die "zmap not found (apt-get install zmap)"
    run zmap "$W/zmap.out" zmap -q --disable-syslog -M icmp_echoscan -b "$W/empty.bl" \
        -i ves -S 198.19.0.1 -G "$TMAC" -r "$RATE" -c 2 -m "$W/zmap.meta" -o "$W/zmap.out" "$LAB_PREFIX"
    python3 - "$W/zmap.meta" <<'PY' 2>/dev/null | sed 's/^/   zmap metadata: /'
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join("%s %s" % (k, d.get(k)) for k in ("packets_sent", "success_total", "success_unique", "failure_total", "pcap_drop", "duration")))
PY
fi
