#!/bin/bash
# test_sender_threads: --sender-threads 2 splits the scan between two sender threads without
# changing what is sent. Over the lab's /16 (20 % live): the hosts found are exactly the live set,
# the summary counts exactly the planned probes (65536 x 2) and says 2 sender threads. With
# --seed and -n 20000 -P 2, the echo requests captured in the target are exactly the --dry-run's
# probe list (the same first 20000 targets of the order, each twice, none more). --max-runtime 1
# -r 5000 sends exactly 5000 probes (less only by what a sender's reported lag holds). With --shards 2 each shard sends its share once and the
# shards together find the live set. Killed (kill -9) in the second pass of a two-pass scan and resumed
# with --resume and the same command line, the output holds the live set exactly once.
. "$(dirname "$0")/lab.sh"
N=es-st$$
lab_trap "$N"
command -v tcpdump >/dev/null || { echo "skip: tcpdump not installed"; exit "$LAB_SKIP"; }
lab_up "$N" --seed 31 || exit 1

sent_of() { awk -F': ' '/^probes sent:/ {print $2 + 0}' "$1"; }
fail_err() { lab_fail "$1"; sed 's/^/  stderr: /' "$2" | tail -20 >&2; }

# 1. the whole /16, twice: every live host, exactly 131072 probes
lab_scan 60 -r 100000 -P 2 -c 2 -O text --sender-threads 2 "$LAB_PREFIX" >"$LAB_DIR/all.out" 2>"$LAB_DIR/all.err"
rc=$?
[ $rc = 0 ] || fail_err "whole /16: exit status $rc, expected 0" "$LAB_DIR/all.err"
lab_addrs "$LAB_DIR/all.out" | sort >"$LAB_DIR/all"
lab_cmp_sets "--sender-threads 2 vs live.txt" "$LAB_DIR/live.txt" "$LAB_DIR/all" ||
    lab_fail "--sender-threads 2 did not find exactly the live set"
s=$(sent_of "$LAB_DIR/all.err")
echo "whole /16, -P 2: $(wc -l <"$LAB_DIR/all") hosts (live $LAB_NLIVE), probes sent ${s:-?}"
[ "$s" = 131072 ] || fail_err "whole /16 -P 2: probes sent ${s:-?}, expected 131072" "$LAB_DIR/all.err"
grep -q "2 sender threads" "$LAB_DIR/all.err" || fail_err "the summary does not say 2 sender threads" "$LAB_DIR/all.err"

# 2. -n 20000 -P 2 with a seed: on the wire exactly the dry run's probes
pcap=$LAB_DIR/st.pcap
ip netns exec "$LAB_T" tcpdump -i vet -B 65536 -w "$pcap" -U 'icmp[icmptype] == icmp-echo' 2>/dev/null &
tpid=$!
sleep 0.5
lab_scan 60 -q -r 40000 -P 2 -n 20000 --seed 5 -c 1 -O text --sender-threads 2 "$LAB_PREFIX" \
    >"$LAB_DIR/n.out" 2>"$LAB_DIR/n.err"
rc=$?
sleep 0.5; kill "$tpid"; wait "$tpid" 2>/dev/null
[ $rc -le 1 ] || fail_err "-n 20000: exit status $rc" "$LAB_DIR/n.err"
lab_scan 30 --dry-run -P 2 -n 20000 --seed 5 "$LAB_PREFIX" >"$LAB_DIR/dry.out" 2>"$LAB_DIR/dry.err" ||
    fail_err "--dry-run failed" "$LAB_DIR/dry.err"
lab_addrs "$LAB_DIR/dry.out" | sort >"$LAB_DIR/dry"
tcpdump -r "$pcap" -n 2>/dev/null | awk '{ split($5, a, ":"); print a[1] }' | sort >"$LAB_DIR/wire"
echo "-n 20000 -P 2: $(wc -l <"$LAB_DIR/wire") echo requests on the wire, $(wc -l <"$LAB_DIR/dry") in the dry run"
cmp -s "$LAB_DIR/dry" "$LAB_DIR/wire" || {
    lab_fail "the probes on the wire differ from the dry run's (as multisets): $(comm -23 "$LAB_DIR/dry" "$LAB_DIR/wire" | wc -l) missing, $(comm -13 "$LAB_DIR/dry" "$LAB_DIR/wire" | wc -l) extra, e.g. $(comm -3 "$LAB_DIR/dry" "$LAB_DIR/wire" | head -3 | paste -sd' ')"
}

# 3. --max-runtime 1 -r 5000: exactly 5000 when the senders kept up; a sender that fell behind (a
# loaded machine; the summary says how far) catches up at 17/16 of the rate, never in a burst, so
# what it still owed after the deadline's grace stays unsent: never more than 5000, and at most what
# the reported lag holds (two shares of 2500/s, batches of 2) left out
lab_scan 30 -r 5000 --max-runtime 1 -c 0.5 -O text --sender-threads 2 "$LAB_PREFIX" >/dev/null 2>"$LAB_DIR/mr.err"
s=$(sent_of "$LAB_DIR/mr.err")
b=$(sed -n 's/^behind schedule: \([0-9.]*\) ms at most.*/\1/p' "$LAB_DIR/mr.err")
echo "--max-runtime 1 -r 5000: probes sent ${s:-?}${b:+ (behind schedule: $b ms at most)}"
if [ -z "$b" ]; then
    [ "$s" = 5000 ] || fail_err "--max-runtime 1 -r 5000: probes sent ${s:-?}, expected 5000" "$LAB_DIR/mr.err"
else
    awk -v s="${s:-0}" -v b="$b" 'BEGIN { exit !(s <= 5000 && 5000 - s <= b * 5 + 4) }' ||
        fail_err "--max-runtime 1 -r 5000: probes sent ${s:-?}, $b ms behind: expected 5000 less at most $b ms of traffic" "$LAB_DIR/mr.err"
fi

# 4. two shards of two sender threads each
for i in 0 1; do
    lab_scan 60 -r 100000 -c 2 -O text --seed 7 --shards 2 --shard $i --sender-threads 2 "$LAB_PREFIX" \
        >"$LAB_DIR/sh$i.out" 2>"$LAB_DIR/sh$i.err"
    rc=$?
    [ $rc = 0 ] || fail_err "--shard $i: exit status $rc, expected 0" "$LAB_DIR/sh$i.err"
    lab_addrs "$LAB_DIR/sh$i.out" | sort >"$LAB_DIR/sh$i"
    eval "s$i=\$(sent_of \"\$LAB_DIR/sh$i.err\")"
done
echo "shards: probes sent ${s0:-?} + ${s1:-?}"
[ $((s0 + s1)) = 65536 ] || lab_fail "shards sent ${s0:-?} + ${s1:-?}, expected 65536 in all"
lab_cmp_sets "two shards of two sender threads vs live.txt" "$LAB_DIR/live.txt" <(sort -u "$LAB_DIR/sh0" "$LAB_DIR/sh1") ||
    lab_fail "the shards together did not find exactly the live set"

# 5. kill -9 at 2.5 s (in the second pass at 40k/s; the saved position trails by the in-flight
#    window) and --resume
D=$LAB_DIR/resume
mkdir -m 1777 "$D"
args=(-r 40000 -P 2 -c 1 -q -O text --sender-threads 2 --resume "$D/st" -o "$D/out" "$LAB_PREFIX")
ip netns exec "$LAB_S" "$ECHOSCAN" "${args[@]}" 2>"$D/err1" &
pid=$!
sleep 2.5
kill -9 "$pid" 2>/dev/null
{ wait "$pid"; } 2>/dev/null
pos=$(awk '$1 == "position" { print $2 }' "$D/st" 2>/dev/null)
lab_scan 60 "${args[@]}" 2>"$D/err2"
rc=$?
[ $rc = 0 ] || fail_err "resumed run: exit status $rc, expected 0" "$D/err2"
echo "killed at 2.5 s (saved position ${pos:-none} of 131072), resumed: $(lab_addrs "$D/out" | wc -l) hosts"
lab_cmp_sets "kill -9 + --resume with 2 sender threads vs live.txt" "$LAB_DIR/live.txt" <(lab_addrs "$D/out") ||
    lab_fail "after --resume the live set is not in the output exactly once"
exit $LAB_FAILED
