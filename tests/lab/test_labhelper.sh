#!/bin/bash
# test_labhelper: the lab's own helpers never hold the caller's stdout. A lab script that starts the
# userspace netem stand-in and is then killed with SIGKILL (no trap runs, the helper outlives it)
# must still let `... | cat` end; the helper's fds 0/1 are not the caller's pipe.
. "$(dirname "$0")/lab.sh"
N=es-lh$$
lab_trap "$N"

# The inner script brings the lab up under our name (so our trap cleans it), starts a netem host,
# reports the helper's pid and kills itself with SIGKILL.
inner=$(mktemp /tmp/echoscan-labhelper.XXXXXX)
trap 'rm -f "$inner"; lab_down "$N"' EXIT
cat >"$inner" <<INNER
. "$LAB_ROOT/tests/lab/lab.sh"
lab_up "$N" --prefix 198.18.9.0/24 || exit 1
lab_add_netem_host 198.18.9.1 "delay 1ms" || exit 1
echo "emulated=\${LAB_EMULATED:-0} dir=\$LAB_DIR"
kill -KILL \$\$
INNER
t0=$(lab_now)
timeout -k 1 10 bash -c "bash '$inner' | cat >'$inner.out'"
rc=$?
dt=$(lab_since "$t0")
info=$(cat "$inner.out" 2>/dev/null); rm -f "$inner.out"
echo "pipeline ended with status $rc after $dt s; inner said: $info"
LAB_DIR=${info#*dir=}
[ $rc = 124 ] && lab_fail "the pipeline did not end in 10 s: a lab helper keeps the caller's stdout open"
case $info in
    emulated=1*)
        pid=$(head -1 "$LAB_DIR/pids" 2>/dev/null)
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            for fd in 0 1; do
                tgt=$(readlink "/proc/$pid/fd/$fd")
                [ "$tgt" = /dev/null ] || lab_fail "the netem helper's fd $fd is $tgt, expected /dev/null"
            done
        else
            lab_fail "the netem helper (pid '$pid') is not running after its script was killed"
        fi ;;
    emulated=0*) echo "this kernel has sch_netem: no userspace helper to check" ;;
    *) lab_fail "the inner lab script failed" ;;
esac
exit $LAB_FAILED
