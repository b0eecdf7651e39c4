#!/bin/bash
# test_fulldisk: `-o FILE` on a full file system (a 64 KiB tmpfs, mounted in a private mount namespace
# that dies with the scan) with `-O json -f '*'`: exit 2 with a message naming the file and the
# cause, and the file ends on a whole line, every line valid JSON. Same for --dry-run.
. "$(dirname "$0")/lab.sh"
N=es-full$$
lab_trap "$N"
command -v unshare >/dev/null || { echo "unshare not found (util-linux)"; exit $LAB_SKIP; }
lab_up "$N" --seed 21 || exit 1

mnt=$LAB_DIR/full
mkdir -p "$mnt"
# full ARGS... : runs echoscan ARGS with -o on the tmpfs; the file is copied to $LAB_DIR/out.
full() {
    timeout -k 2 30 ip netns exec "$LAB_S" unshare -m --propagation private sh -c '
        mnt=$1 copy=$2; shift 2
        mount -t tmpfs -o size=64k echoscan-full "$mnt" || exit 99
        "$@" -o "$mnt/out.json"; rc=$?
        cp "$mnt/out.json" "$copy"
        exit $rc' sh "$mnt" "$LAB_DIR/out" "$ECHOSCAN" "$@" 2>"$LAB_DIR/err"
}

check() {   # LABEL RC
    local label=$1 rc=$2
    echo "$label: exit $rc, $(wc -c <"$LAB_DIR/out") bytes, $(wc -l <"$LAB_DIR/out") lines; stderr: $(grep '^echoscan:' "$LAB_DIR/err" | head -2)"
    [ "$rc" = 99 ] && { echo "cannot mount a tmpfs here"; exit $LAB_SKIP; }
    [ "$rc" = 2 ] || lab_fail "$label: exit $rc, expected 2"
    grep -q "out.json: No space left on device" "$LAB_DIR/err" ||
        lab_fail "$label: no clear message: $(head -3 "$LAB_DIR/err")"
    python3 - "$LAB_DIR/out" <<'PY' || lab_fail "$label: the file does not hold only whole JSON lines"
import json, sys
data = open(sys.argv[1], "rb").read()
if len(data) < 32768:
    sys.exit("only %d bytes: the file system was not filled" % len(data))
if not data.endswith(b"\n"):
    sys.exit("ends in a partial line: ...%r" % data[-60:])
for n, line in enumerate(data.decode().splitlines(), 1):
    try:
        json.loads(line)
    except ValueError as e:
        sys.exit("line %d is not valid JSON (%s): %r" % (n, e, line[:80]))
PY
}

full -r 200000 --cooldown 0.5 -O json -f '*' "$LAB_PREFIX"; check "sweep -O json -f '*'" $?
full --dry-run -O json "$LAB_PREFIX"; check "--dry-run -O json" $?
exit $LAB_FAILED
