#!/bin/bash
# test_distributed: the recipes of docs/distributed.md, run for real in a lab (198.18.0.0/20, 20%
# live, 2% unreachable): the GNU parallel block (4 shards at once, taken verbatim from the doc),
# the Kubernetes Indexed Job's container command (from docs/k8s-indexed-job.yaml, once per
# JOB_COMPLETION_INDEX) and the Slurm array script (docs/slurm-array.sh, once per task with the
# SLURM_ARRAY_* variables Slurm sets) — Kubernetes and Slurm themselves are not run. Each set of
# shard files is merged with the doc's merge block; the merged CSV must equal a single unsharded
# run's as a set (address, TTL, classification, success) with one header, and the merged metadata
# must add up (targets, probes, hosts up = records). The merge refuses an incomplete set of shards.
. "$(dirname "$0")/lab.sh"
N=es-dist$$
lab_trap "$N"
for c in parallel jq; do
    command -v $c >/dev/null || { echo "skip: $c not installed (make deps installs it)"; exit "$LAB_SKIP"; }
done
python3 -c 'import yaml' 2>/dev/null || { echo "skip: python3-yaml not installed"; exit "$LAB_SKIP"; }
lab_up "$N" --prefix 198.18.0.0/20 --live-frac 0.2 --unreach-frac 0.02 --seed 31 || exit 1
DOC=$LAB_ROOT/docs/distributed.md
BIN=$(dirname "$ECHOSCAN")     # the recipes call `echoscan`: this one, first in PATH
[ "$(basename "$ECHOSCAN")" = echoscan ] || { lab_fail "ECHOSCAN must be named echoscan for the recipes: $ECHOSCAN"; exit 1; }

# the sh block after the marker "<!-- test: NAME" in the doc
block() {
    awk -v m="<!-- test: $1" 'index($0, m) == 1 { on = 1; next }
        on && /^```sh/ { inb = 1; next } inb && /^```/ { exit } inb { print }' "$DOC"
}
for b in parallel merge; do
    [ -n "$(block $b)" ] || { lab_fail "no '$b' block in $DOC"; exit 1; }
done
run_in() { # DIR SCRIPT: runs SCRIPT with bash in DIR, in the scanner namespace
    lab_exec_s env PATH="$BIN:$PATH" bash -c "cd '$1' && $2"
}
merge_in() { # DIR: the doc's merge block (docs/ = the repository's)
    run_in "$1" "$(block merge | sed "s#docs/merge-metadata.jq#$LAB_ROOT/docs/merge-metadata.jq#")"
}

# the reference: one unsharded run
mkdir "$LAB_DIR/single"
run_in "$LAB_DIR/single" "echoscan -q -r 50k -c 2 -o single.csv -m single.meta.json 198.18.0.0/20"
rc=$?
[ $rc = 0 ] || lab_fail "single run: exit status $rc"
rows() { tail -n +2 "$1" | cut -d, -f1,3- | sort; }   # saddr,ttl,classification,success
rows "$LAB_DIR/single/single.csv" >"$LAB_DIR/single.rows"
lab_cmp_sets "single run vs live.txt" "$LAB_DIR/live.txt" <(cut -d, -f1 "$LAB_DIR/single.rows") ||
    lab_fail "the single run did not find exactly the live set"

check_merged() { # NAME DIR
    local name=$1 d=$2 n
    [ "$(head -1 "$d/sweep.csv")" = "$(head -1 "$LAB_DIR/single/single.csv")" ] ||
        lab_fail "$name: merged header '$(head -1 "$d/sweep.csv")' differs from a single run's"
    [ "$(grep -c '^saddr,' "$d/sweep.csv")" = 1 ] || lab_fail "$name: the merged CSV has $(grep -c '^saddr,' "$d/sweep.csv") headers"
    rows "$d/sweep.csv" >"$d/sweep.rows"
    if cmp -s "$LAB_DIR/single.rows" "$d/sweep.rows"; then
        echo "$name: merged $(wc -l <"$d/sweep.rows") records = the single run's"
    else
        lab_fail "$name: merged records differ from the single run's:"
        diff "$LAB_DIR/single.rows" "$d/sweep.rows" | head -10 >&2
    fi
    n=$(wc -l <"$d/sweep.rows")
    python3 - "$d/sweep.meta.json" "$n" "$name" <<'PY' || lab_fail "$name: merged metadata does not add up"
import json, sys
m, n, name = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
assert m["shards"] == 4 and m["seed"] == 42, m
assert m["targets"] == {"total": 4096, "probed": 4096}, m["targets"]
assert m["probes"]["sent"] == m["probes"]["planned"] == 4096, m["probes"]
assert m["hosts_up"] == n, (m["hosts_up"], n)
assert m["exit_status"] == 0 and m["interrupted"] is False, m
assert m["start_time"] < m["end_time"], m
assert len(m["commands"]) == 4
print(f"{name}: merged metadata: {m['hosts_up']} hosts up, {m['hosts_unreachable']} unreachable, "
      f"{m['probes']['sent']} probes, invalid {m['invalid']}")
PY
}

# 1. GNU parallel, verbatim from the doc
mkdir "$LAB_DIR/par"
run_in "$LAB_DIR/par" "$(block parallel)"
rc=$?
[ $rc = 0 ] || lab_fail "parallel recipe: exit status $rc"
merge_in "$LAB_DIR/par" || lab_fail "parallel recipe: the merge failed"
check_merged parallel "$LAB_DIR/par"

# 2. Kubernetes Indexed Job: the container's command and env, once per completion index
mkdir "$LAB_DIR/k8s"
python3 - "$LAB_ROOT/docs/k8s-indexed-job.yaml" >"$LAB_DIR/k8s.env" <<'PY'
import shlex, sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
spec = job["spec"]
c = spec["template"]["spec"]["containers"][0]
env = {e["name"]: e["value"] for e in c["env"]}
assert spec["completionMode"] == "Indexed" and int(env["SHARDS"]) == spec["completions"], (spec, env)
assert c["command"][:2] == ["sh", "-c"], c["command"]
for k, v in env.items():
    if k != "OUT_DIR":
        print(f"export {k}={shlex.quote(v)}")
print(f"K8S_COMPLETIONS={spec['completions']}")
print(f"K8S_CMD={shlex.quote(c['command'][2])}")
PY
[ $? = 0 ] || lab_fail "docs/k8s-indexed-job.yaml: not an Indexed Job whose SHARDS equals completions"
. "$LAB_DIR/k8s.env"
for ((i = 0; i < K8S_COMPLETIONS; i++)); do
    lab_exec_s env PATH="$BIN:$PATH" JOB_COMPLETION_INDEX=$i OUT_DIR="$LAB_DIR/k8s" sh -c "$K8S_CMD"
    rc=$?
    [ $rc = 0 ] || lab_fail "k8s command, index $i: exit status $rc"
done
merge_in "$LAB_DIR/k8s" || lab_fail "k8s: the merge failed"
check_merged k8s "$LAB_DIR/k8s"

# 3. Slurm job array: the script once per task (task ids 10..13, as with --array=10-13)
mkdir "$LAB_DIR/slurm"
for i in 10 11 12 13; do
    lab_exec_s env PATH="$BIN:$PATH" SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_MIN=10 \
        SLURM_ARRAY_TASK_COUNT=4 OUT_DIR="$LAB_DIR/slurm" bash "$LAB_ROOT/docs/slurm-array.sh"
    rc=$?
    [ $rc = 0 ] || lab_fail "slurm script, task $i: exit status $rc"
done
merge_in "$LAB_DIR/slurm" || lab_fail "slurm: the merge failed"
check_merged slurm "$LAB_DIR/slurm"

# an incomplete set of shards is refused, naming the problem
rm "$LAB_DIR/slurm/shard2.meta.json"
out=$(cd "$LAB_DIR/slurm" && jq -s -f "$LAB_ROOT/docs/merge-metadata.jq" shard*.meta.json 2>&1)
rc=$?
[ $rc != 0 ] && echo "$out" | grep -q 'shards \[0,1,3\] given' ||
    lab_fail "merging shards 0,1,3 of 4: exit $rc, output: $out"
exit $LAB_FAILED
