#!/bin/bash
# test_api: the public API's thread and life-cycle rules with real sockets (tests/lab/api_check.c,
# built against include/echoscan.h and build/libechoscan.so alone). In a lab /24 (25% live):
#  - a scan with callbacks, raw (root) and datagram (nobody): reply callbacks on one thread that is
#    neither the caller's nor the sender's, one sent event per probe sent, on the sender thread;
#    the hosts reported are exactly the live set;
#  - es_scan_stop called from the first reply callback ends a 2.5 s scan early (not every probe
#    sent), and stopping or closing again afterwards is harmless;
#  - es_ping's reply callbacks run on the calling thread, one per reply, and the path reported
#    back is the one asked for (raw as root, dgram as nobody; auto takes the datagram socket
#    while ping_group_range permits it, as iputils: tests/lab/test_api_ping.sh has the rest);
#  - a scan handle closed before start, while sending, after stop, and twice;
#  - the codes: ES_ENODEV for a missing interface, ES_EPERM for nobody with ping_group_range closed,
#    ES_ENOTFOUND for a name that does not resolve (the namespace has no route out: no query leaves);
#  - es_multiping's per-host statistics: one record per target in address order, 3/3 for live
#    hosts, 0/3 and 100% loss for the others, and the alive count;
#  - a sweep's settings (#12): the /24 minus an excluded /25, in two shards, one live host
#    preloaded as reported, the mmsg backend, the automatic cooldown (the fixed one set is 30 s):
#    the two shards report disjoint sets whose union is the live hosts of the /25 but the preloaded
#    one; the summary's counters, routes and the preload's state rule (api_check sweep);
#  - es_ping of IPv6 hosts (2001:db8:1::/120 behind the target, ::1): raw ICMPv6 as root, the
#    ICMPv6 datagram socket as nobody and for auto (ping_group_range open), 0/3 from a silent
#    host, ES_EPERM for nobody with ping_group_range closed; a raw scan of 2001:db8:1::/120
#    read through the readiness fd gives exactly its live hosts.
. "$(dirname "$0")/lab.sh"
N=es-api$$
lab_trap "$N"
lab_up "$N" --prefix 198.18.0.0/24 --live-frac 0.25 --seed 9 || exit 1
echo "live $LAB_NLIVE of 256"
lab_api_build api_check || exit 1
AC=$LAB_DIR/api_check
ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
as_root() { timeout -k 2 60 ip netns exec "$LAB_S" "$AC" "$@"; }
as_nobody() { timeout -k 2 60 ip netns exec "$LAB_S" "${NOBODY[@]}" env LD_LIBRARY_PATH="$LD_LIBRARY_PATH" "$AC" "$@"; }
live=$(head -1 "$LAB_DIR/live.txt")

for who in root nobody; do
	mode=raw; [ $who = nobody ] && mode=dgram
	"as_$who" threads $mode 198.18.0.0/24 >"$LAB_DIR/t.out" 2>"$LAB_DIR/t.err"; rc=$?
	cat "$LAB_DIR/t.err"
	[ $rc = 0 ] || lab_fail "$who: threads $mode: exit $rc"
	lab_sortip "$LAB_DIR/t.out" >"$LAB_DIR/t.got"
	lab_cmp_sets "$who: callback scan" "$LAB_DIR/live.txt" "$LAB_DIR/t.got" ||
		lab_fail "$who: the reply callbacks did not give exactly the live set"

	out=$("as_$who" ping $mode "$live" 2>&1); rc=$?
	[ $rc = 0 ] || lab_fail "$who: ping $mode $live: exit $rc: $out"
	[ "$out" = "$mode 3/3" ] || lab_fail "$who: ping $mode $live: '$out' (want '$mode 3/3')"
	echo "ok   $who: es_ping $live: $out, callbacks on the caller"
done
out=$(as_root ping auto "$live" 2>&1)
[ "$out" = "dgram 3/3" ] || lab_fail "root: ping auto: '$out' (want 'dgram 3/3': auto takes the datagram socket where permitted)"
out=$(as_nobody ping raw "$live" 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *ES_EPERM* ]] || lab_fail "nobody: ping raw: exit $rc, '$out' (want 2 and ES_EPERM)"

# the codes callers branch on: no such interface, no privilege at all
out=$(API_IFACE=nosuch0 as_root ping auto "$live" 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *ES_ENODEV* ]] || lab_fail "ping -I nosuch0: exit $rc, '$out' (want 2 and ES_ENODEV)"
ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="1 0"
out=$(as_nobody ping auto "$live" 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *ES_EPERM* ]] || lab_fail "nobody, ping_group_range closed: exit $rc, '$out' (want 2 and ES_EPERM)"
[[ $out == *ping_group_range* ]] || lab_fail "the ES_EPERM message does not name ping_group_range: $out"
echo "ok   ES_ENODEV for a missing interface, ES_EPERM without any privilege"

out=$(as_root ping auto no-such-host.invalid 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *ES_ENOTFOUND* ]] || lab_fail "ping no-such-host.invalid: exit $rc, '$out' (want 2 and ES_ENOTFOUND)"

# es_multiping's per-host statistics: 3 requests each; live hosts 3/3 with an RTT, the others 0/3
as_root multi 3 198.18.0.0/24 >"$LAB_DIR/mp.out" 2>"$LAB_DIR/mp.err" || lab_fail "multi: $(cat "$LAB_DIR/mp.err")"
awk '$1 != "alive" {print $1}' "$LAB_DIR/mp.out" >"$LAB_DIR/mp.order"
[ "$(wc -l <"$LAB_DIR/mp.order")" = 256 ] || lab_fail "multi: $(wc -l <"$LAB_DIR/mp.order") host records (want 256)"
lab_sortip "$LAB_DIR/mp.order" | cmp -s - "$LAB_DIR/mp.order" || lab_fail "multi: host records not in address order"
bad=$(awk -v live="$LAB_DIR/live.txt" 'BEGIN { while ((getline a < live) > 0) L[a] = 1 }
	$1 == "alive" { next }
	($1 in L) && !($2 == 3 && $3 == 3 && $4 == 0 && $5 > 0) { print; next }
	!($1 in L) && !($2 == 3 && $3 == 0 && $4 == 100 && $5 == -1) { print }' "$LAB_DIR/mp.out" | head -3)
[ -z "$bad" ] || lab_fail "multi: wrong per-host statistics: $bad"
grep -qx "alive $LAB_NLIVE" "$LAB_DIR/mp.out" || lab_fail "multi: $(grep alive "$LAB_DIR/mp.out") (want alive $LAB_NLIVE)"
echo "ok   es_multiping: 256 host records in address order, live 3/3, others 0/3 (100% loss), alive $LAB_NLIVE"

# the sweep's settings: exclusions, shards, preloaded hosts, backend, automatic cooldown, summary
awk -F. '$4 < 128' "$LAB_DIR/live.txt" >"$LAB_DIR/sw.live"
pre=$(head -1 "$LAB_DIR/sw.live")
grep -vx "$pre" "$LAB_DIR/sw.live" >"$LAB_DIR/sw.want"
: >"$LAB_DIR/sw.all"
for shard in 0 1; do
	as_root sweep 198.18.0.0/24 198.18.0.128/25 "$pre" $shard >"$LAB_DIR/sw.$shard" 2>"$LAB_DIR/sw.err"; rc=$?
	cat "$LAB_DIR/sw.err"
	[ $rc = 0 ] || lab_fail "sweep shard $shard: exit $rc"
	cat "$LAB_DIR/sw.$shard" >>"$LAB_DIR/sw.all"
done
[ -z "$(sort "$LAB_DIR/sw.0" "$LAB_DIR/sw.1" | uniq -d)" ] || lab_fail "sweep: the two shards overlap"
lab_sortip "$LAB_DIR/sw.all" >"$LAB_DIR/sw.got"
lab_cmp_sets "sweep: two shards, /25 excluded, one preloaded" "$LAB_DIR/sw.want" "$LAB_DIR/sw.got" ||
	lab_fail "sweep: the shards did not report exactly the live hosts of the /25 but the preloaded one"

# es_ping over IPv6 (the kernel's ICMPv6 sockets)
lab_add_v6 --prefix 2001:db8:1::/120 --live-frac 0.5 --unreach-frac 0 --seed 2 || exit 1
live6=$(head -1 "$LAB_DIR/live6.txt") silent6=$(head -1 "$LAB_DIR/silent6.txt")
ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
for c in "root raw $live6 raw 3/3" "root auto $live6 dgram 3/3" "root raw ::1 raw 3/3" \
	 "root raw $silent6 raw 0/3" "nobody dgram $live6 dgram 3/3" "nobody auto ::1 dgram 3/3"; do
	set -- $c
	out=$("as_$1" ping "$2" "$3" 2>&1); rc=$?
	[ "$out" = "$4 $5" ] || lab_fail "$1: es_ping $2 $3: exit $rc, '$out' (want '$4 $5')"
	[ "$out" = "$4 $5" ] && echo "ok   $1: es_ping $2 $3: $out"
done
# a scan of IPv6 targets (es_scan_config_add_target with a prefix): exactly the live set
as_root scan 2001:db8:1::/120 >"$LAB_DIR/s6.out" 2>"$LAB_DIR/s6.err" || lab_fail "scan 2001:db8:1::/120: $(cat "$LAB_DIR/s6.err")"
sort "$LAB_DIR/s6.out" >"$LAB_DIR/s6.got"; sort "$LAB_DIR/live6.txt" >"$LAB_DIR/s6.want"
if cmp -s "$LAB_DIR/s6.got" "$LAB_DIR/s6.want"; then echo "ok   es_scan of 2001:db8:1::/120: the $(wc -l <"$LAB_DIR/s6.got") live hosts"
else lab_fail "es_scan of 2001:db8:1::/120: $(wc -l <"$LAB_DIR/s6.got") hosts, want the $(wc -l <"$LAB_DIR/s6.want") live ones"; fi
# es_multiping of an IPv6 prefix: one record per target in address order, live 3/3, others 0/3
as_root multi 3 2001:db8:1::/120 >"$LAB_DIR/mp6.out" 2>"$LAB_DIR/mp6.err" || lab_fail "multi IPv6: $(cat "$LAB_DIR/mp6.err")"
python3 - "$LAB_DIR" <<'PY' || lab_fail "es_multiping 2001:db8:1::/120: wrong per-host records"
import ipaddress, sys
d = sys.argv[1]
live = set(open(d + "/live6.txt").read().split())
rows = [l.split() for l in open(d + "/mp6.out")]
hosts = [r for r in rows if r[0] != "alive"]
assert [r[0] for r in hosts] == [str(a) for a in ipaddress.ip_network("2001:db8:1::/120")], "order"
for r in hosts:
    ok = (r[1:4] == ["3", "3", "0"] and int(r[4]) > 0) if r[0] in live else (r[1:5] == ["3", "0", "100", "-1"])
    assert ok, r
assert ["alive", str(len(live))] in rows, [r for r in rows if r[0] == "alive"]
PY
echo "ok   es_multiping 2001:db8:1::/120: 256 records in address order, $(wc -l <"$LAB_DIR/live6.txt") live 3/3"
ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="1 0"
out=$(as_nobody ping auto "$live6" 2>&1); rc=$?
[ $rc = 2 ] && [[ $out == *ES_EPERM* ]] || lab_fail "nobody, IPv6, ping_group_range closed: exit $rc, '$out' (want 2 and ES_EPERM)"

as_root stop 198.18.0.0/24 >/dev/null 2>"$LAB_DIR/s.err"; rc=$?
cat "$LAB_DIR/s.err"
[ $rc = 0 ] || lab_fail "stop from a callback: exit $rc"
as_root close 198.18.0.0/24 2>&1; rc=$?
[ $rc = 0 ] || lab_fail "close: exit $rc"
exit "${LAB_FAILED:-0}"
