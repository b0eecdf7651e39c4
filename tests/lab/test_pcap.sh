#!/bin/bash
# test_pcap: --pcap FILE holds exactly the reported replies. With --all every validated reply is
# reported, and `tcpdump -r` (nanosecond stamps) of the file lists the same replies as the output:
# same responder, same kind (echo reply / unreachable), same capture time to the microsecond, one
# frame per record, nothing else — though one host's replies are corrupted (100%) and fail
# validation. Without --all the file still holds every valid reply (the summary's count, a superset
# of the reported hosts). --pcap-all adds the frames that failed validation (valid + invalid). The
# metadata record names the file and its frame count. Bad uses exit 2 naming the problem.
. "$(dirname "$0")/lab.sh"
N=es-pcap$$
lab_trap "$N"
command -v tcpdump >/dev/null || { echo "skip: tcpdump not installed"; exit "$LAB_SKIP"; }
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 0.3 --unreach-frac 0.05 --seed 13 || exit 1
bad=$(sed -n 3p "$LAB_DIR/live.txt")
lab_add_netem_host "$bad" "corrupt 100%" || exit 1
echo "replies from $bad corrupted (100%)"
D=$LAB_DIR

# tcpdump's view: "epoch.us source kind" per frame
pcap_rows() {
    tcpdump -r "$1" -n -tt --time-stamp-precision nano 2>/dev/null | awk '
        { ts = $1; src = $3; kind = "other"
          if ($0 ~ /ICMP echo reply/) kind = "echoreply"
          else if ($0 ~ /unreachable/) kind = "unreach"
          split(ts, t, "."); print t[1] "." substr(t[2], 1, 6), src, kind }' | sort
}
summary() { sed -n "s/^$1: \([0-9]*\).*/\1/p" "$2"; }

# 1. --all: the file = the output, record for record
lab_scan 30 --all -P 4 -c 1 -r 20000 -f saddr,responder,classification,timestamp \
    --pcap "$D/all.pcap" -m "$D/all.meta.json" 198.18.0.0/24 >"$D/all.csv" 2>"$D/all.err"
rc=$?
[ $rc = 0 ] || { lab_fail "--all --pcap: exit status $rc"; cat "$D/all.err" >&2; }
pcap_rows "$D/all.pcap" >"$D/all.pcap.rows"
tail -n +2 "$D/all.csv" | python3 -c '
import sys, datetime
for l in sys.stdin:
    saddr, resp, cls, ts = l.strip().split(",")
    t = datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    print("%d.%06d %s %s" % (int(t.timestamp()), t.microsecond, resp, cls))' | sort >"$D/all.out.rows"
n=$(wc -l <"$D/all.out.rows")
echo "--all: $n records reported, $(wc -l <"$D/all.pcap.rows") frames in the pcap; invalid: $(summary invalid "$D/all.err")"
[ "$n" -gt 100 ] || lab_fail "--all: only $n records"
[ "$(summary invalid "$D/all.err")" -gt 0 ] || lab_fail "no invalid replies: the corrupted host did not test the filter"
if ! cmp -s "$D/all.out.rows" "$D/all.pcap.rows"; then
    lab_fail "--all: the pcap does not hold exactly the reported replies:"
    diff "$D/all.out.rows" "$D/all.pcap.rows" | head -10 >&2
fi
[ "$(summary 'valid replies' "$D/all.err")" = "$n" ] || lab_fail "--all: valid replies $(summary 'valid replies' "$D/all.err") != $n records"
grep -q "^pcap file: $n frames ($D/all.pcap)\$" "$D/all.err" || lab_fail "summary: no 'pcap file: $n frames ($D/all.pcap)' line"
python3 -c "
import json; m = json.load(open('$D/all.meta.json'))
assert m['pcap']['file'] == '$D/all.pcap' and m['pcap']['written'] == $n, m['pcap']" ||
    lab_fail "metadata: pcap file/written do not match"

# 2. first reply per host only: the file still holds every valid reply
lab_scan 30 -P 2 -c 1 -r 20000 -O text --pcap "$D/first.pcap" 198.18.0.0/24 >"$D/first.txt" 2>"$D/first.err"
rc=$?
[ $rc = 0 ] || lab_fail "--pcap: exit status $rc"
pcap_rows "$D/first.pcap" >"$D/first.pcap.rows"
valid=$(summary 'valid replies' "$D/first.err")
[ "$(wc -l <"$D/first.pcap.rows")" = "$valid" ] ||
    lab_fail "--pcap: $(wc -l <"$D/first.pcap.rows") frames, the summary counts $valid valid replies"
awk '$3 == "echoreply" { print $2 }' "$D/first.pcap.rows" | sort -u >"$D/first.pcap.hosts"
lab_cmp_sets "--pcap echo repliers vs reported hosts" "$D/first.txt" "$D/first.pcap.hosts" ||
    lab_fail "--pcap: the echo replies in the file are not from exactly the reported hosts"

# 3. --pcap-all: the invalid frames too
lab_scan 30 --all -P 4 -c 1 -r 20000 -O text --pcap "$D/every.pcap" --pcap-all 198.18.0.0/24 \
    >/dev/null 2>"$D/every.err"
frames=$(pcap_rows "$D/every.pcap" | wc -l)
valid=$(summary 'valid replies' "$D/every.err") invalid=$(summary invalid "$D/every.err")
echo "--pcap-all: $frames frames = $valid valid + $invalid invalid?"
[ "$frames" = $((valid + invalid)) ] || lab_fail "--pcap-all: $frames frames, expected $valid valid + $invalid invalid"

# 4. bad uses
lab_scan 10 --pcap-all 198.18.0.1 >/dev/null 2>"$D/e1"
[ $? = 2 ] && grep -q -- '--pcap FILE' "$D/e1" || lab_fail "--pcap-all alone: expected exit 2 naming --pcap FILE: $(cat "$D/e1")"
lab_scan 10 -c 0 --pcap /nonexistent/dir/x.pcap 198.18.0.1 >/dev/null 2>"$D/e2"
[ $? = 2 ] && grep -q /nonexistent/dir/x.pcap "$D/e2" || lab_fail "unwritable --pcap: expected exit 2 naming the path: $(cat "$D/e2")"
lab_scan 10 -c 0 --tx dgram --pcap "$D/x.pcap" 198.18.0.1 >/dev/null 2>"$D/e3"
[ $? = 2 ] && grep -q 'datagram' "$D/e3" || lab_fail "--tx dgram --pcap: expected exit 2 explaining: $(cat "$D/e3")"
exit $LAB_FAILED
