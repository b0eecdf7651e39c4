#!/bin/bash
# test_sources: -S with a /29 spreads the probes of a /16 sweep (20% live, 2% unreachable) over all
# eight source addresses. The eight are on the scanner's veth and the target namespace routes them
# back, so every reply reaches the scanner: the output is exactly the live set, the summary counts
# exactly the live and unreachable hosts and no invalid reply, the metadata says 8 sources. A
# capture in the target namespace shows every source in use, each within 10% of an even share,
# every target probed from one source only (both probes, -P 2), and correct IP checksums (the
# capture must hold at least 95% of the 131072 probes). A repeated -S
# and a range give the same set; --tx dgram with several sources is refused (exit 2).
. "$(dirname "$0")/lab.sh"
N=es-src$$
lab_trap "$N"
command -v tcpdump >/dev/null || { echo "skip: tcpdump not installed"; exit "$LAB_SKIP"; }
lab_up "$N" --seed 29 || exit 1
echo "lab: $LAB_NLIVE live, $LAB_NUNREACH unreachable in $LAB_PREFIX"
D=$LAB_DIR
for i in $(seq 8 15); do
    ip -n "$LAB_S" addr add "198.19.1.$i/32" dev ves || { lab_fail "ip addr add 198.19.1.$i"; exit 1; }
done
ip -n "$LAB_T" route add 198.19.1.8/29 via 198.19.0.1 dev vet || { lab_fail "route back to the sources"; exit 1; }

summary() { sed -n "s/^$1: \([0-9]*\).*/\1/p" "$2"; }

ip netns exec "$LAB_T" tcpdump -i vet -B 65536 -U -w "$D/req.pcap" 'icmp[icmptype] == icmp-echo' \
    2>"$D/tcpdump.err" &
tpid=$!
echo $tpid >>"$D/pids"
sleep 0.5
lab_scan 60 -r 50000 -P 2 -c 2 -S 198.19.1.8/29 -O text -m "$D/meta.json" "$LAB_PREFIX" \
    >"$D/out" 2>"$D/err"
rc=$?
sleep 0.5; kill "$tpid"; wait "$tpid" 2>/dev/null
[ $rc = 0 ] || { lab_fail "-P 2 -S 198.19.1.8/29: exit status $rc, expected 0"; sed 's/^/  stderr: /' "$D/err" | tail -20 >&2; }
lab_cmp_sets "-S /29 found vs live.txt" "$D/live.txt" "$D/out" || lab_fail "the hosts found differ from the live set"
up=$(summary "hosts up" "$D/err") unr=$(summary unreachable "$D/err") inv=$(summary invalid "$D/err")
[ "$up" = "$LAB_NLIVE" ] || lab_fail "summary: hosts up '$up', expected $LAB_NLIVE"
[ "$unr" = "$LAB_NUNREACH" ] || lab_fail "summary: unreachable '$unr', expected $LAB_NUNREACH"
[ "$inv" = 0 ] || lab_fail "summary: invalid '$inv', expected 0"
grep -q '^source addresses: 8 (198.19.1.8 to 198.19.1.15' "$D/err" ||
    lab_fail "summary does not say 'source addresses: 8 (198.19.1.8 to 198.19.1.15 ...': $(grep -i source "$D/err")"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); sys.exit(0 if m["sources"] == 8 and m["source"] == "198.19.1.8" else 1)' \
    "$D/meta.json" || lab_fail "metadata: sources/source are not 8/198.19.1.8"
grep -E '^(hosts up|unreachable|invalid|valid replies|probes sent|source addresses|send rate)' "$D/err"

python3 - "$D/req.pcap" "$LAB_PREFIX" <<'PY' || lab_fail "the probes on the wire are not spread over the 8 sources"
import struct, sys, collections
data = open(sys.argv[1], "rb").read()
magic = struct.unpack("<I", data[:4])[0]
end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
per_src, src_of, bad, frames = collections.Counter(), {}, 0, 0
off = 24
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s
while off + 16 <= len(data):
    incl = struct.unpack(end + "IIII", data[off:off + 16])[2]
    f = data[off + 16:off + 16 + incl]
    off += 16 + incl
    ip = f[14:34]
    frames += 1
    if csum(ip) != 0xffff:
        bad += 1
    src, dst = ip[12:16], ip[16:20]
    per_src[src] += 1
    if src_of.setdefault(dst, src) != src:
        print("target %s probed from two sources" % ".".join(map(str, dst)))
        sys.exit(1)
want = {bytes([198, 19, 1, i]) for i in range(8, 16)}
mean = frames / 8
print("capture in the target namespace: %d echo requests, %d targets" % (frames, len(src_of)))
for s in sorted(per_src):
    print("  from %-13s %6d (%+.1f%% of an even share)" % (".".join(map(str, s)), per_src[s],
          100 * (per_src[s] - mean) / mean))
ok = set(per_src) == want and bad == 0 and frames >= 0.95 * 2 * 65536 and len(src_of) >= 0.95 * 65536 and \
     all(abs(per_src[s] - mean) <= 0.10 * mean for s in want)
if bad:
    print("%d frames with a bad IP checksum" % bad)
sys.exit(0 if ok else 1)
PY

# a repeated -S and a range: the same 8 addresses (summary), same hosts found
lab_scan 60 -r 50000 -c 2 -S 198.19.1.8-198.19.1.11 -S 198.19.1.12/30 -S 198.19.1.9 -O text \
    198.18.0.0/20 >"$D/out2" 2>"$D/err2"
rc=$?
[ $rc = 0 ] || { lab_fail "repeated -S: exit status $rc"; tail -5 "$D/err2" >&2; }
grep -q '^source addresses: 8 (198.19.1.8 to 198.19.1.15' "$D/err2" || lab_fail "repeated -S: not 8 sources"
lab_cmp_sets "repeated -S on 198.18.0.0/20" <(awk -F. '$3 < 16' "$D/live.txt") "$D/out2" ||
    lab_fail "repeated -S: the hosts found differ from the live set"

# the libnet backend stamps the source per target too
lab_scan 60 -r 50000 -c 2 --tx libnet -S 198.19.1.8/29 -O text 198.18.0.0/22 >"$D/out3" 2>"$D/err3"
rc=$?
[ $rc = 0 ] || { lab_fail "--tx libnet -S /29: exit status $rc"; tail -5 "$D/err3" >&2; }
lab_cmp_sets "--tx libnet -S /29 on 198.18.0.0/22" <(awk -F. '$3 < 4' "$D/live.txt") "$D/out3" ||
    lab_fail "--tx libnet -S /29: the hosts found differ from the live set"

# the datagram path sends from one address: refused, naming the fix
lab_scan 10 --tx dgram -S 198.19.1.8/29 198.18.0.1 >/dev/null 2>"$D/err4"
rc=$?
[ $rc = 2 ] || lab_fail "--tx dgram -S /29: exit status $rc, expected 2"
grep -q 'needs the raw path' "$D/err4" || lab_fail "--tx dgram -S /29: message '$(cat "$D/err4")'"
exit $LAB_FAILED
