#!/bin/bash
# test_privs: once its sockets are open, a running echoscan holds no privilege at all: as root it
# runs as nobody (or as SUDO_UID/SUDO_GID when set), with empty effective, permitted and bounding
# capability sets and no_new_privs; the same for `echoscan ping`. With file capabilities
# (setcap cap_net_raw,cap_net_admin+ep) run by nobody: empty effective and permitted sets and
# no_new_privs (the bounding set needs CAP_SETPCAP to change, which such a binary lacks). A
# malformed SUDO_UID is an error.
. "$(dirname "$0")/lab.sh"
N=es-priv$$
lab_trap "$N"
lab_up "$N" --seed 5 --prefix 198.18.5.0/24 || exit 1

field() { awk -v k="$1:" '$1 == k { print $2; exit }' "/proc/$2/status"; }

# check LABEL UID PID [bounding]: the status of a running echoscan
check() {
    local label=$1 want_uid=$2 pid=$3 bnd=$4 f v
    sleep 0.7
    if ! kill -0 "$pid" 2>/dev/null; then lab_fail "$label: echoscan is not running"; return; fi
    v=$(field Uid "$pid"); [ "$v" = "$want_uid" ] || lab_fail "$label: uid $v, expected $want_uid"
    v=$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "/proc/$pid/status")
    [ "$v" = "$want_uid $want_uid $want_uid $want_uid" ] || lab_fail "$label: real/effective/saved/fs uids $v"
    for f in CapEff CapPrm CapInh CapAmb ${bnd:+CapBnd}; do
        v=$(field $f "$pid")
        [ "$v" = 0000000000000000 ] || lab_fail "$label: $f is $v, expected 0"
    done
    v=$(field NoNewPrivs "$pid"); [ "$v" = 1 ] || lab_fail "$label: NoNewPrivs is $v, expected 1"
    echo "$label: $(grep -E '^(Uid|CapEff|CapBnd|NoNewPrivs):' "/proc/$pid/status" | tr -s '\t ' ' ' | paste -sd';')"
}

live=$(sed -n 1p "$LAB_DIR/live.txt")
nobody=$(id -u nobody)

ip netns exec "$LAB_S" "$ECHOSCAN" -r 50 --cooldown 0.3 -o "$LAB_DIR/o1" "$LAB_PREFIX" 2>"$LAB_DIR/e1" &
pid=$!; check "root sweep" "$nobody" $pid bnd; kill -TERM $pid; wait $pid

SUDO_UID=4242 SUDO_GID=4242 ip netns exec "$LAB_S" "$ECHOSCAN" -r 50 --cooldown 0.3 -o "$LAB_DIR/o2" "$LAB_PREFIX" 2>"$LAB_DIR/e2" &
pid=$!; check "sudo sweep" 4242 $pid bnd; kill -TERM $pid; wait $pid

# a malformed SUDO_UID is an error, not a silent drop to some other id
SUDO_UID=12x SUDO_GID=12 timeout 10 ip netns exec "$LAB_S" "$ECHOSCAN" -r 50 "$LAB_PREFIX" \
    >/dev/null 2>"$LAB_DIR/e4"
rc=$?
[ $rc = 2 ] && grep -q 'SUDO_UID "12x"' "$LAB_DIR/e4" ||
    lab_fail "SUDO_UID=12x: exit $rc, $(head -2 "$LAB_DIR/e4")"

ip netns exec "$LAB_S" "$ECHOSCAN" ping -i 0.2 "$live" >"$LAB_DIR/p1" 2>&1 &
pid=$!; check "root ping" "$nobody" $pid bnd; kill -TERM $pid; wait $pid

if command -v setcap >/dev/null && command -v setpriv >/dev/null; then
    cp "$ECHOSCAN" "$LAB_DIR/echoscan" && chmod 755 "$LAB_DIR/echoscan"
    if setcap cap_net_raw,cap_net_admin+ep "$LAB_DIR/echoscan" 2>/dev/null; then
        ip netns exec "$LAB_S" setpriv --reuid="$nobody" --regid="$(id -g nobody)" --clear-groups \
            "$LAB_DIR/echoscan" -r 50 --cooldown 0.3 "$LAB_PREFIX" >/dev/null 2>"$LAB_DIR/e3" &
        pid=$!; check "setcap sweep as nobody" "$nobody" $pid; kill -TERM $pid; wait $pid
        grep -q "echoscan:" "$LAB_DIR/e3" && lab_fail "setcap sweep: $(grep echoscan: "$LAB_DIR/e3" | head -2)"
    else
        echo "setcap refused here (file system without xattrs?): file-capability case not checked"
    fi
else
    echo "setcap or setpriv missing: file-capability case not checked"
fi
exit $LAB_FAILED
