#!/bin/bash
# tests/lab/run.sh — runs the lab (integration) tests: every tests/lab/test_*.sh, or those named.
#
#   bash tests/lab/run.sh [test_name ...]      (make lab)
#
# Prints "ok" / "FAIL" / "skip" per test with its duration (a failing test's output follows),
# then a final line "N passed, M failed" (plus ", K skipped" if any). Exit status 1 if any failed.
# Without root or network namespaces every test counts as skipped (and the reason is printed).
# A test exits 0 (pass), 77 (skipped: its last output line says why) or anything else (fail).
# ECHOSCAN=path selects the binary (default ./echoscan at the repo root); LAB_TEST_TIMEOUT (s, default
# 120) bounds each test; LAB_VERBOSE=1 prints the output of passing tests too.

cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh

tests=()
if [ $# -gt 0 ]; then
    for a in "$@"; do
        a=${a##*/}; a=${a%.sh}; a=${a#test_}
        if [ -f "tests/lab/test_$a.sh" ]; then tests+=("tests/lab/test_$a.sh")
        else echo "run.sh: no such lab test: $a" >&2; exit 2; fi
    done
else
    for t in tests/lab/test_*.sh; do [ -f "$t" ] && tests+=("$t"); done
fi

pass=0 fail=0 skip=0
if ! why=$(lab_ok); then
    echo "lab tests skipped: $why"
    for t in "${tests[@]}"; do t=${t##*/}; echo "skip ${t%.sh}"; skip=$((skip + 1)); done
    echo "0 passed, 0 failed, $skip skipped"
    exit 0
fi
if [ ! -x "$ECHOSCAN" ]; then
    echo "lab: $ECHOSCAN not found or not executable (run make, or set ECHOSCAN=path)"
    for t in "${tests[@]}"; do t=${t##*/}; echo "FAIL ${t%.sh}"; done
    echo "0 passed, ${#tests[@]} failed"
    exit 1
fi

cur=
on_signal() {
    [ -n "$cur" ] && kill -TERM "$cur" 2>/dev/null && wait "$cur" 2>/dev/null
    echo "interrupted"
    echo "$pass passed, $fail failed$([ $skip -gt 0 ] && echo ", $skip skipped")"
    exit 130
}
trap on_signal INT TERM

log=$(mktemp /tmp/echoscan-labrun.XXXXXX)
trap 'rm -f "$log"' EXIT
t_all=$(lab_now)
for t in "${tests[@]}"; do
    name=${t##*/}; name=${name%.sh}
    t0=$(lab_now)
    # timeout runs the test in its own process group and signals the whole group on expiry.
    timeout -k 5 "${LAB_TEST_TIMEOUT:-120}" bash "$t" >"$log" 2>&1 &
    cur=$!
    wait $cur; rc=$?
    cur=
    dt=$(lab_since "$t0")
    case $rc in
        0)  pass=$((pass + 1)); printf 'ok   %-16s %6ss\n' "$name" "$dt"
            [ -n "$LAB_VERBOSE" ] && sed 's/^/    /' "$log" ;;
        77) skip=$((skip + 1)); printf 'skip %-16s %6ss  (%s)\n' "$name" "$dt" "$(tail -1 "$log")" ;;
        *)  fail=$((fail + 1))
            if [ $rc = 124 ] || [ $rc = 137 ]; then why=" (timed out after ${LAB_TEST_TIMEOUT:-120} s)"; else why=" (exit $rc)"; fi
            printf 'FAIL %-16s %6ss%s\n' "$name" "$dt" "$why"
            sed 's/^/    /' "$log" ;;
    esac
done
echo "lab tests took $(lab_since "$t_all") s"
echo "$pass passed, $fail failed$([ $skip -gt 0 ] && echo ", $skip skipped")"
[ $fail = 0 ]
