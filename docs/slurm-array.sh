#!/bin/bash
# Slurm job array: one echoscan shard per array task (see docs/distributed.md).
# NOT run under Slurm by echoscan's tests (there is no cluster here); tests/lab/test_distributed.sh
# runs this script in a lab namespace once per task, setting the SLURM_ARRAY_* variables Slurm
# would set.
#
#   sbatch docs/slurm-array.sh            # the --array range below decides the shard count
#
# Each task scans shard (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) of SLURM_ARRAY_TASK_COUNT,
# with the same seed. The nodes need echoscan with CAP_NET_RAW (setcap cap_net_raw+ep) and a
# shared OUT_DIR. Exit status 1 (no host answered in this shard) counts as success.
#SBATCH --job-name=echoscan
#SBATCH --array=0-3
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=2
#SBATCH --output=echoscan-%A_%a.log
set -u
SEED=${SEED:-42}
RATE=${RATE:-25k}                        # per shard
TARGETS=${TARGETS:-198.18.0.0/20}
OUT_DIR=${OUT_DIR:-$PWD}
shard=$((SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN))
echoscan -q -r "$RATE" -c 2 --seed "$SEED" --shards "$SLURM_ARRAY_TASK_COUNT" --shard "$shard" \
    -o "$OUT_DIR/shard$shard.csv" -m "$OUT_DIR/shard$shard.meta.json" $TARGETS
rc=$?
[ $rc -le 1 ] || exit $rc
