#!/bin/bash
# test_iplayer: a device without a link-layer header (this lab kernel has tun but no ipip/gre/
# wireguard modules). A tun device in each namespace, tunS (scanner, 198.19.1.1) and tunT (target,
# 198.19.1.2), joined by a small helper that copies IP packets between them, carries 198.18.7.0/24,
# so probes and replies both cross the tunnel. A sweep sends IP packets on tunS (no Ethernet
# header; captured as raw IP) and finds exactly the live set with the ring and sendmmsg backends;
# the libnet backend, which writes Ethernet frames, is refused with a message naming the fix.
. "$(dirname "$0")/lab.sh"
N=es-tun$$
lab_trap "$N"
lab_up "$N" --prefix 198.18.7.0/24 --live-frac 0.3 --unreach-frac 0 --seed 5 || exit 1
{
    lab_exec_s ip tuntap add mode tun name tunS &&
    lab_exec_t ip tuntap add mode tun name tunT
} 2>"$LAB_DIR/setup.err" || { echo "tun devices not available: $(cat "$LAB_DIR/setup.err")"; exit $LAB_SKIP; }
cat >"$LAB_DIR/bridge.py" <<'PY'
# Copies IP packets between tunS (this namespace) and tunT (the namespace named in argv[1]).
import ctypes, fcntl, os, select, struct, sys
TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454ca, 0x0001, 0x1000
def attach(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd
s = attach("tunS")
libc = ctypes.CDLL(None, use_errno=True)
nsfd = os.open("/var/run/netns/" + sys.argv[1], os.O_RDONLY)
if libc.setns(nsfd, 0x40000000) != 0:          # CLONE_NEWNET
    sys.exit("setns failed")
t = attach("tunT")
open(sys.argv[2], "w").close()
peer = {s: t, t: s}
while True:
    for fd in select.select([s, t], [], [])[0]:
        try:
            os.write(peer[fd], os.read(fd, 65535))
        except OSError:
            pass
PY
# not through lab_exec_s: a backgrounded function is a subshell, and $! would name it rather than
# the bridge, which lab_down's kill would then leave running
ip netns exec "$LAB_S" python3 "$LAB_DIR/bridge.py" "$LAB_T" "$LAB_DIR/bridge.ready" 2>"$LAB_DIR/bridge.err" &
echo $! >>"$LAB_DIR/pids"
for _ in $(seq 50); do [ -e "$LAB_DIR/bridge.ready" ] && break; sleep 0.1; done
[ -e "$LAB_DIR/bridge.ready" ] || { lab_fail "tun bridge did not start: $(cat "$LAB_DIR/bridge.err")"; exit 1; }
{
    lab_exec_s ip addr add 198.19.1.1/32 dev tunS &&
    lab_exec_t ip addr add 198.19.1.2/32 dev tunT &&
    lab_exec_s ip link set tunS up && lab_exec_t ip link set tunT up &&
    lab_exec_s ip route replace 198.18.7.0/24 dev tunS src 198.19.1.1 &&
    lab_exec_t ip route add 198.19.1.1/32 dev tunT
} 2>"$LAB_DIR/setup.err" || { lab_fail "tun setup: $(cat "$LAB_DIR/setup.err")"; exit 1; }
lab_exec_s ip -d link show tunS | grep -q 'link/none' || lab_fail "precondition: tunS has a link-layer header"

for tx in ring mmsg; do
    out=$LAB_DIR/$tx.txt
    lab_scan 20 -q -c 1 --tx $tx -O text 198.18.7.0/24 >"$out" 2>"$LAB_DIR/$tx.err" ||
        { lab_fail "--tx $tx sweep over the tun link failed"; sed 's/^/  /' "$LAB_DIR/$tx.err" >&2; }
    lab_cmp_sets "tun link, --tx $tx" "$LAB_DIR/live.txt" "$out" || LAB_FAILED=1
done
rx=$(lab_exec_t cat /sys/class/net/tunT/statistics/rx_packets)
[ "$rx" -ge 512 ] || lab_fail "the target's tun saw $rx packets, expected the 512 probes of two sweeps"

lab_scan 20 -q -c 0.5 --tx libnet 198.18.7.1 >/dev/null 2>"$LAB_DIR/libnet.err"; rc=$?
[ $rc = 2 ] && grep -q 'tunS' "$LAB_DIR/libnet.err" && grep -q -- '--tx' "$LAB_DIR/libnet.err" ||
    lab_fail "--tx libnet on tun: exit $rc, expected 2 naming tunS and --tx ($(cat "$LAB_DIR/libnet.err"))"
exit $LAB_FAILED
