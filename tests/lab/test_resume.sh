#!/bin/bash
# test_resume: --resume after kill -9, on a /16 with 20% live (ground truth: live.txt).
#  - 5 rounds in a row, each killed (SIGKILL) at a random point of the scan (0.3..3.4 s after the
#    start at 25k probes/s: starting, sending or cooling down), then resumed with the same command line: the output file (-o, text or CSV) holds the
#    whole live set exactly once, with one CSV header; the state ends "done";
#  - a -P 2 round killed late (often in the second pass): same;
#  - standard output (documented at-least-once at the seam): killed, resumed, the two outputs
#    together hold the live set (repeats allowed, nothing missing, nothing extra);
#  - a complete state: a third run sends nothing, says so, exits 0, leaves the output alone;
#  - a changed command line (-P, targets) is refused with exit 2 naming what differs;
#  - a state directory the unprivileged user cannot write is refused before sending (exit 2).
. "$(dirname "$0")/lab.sh"
N=es-rs$$
lab_trap "$N"
lab_up "$N" --seed 11 || exit 1
echo "lab: $LAB_NLIVE live, $LAB_NUNREACH unreachable in $LAB_PREFIX"
# echoscan runs as "nobody" (or the sudo user) once its sockets are open: it must be able to
# replace the state file in its directory
D=$LAB_DIR/resume
mkdir -m 1777 "$D"

rand_delay() { awk -v r="$RANDOM" -v lo="$1" -v hi="$2" 'BEGIN { printf "%.2f", lo + (hi - lo) * r / 32767 }'; }
state_get() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }

# run_killed DELAY ERRFILE ARGS... : starts echoscan, SIGKILLs it after DELAY s; 0 if it was killed
run_killed() {
    local delay=$1 err=$2 pid rc; shift 2
    ip netns exec "$LAB_S" "$ECHOSCAN" "$@" 2>"$err" &
    pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null; rc=$?
    [ $rc = 137 ] && return 0
    lab_fail "echoscan $* was not interrupted at $delay s (exit $rc): the scan ended too early"
    sed 's/^/  stderr: /' "$err" | tail -5 >&2
    return 1
}

# round NAME DELAY_LO DELAY_HI ARGS... : kill -9 then --resume, output in $D/NAME.out
round() {
    local name=$1 lo=$2 hi=$3; shift 3
    local st=$D/$name.state out=$D/$name.out delay rc kept pos lines
    delay=$(rand_delay "$lo" "$hi")
    run_killed "$delay" "$D/$name.err1" --resume "$st" -o "$out" "$@" "$LAB_PREFIX" || return
    lines=$(lab_addrs "$out" 2>/dev/null | wc -l)
    if [ -f "$st" ]; then
        pos="probe $(state_get "$st" position) of $(state_get "$st" total)"
        kept=$(state_get "$st" hosts)
    else
        pos="the start (killed before the first checkpoint)" kept=0
    fi
    lab_scan 60 --resume "$st" -o "$out" "$@" "$LAB_PREFIX" 2>"$D/$name.err2"
    rc=$?
    [ $rc = 0 ] || { lab_fail "$name: the resumed run exited $rc, expected 0"; sed 's/^/  stderr: /' "$D/$name.err2" | tail -5 >&2; }
    lab_cmp_sets "$name: output after kill -9 at $delay s + --resume" "$LAB_DIR/live.txt" <(lab_addrs "$out") ||
        lab_fail "$name: the live set is not in $out exactly once"
    [ "$(state_get "$st" status)" = done ] || lab_fail "$name: the state is not 'done' after the resumed run: $(tr '\n' ' ' <"$st")"
    echo "$name: killed at $delay s with $lines hosts written; resumed at $pos" \
         "keeping $kept hosts; final: $(lab_addrs "$out" | wc -l) hosts (live: $LAB_NLIVE), exit $rc"
}

# 25k/s: 2.6 s of sending, then a 1 s cooldown (the in-flight window)
for i in 1 2 3 4 5; do
    if [ $((i % 2)) = 1 ]; then
        round "round$i" 0.3 3.4 -r 25000 -c 1 -q -O text
    else
        round "round$i" 0.3 3.4 -r 25000 -c 1 -q -O csv -f saddr,rtt_us
        n=$(grep -c '^saddr' "$D/round$i.out")
        [ "$n" = 1 ] || lab_fail "round$i: $n CSV header lines in the output, expected 1"
    fi
done

# two passes (3.3 s of sending): killed late, often in the second pass
round probes2 2.0 3.2 -r 40000 -c 1 -q -O text -P 2

# standard output: at least once at the seam, nothing lost
st=$D/stdout.state
delay=$(rand_delay 0.3 1.6)
ip netns exec "$LAB_S" "$ECHOSCAN" --resume "$st" -r 40000 -c 1 -q -O text "$LAB_PREFIX" >"$D/stdout1" 2>"$D/stdout.err1" &
pid=$!
sleep "$delay"
kill -9 "$pid" 2>/dev/null
{ wait "$pid"; } 2>/dev/null
lab_scan 60 --resume "$st" -r 40000 -c 1 -q -O text "$LAB_PREFIX" >"$D/stdout2" 2>"$D/stdout.err2" ||
    lab_fail "stdout: the resumed run failed: $(tail -3 "$D/stdout.err2")"
cat "$D/stdout1" "$D/stdout2" | sort -u >"$D/stdout.union"
lab_cmp_sets "stdout: both outputs as a set" "$LAB_DIR/live.txt" "$D/stdout.union" ||
    lab_fail "stdout: the two outputs together are not the live set"
echo "stdout: killed at $delay s: $(wc -l <"$D/stdout1") + $(wc -l <"$D/stdout2") lines," \
     "$(sort "$D/stdout1" "$D/stdout2" | uniq -d | wc -l) reported twice at the seam"

# a complete scan: nothing more is sent
st=$D/round1.state out=$D/round1.out
sum=$(md5sum <"$out")
lab_scan 30 --resume "$st" -o "$out" -r 40000 -c 1 -O text "$LAB_PREFIX" 2>"$D/done.err"
rc=$?
[ $rc = 0 ] || lab_fail "resuming a complete scan: exit $rc, expected 0 (hosts were found)"
grep -q "this scan is complete" "$D/done.err" || lab_fail "resuming a complete scan does not say so: $(cat "$D/done.err")"
grep -q "probes sent" "$D/done.err" && lab_fail "resuming a complete scan scanned again: $(cat "$D/done.err")"
[ "$(md5sum <"$out")" = "$sum" ] || lab_fail "resuming a complete scan changed its output"

# a different scan is refused, naming the difference
cp "$D/round2.state" "$D/other.state"
sed -i 's/^status done/status running/; s/^position .*/position 0/' "$D/other.state"
lab_scan 30 --resume "$D/other.state" -o "$D/round2.out" -r 25000 -c 1 -q -O csv -f saddr,rtt_us -P 2 \
    "$LAB_PREFIX" 2>"$D/diff.err"
rc=$?
[ $rc = 2 ] || lab_fail "a changed -P: exit $rc, expected 2"
grep -q -- "-P/--probes (saved 1, now 2)" "$D/diff.err" || lab_fail "a changed -P is not named: $(cat "$D/diff.err")"
lab_scan 30 --resume "$D/other.state" -o "$D/round2.out" -r 25000 -c 1 -q -O csv -f saddr,rtt_us \
    -x 198.18.7.0/24 "$LAB_PREFIX" 2>"$D/diff.err"
rc=$?
[ $rc = 2 ] || lab_fail "changed targets: exit $rc, expected 2"
grep -q "targets after exclusions (saved 65536 addresses, now 65280" "$D/diff.err" ||
    lab_fail "changed targets are not named: $(cat "$D/diff.err")"
# a state echoscan cannot replace once it runs unprivileged: refused before anything is sent
mkdir -m 755 "$D/rootonly"
lab_scan 30 --resume "$D/rootonly/st" -o "$D/rootonly.out" -r 25000 -c 1 -q "$LAB_PREFIX" 2>"$D/perm.err"
rc=$?
[ $rc = 2 ] || lab_fail "a state directory the dropped user cannot write: exit $rc, expected 2"
grep -q "put the state in a directory that user can write" "$D/perm.err" ||
    lab_fail "an unwritable state directory is not explained: $(cat "$D/perm.err")"
echo "complete, changed and unwritable states: refused as expected"
exit $LAB_FAILED
