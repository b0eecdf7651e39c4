#!/bin/bash
# tests/demo.sh — `make demo`: builds a lab (a /16 behind a veth pair in network namespaces: 20% of
# the addresses answer, 2% are unreachable, the rest silent), sweeps it with echoscan, shows what it
# found and checks it against the ground truth. Everything stays inside the namespaces; they are
# removed at the end (also on failure or Ctrl-C). Exits non-zero if anything failed.
cd "$(dirname "$0")/.." || exit 2
# shellcheck source=tests/lab/lab.sh
. tests/lab/lab.sh

if ! why=$(lab_ok); then echo "demo: cannot build the lab: $why" >&2; exit 1; fi
if [ ! -x "$ECHOSCAN" ]; then echo "demo: $ECHOSCAN not found (run make)" >&2; exit 1; fi

N=esdemo$$
lab_trap "$N"
lab_up "$N" --seed 2024 || { echo "demo: lab setup failed" >&2; exit 1; }
echo "demo lab: $LAB_PREFIX in namespace $LAB_T: $LAB_NLIVE live, $LAB_NUNREACH unreachable, the rest silent"
echo "demo: scanning from namespace $LAB_S:"
echo "  echoscan --status -r 50000 -c 2 -o results.csv $LAB_PREFIX"

out=$LAB_DIR/results.csv
timeout -k 2 60 ip netns exec "$LAB_S" "$ECHOSCAN" --status -r 50000 -c 2 -o "$out" "$LAB_PREFIX"
rc=$?
echo
if [ $rc != 0 ]; then echo "demo: echoscan exited with status $rc (expected 0)" >&2; exit 1; fi
if [ ! -s "$out" ]; then echo "demo: no output file" >&2; exit 1; fi

echo "demo: first 10 live hosts (CSV: $(head -1 "$out")):"
tail -n +2 "$out" | head -10 | sed 's/^/  /'
tail -n +2 "$out" | cut -d, -f1 | sort -u >"$LAB_DIR/found"
n=$(wc -l <"$LAB_DIR/found")
echo "demo: $n hosts reported"
if lab_cmp_sets "demo" "$LAB_DIR/live.txt" <(tail -n +2 "$out" | cut -d, -f1); then
    echo "demo: found $n of $LAB_NLIVE live hosts"
    exit 0
fi
ok=$(comm -12 "$LAB_DIR/found" <(sort "$LAB_DIR/live.txt") | wc -l)
echo "demo: found $ok of $LAB_NLIVE live hosts ($((n - ok)) wrong): FAILED" >&2
exit 1
