#!/bin/bash
# test_invalid: the summary's `invalid: N` says why. During a sweep, the target namespace sends the
# scanner forged frames of three kinds: echo replies with a wrong ICMP checksum (3), echo replies
# whose id:seq is not our tag (4), and host-unreachable errors quoting an echo request from the
# scanner's address that it never sent (5). The summary must read
# `invalid: 12 (checksum 3, tag 4, foreign quote 5)` (and -m's invalid_reasons the same), and no
# forged source may be reported.
. "$(dirname "$0")/lab.sh"
N=es-inv$$
lab_trap "$N"
lab_up "$N" --seed 31 --prefix 198.18.3.0/24 || exit 1

cat >"$LAB_DIR/forge.py" <<'PY'
import socket, struct, sys, time
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
def ip(src, dst, payload, ident=0):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0, 64, 1, 0,
                       socket.inet_aton(src), socket.inet_aton(dst)) + payload
def icmp(t, code, rest, data, good=True):
    h = struct.pack("!BBH4s", t, code, 0, rest) + data
    c = csum(h)
    if not good: c ^= 0x5a5a
    return h[:2] + struct.pack("!H", c) + h[4:]
us = "198.19.0.1"
stamp = b"\x11" * 16 + b"\0\0" + b"\x22" * 22   # probe number 0, no MAC of ours
rs = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
pkts = []
for i in range(3):                       # wrong ICMP checksum
    pkts.append(("198.18.3.%d" % (200 + i), ip("198.18.3.%d" % (200 + i), us,
                 icmp(0, 0, struct.pack("!HH", 0x1234, i), stamp, good=False))))
for i in range(4):                       # id:seq not our tag
    pkts.append(("198.18.3.%d" % (210 + i), ip("198.18.3.%d" % (210 + i), us,
                 icmp(0, 0, struct.pack("!HH", 0x4242, i), stamp))))
for i in range(5):                       # an error about a probe we never sent
    target = "198.18.3.%d" % (220 + i)
    quoted = ip(us, target, icmp(8, 0, struct.pack("!HH", 0x7777, i), stamp), ident=0)
    pkts.append(("198.19.0.2", ip("198.19.0.2", us, icmp(3, 1, b"\0\0\0\0", quoted))))
for dst, p in pkts:
    rs.sendto(p, (us, 0))
    time.sleep(0.01)
PY

out=$LAB_DIR/out err=$LAB_DIR/err
ip netns exec "$LAB_S" "$ECHOSCAN" -r 200 --cooldown 1 -m "$LAB_DIR/meta.json" "$LAB_PREFIX" \
    >"$out" 2>"$err" &
pid=$!
sleep 0.5
lab_exec_t python3 "$LAB_DIR/forge.py" || lab_fail "the forging script failed"
wait $pid; rc=$?
grep '^invalid:' "$err"
[ $rc = 0 ] || lab_fail "exit status $rc, expected 0: $(head -3 "$err")"
want='invalid: 12 (checksum 3, tag 4, foreign quote 5)'
grep -qxF "$want" "$err" || lab_fail "summary says '$(grep '^invalid' "$err")', expected '$want'"
python3 - "$LAB_DIR/meta.json" <<'PY' || lab_fail "-m: invalid_reasons do not match the forged frames"
import json, sys
m = json.load(open(sys.argv[1]))
want = {"truncated": 0, "malformed": 0, "checksum": 3, "short_payload": 0, "probe_number": 0,
        "tag": 4, "mac": 0, "foreign_quote": 5}
print("metadata invalid %d, invalid_reasons %s" % (m["invalid"], m["invalid_reasons"]))
assert m["invalid"] == 12 and m["invalid_reasons"] == want, m["invalid_reasons"]
PY
lab_addrs "$out" >"$LAB_DIR/got"
lab_cmp_sets "hosts up" "$LAB_DIR/live.txt" "$LAB_DIR/got" || lab_fail "wrong hosts reported"
exit $LAB_FAILED
