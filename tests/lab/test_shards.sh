#!/bin/bash
# test_shards: --seed 7 --shards 2 --shard 0/1 give disjoint results whose union is the live set;
# their --dry-run probe lists over a /20 are disjoint and their union is every address once
# (the same as the unsharded dry run).
. "$(dirname "$0")/lab.sh"
N=es-sh$$
lab_trap "$N"
lab_up "$N" --seed 22 || exit 1

for i in 0 1; do
    lab_scan 30 -r 100000 -c 2 -O text --seed 7 --shards 2 --shard $i "$LAB_PREFIX" \
        >"$LAB_DIR/shard$i.out" 2>"$LAB_DIR/shard$i.err"
    rc=$?
    [ $rc = 0 ] || { lab_fail "--shards 2 --shard $i: exit status $rc, expected 0"; sed 's/^/  stderr: /' "$LAB_DIR/shard$i.err" | tail -20 >&2; }
    lab_addrs "$LAB_DIR/shard$i.out" | sort >"$LAB_DIR/s$i"
    echo "shard $i: $(wc -l <"$LAB_DIR/s$i") hosts, exit $rc"
done
both=$(comm -12 "$LAB_DIR/s0" "$LAB_DIR/s1" | wc -l)
[ "$both" = 0 ] || lab_fail "$both hosts reported by both shards, e.g. $(comm -12 "$LAB_DIR/s0" "$LAB_DIR/s1" | head -3 | paste -sd' ')"
lab_cmp_sets "shard 0 + shard 1 vs live.txt" "$LAB_DIR/live.txt" <(sort -u "$LAB_DIR/s0" "$LAB_DIR/s1") ||
    lab_fail "the union of the shards differs from the live set"
[ "$(wc -l <"$LAB_DIR/s0")" -gt 0 ] && [ "$(wc -l <"$LAB_DIR/s1")" -gt 0 ] || lab_fail "a shard found nothing"

dry=198.18.16.0/20
python3 -c "import ipaddress; print('\n'.join(str(a) for a in ipaddress.ip_network('$dry')))" | sort >"$LAB_DIR/all20"
for i in 0 1 full; do
    if [ $i = full ]; then args=(--seed 7); else args=(--seed 7 --shards 2 --shard $i); fi
    lab_scan 20 --dry-run "${args[@]}" "$dry" >"$LAB_DIR/dry$i.out" 2>"$LAB_DIR/dry$i.err"
    rc=$?
    [ $rc = 0 ] || { lab_fail "--dry-run ${args[*]} $dry: exit status $rc, expected 0"; sed 's/^/  stderr: /' "$LAB_DIR/dry$i.err" | tail -5 >&2; }
    lab_addrs "$LAB_DIR/dry$i.out" | sort >"$LAB_DIR/d$i"
    echo "dry run ${args[*]}: $(wc -l <"$LAB_DIR/d$i") probes"
done
both=$(comm -12 "$LAB_DIR/d0" "$LAB_DIR/d1" | wc -l)
[ "$both" = 0 ] || lab_fail "dry run: $both addresses in both shards, e.g. $(comm -12 "$LAB_DIR/d0" "$LAB_DIR/d1" | head -3 | paste -sd' ')"
lab_cmp_sets "dry run shard 0 + shard 1 vs $dry" "$LAB_DIR/all20" <(cat "$LAB_DIR/d0" "$LAB_DIR/d1") ||
    lab_fail "dry run: the shards together do not probe every address of $dry exactly once"
lab_cmp_sets "unsharded dry run vs $dry" "$LAB_DIR/all20" "$LAB_DIR/dfull" ||
    lab_fail "dry run: the unsharded run does not probe every address of $dry exactly once"
exit $LAB_FAILED
