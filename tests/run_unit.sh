#!/usr/bin/env bash
# Runs every cmocka unit test binary given as arguments and prints one total
# line, "unit: N passed, M failed", from cmocka's own summaries.
set -u
passed=0 failed=0 broken=0
for t in "$@"; do
	echo "== $t"
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^\[  (FAILED|PASSED)|^\[  ERROR|^\[==' || true
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
	if [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out" | tail -20
		[ -z "$f" ] && broken=$((broken + 1))
	fi
done
failed=$((failed + broken))
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
