#!/usr/bin/env bash
# tests/fuzz/run.sh — runs each libFuzzer harness for a fixed time (make fuzz).
#
#   bash tests/fuzz/run.sh SECONDS NAME...      (binaries in build-fuzz/fuzz/NAME)
#
# Each harness starts from its seed corpus tests/fuzz/corpus/NAME (read-only) plus what earlier
# runs found (build-fuzz/corpus/NAME, where new inputs go) and runs SECONDS with -max_total_time.
# tests/fuzz/NAME.dict, when present, is passed as a dictionary. Prints one line per harness
# (executions, rate, coverage, corpus size); a crash, sanitizer report, leak, timeout or out-of-memory
# fails the run: its log tail and the saved input (build-fuzz/artifacts/NAME-*) are printed, and the
# input can be replayed with `build-fuzz/fuzz/NAME FILE`. Exit status 1 if any harness failed.
set -u
cd "$(dirname "$0")/../.." || exit 2
secs=${1:?usage: run.sh SECONDS NAME...}
shift
out=build-fuzz
mkdir -p "$out/corpus" "$out/artifacts" "$out/logs"
fail=0 total=0
for name in "$@"; do
    bin=$out/fuzz/$name
    [ -x "$bin" ] || { echo "fuzz: $bin not built (make fuzz)"; fail=1; continue; }
    mkdir -p "$out/corpus/$name"
    seeds=tests/fuzz/corpus/$name
    [ -d "$seeds" ] || seeds=
    dict=()
    [ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
    log=$out/logs/$name.log
    # -timeout: one input taking 10 s is a hang; -rss_limit_mb: the machine is shared.
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
        -artifact_prefix="$out/artifacts/$name-" "${dict[@]}" \
        "$out/corpus/$name" ${seeds:+"$seeds"} >"$log" 2>&1
    rc=$?
    runs=$(awk '/stat::number_of_executed_units:/ {print $2}' "$log" | tail -1)
    tsec=$(awk '/^Done [0-9]+ runs in/ {print $5}' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | awk '{print $2}')
    ncorp=$(find "$out/corpus/$name" -type f | wc -l)
    total=$((total + ${runs:-0}))
    if [ $rc = 0 ]; then
        rate=$(awk -v r="${runs:-0}" -v t="${tsec:-$secs}" 'BEGIN { printf "%.0f", (t > 0 ? r / t : 0) }')
        printf 'ok   %-14s %10s runs in %3ss (%s/s), cov %s, corpus %s\n' \
            "$name" "${runs:-?}" "${tsec:-$secs}" "$rate" "${cov:-?}" "$ncorp"
    else
        fail=1
        printf 'FAIL %-14s exit %s after %s runs\n' "$name" "$rc" "${runs:-?}"
        grep -E 'ERROR|fuzz property failed|runtime error|SUMMARY|Test unit written' "$log" | head -8 | sed 's/^/    /'
        tail -40 "$log" | sed 's/^/    | /'
    fi
done
echo "fuzz: $total executions in total"
exit $fail
