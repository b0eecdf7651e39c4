#!/bin/bash
# test_examples: the library as a user gets it. `make examples` installs libechoscan into a
# staging tree (make install DESTDIR=...) and builds examples/*.c with nothing but
# `cc x.c $(pkg-config --cflags --libs echoscan)` (examples/build.sh); here they run against that
# tree's shared library in a lab: ping exits 0 for a live lab host and 1 for a silent one,
# multiping prints exactly the live set of a routed /24 (each address once), both as root (raw
# path) and as nobody (ICMP datagram sockets); evloop, driven by poll() on the readiness
# descriptor, prints the same live set. The shared library exports only es_ names and the
# echoscan binary links libechoscan (its static archive: the CLI still uses engine internals).
. "$(dirname "$0")/lab.sh"
N=es-examples$$
lab_trap "$N"
BUILD=${BUILD:-build}
STAGE=$BUILD/stage
EX=$BUILD/examples
if true; then   # always: the examples must build from the current tree
	make --no-print-directory examples >"/tmp/$N.make" 2>&1 ||
		{ cat "/tmp/$N.make"; rm -f "/tmp/$N.make"; echo "make examples failed"; exit 1; }
	rm -f "/tmp/$N.make"
fi
LIBDIR=$(dirname "$(find "$STAGE" -name 'libechoscan.so.*.*' | head -1)")
[ -n "$LIBDIR" ] || { echo "no libechoscan.so in $STAGE"; exit 1; }

# Only es_ names leave the shared library.
syms=$(nm -D --defined-only "$LIBDIR/libechoscan.so" | awk '{print $3}')
[ -n "$syms" ] || lab_fail "nm -D lists no symbols in $LIBDIR/libechoscan.so"
other=$(printf '%s\n' "$syms" | grep -v '^es_' | head -5)
[ -z "$other" ] || lab_fail "libechoscan.so exports names without es_: $other"
echo "ok   libechoscan.so exports $(printf '%s\n' "$syms" | wc -l) symbols, all es_"
soname=$(readelf -d "$LIBDIR/libechoscan.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[[ $soname == libechoscan.so.[0-9]* ]] || lab_fail "soname '$soname' (want libechoscan.so.N)"
for x in ping multiping evloop; do
	ldd "$EX/$x" | grep -q "libechoscan.so.* => $(realpath "$LIBDIR")" 2>/dev/null ||
		LD_LIBRARY_PATH=$LIBDIR ldd "$EX/$x" | grep -q "libechoscan.so" ||
		lab_fail "$x does not link libechoscan.so"
done

lab_up "$N" --prefix 198.18.0.0/24 --live-frac 0.25 --seed 5 || exit 1
echo "live $LAB_NLIVE of 256"
live=$(head -1 "$LAB_DIR/live.txt")
silent=$(comm -23 <(seq 0 255 | sed 's/^/198.18.0./' | sort) \
	<(sort "$LAB_DIR/live.txt" "$LAB_DIR/unreach.txt") | head -1)
# Run by nobody: the programs and the library must be readable by it.
cp -r "$LIBDIR" "$LAB_DIR/lib" && cp "$EX/ping" "$EX/multiping" "$EX/evloop" "$LAB_DIR/"
chmod -R a+rX "$LAB_DIR"
export LD_LIBRARY_PATH=$LAB_DIR/lib
ip netns exec "$LAB_S" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)

# as root, then as nobody: WHO CMD ARGS... (timeout 30 s)
run() {
	local who=$1; shift
	if [ "$who" = root ]; then timeout -k 2 30 ip netns exec "$LAB_S" "$@"
	else timeout -k 2 30 ip netns exec "$LAB_S" "${NOBODY[@]}" env LD_LIBRARY_PATH="$LD_LIBRARY_PATH" "$@"; fi
}

for who in root nobody; do
	run "$who" "$LAB_DIR/ping" "$live" >"$LAB_DIR/p1.out" 2>&1; rc=$?
	[ $rc = 0 ] || lab_fail "$who: ping $live (live): exit $rc (want 0): $(cat "$LAB_DIR/p1.out")"
	run "$who" "$LAB_DIR/ping" "$silent" >"$LAB_DIR/p2.out" 2>&1; rc=$?
	[ $rc = 1 ] || lab_fail "$who: ping $silent (silent): exit $rc (want 1): $(cat "$LAB_DIR/p2.out")"
	echo "ok   $who: ping $live -> 0 ($(cat "$LAB_DIR/p1.out")), ping $silent -> 1"

	for prog in multiping evloop; do
		run "$who" "$LAB_DIR/$prog" 198.18.0.0/24 >"$LAB_DIR/m.out" 2>"$LAB_DIR/m.err"; rc=$?
		[ $rc = 0 ] || lab_fail "$who: $prog 198.18.0.0/24: exit $rc: $(head -3 "$LAB_DIR/m.err")"
		lines=$(wc -l <"$LAB_DIR/m.out")
		lab_sortip "$LAB_DIR/m.out" >"$LAB_DIR/m.got"
		[ "$lines" = "$(sort -u "$LAB_DIR/m.out" | wc -l)" ] || lab_fail "$who: $prog printed an address twice"
		if lab_cmp_sets "$who: $prog" "$LAB_DIR/live.txt" "$LAB_DIR/m.got"; then
			echo "ok   $who: $prog 198.18.0.0/24: $lines lines, exactly the live set"
		else lab_fail "$who: $prog 198.18.0.0/24: not the live set"; fi
	done
done
exit "${LAB_FAILED:-0}"
