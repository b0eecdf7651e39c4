#!/usr/bin/env bash
# check_layers.sh — the layers point down only (docs/architecture.md):
#  1. no engine/*.c or engine/*.h includes anything from scanner/ or output/;
#  2. the engine's objects alone link: every engine object is forced into a
#     program (--whole-archive) with no scanner/ or output/ object, so any
#     reference to a symbol defined above the engine fails the link;
#  3. output/'s unit tests do not link libnet or libpcap;
#  4. output/ includes nothing from engine/ (only <echoscan.h>);
#  5. scanner/ includes nothing from engine/ either (only <echoscan.h>).
# Usage: check_layers.sh BUILD_DIR CC "LIBS"   (after `make all unit`)
set -u
build=${1:?usage: check_layers.sh BUILD_DIR CC LIBS}
cc=${2:-cc}
libs=${3:-}
fail=0

bad=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(scanner|output)/' engine/*.c engine/*.h)
if [ -n "$bad" ]; then
	echo "check_layers: engine/ includes from scanner/ or output/ (layers point down only):"
	printf '  %s\n' "$bad"
	fail=1
fi

# output/ formats the public records (es_reply, es_host_stats): echoscan.h only
bad=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"engine/' output/*.c output/*.h)
if [ -n "$bad" ]; then
	echo "check_layers: output/ includes engine/ headers (it takes <echoscan.h> only):"
	printf '  %s\n' "$bad"
	fail=1
fi

# scanner/ (the CLI) is built on the public header too: no engine/ header at all
bad=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"engine/' scanner/*.c scanner/*.h)
if [ -n "$bad" ]; then
	echo "check_layers: scanner/ includes engine/ headers (it takes <echoscan.h> only):"
	printf '  %s\n' "$bad"
	fail=1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
objs=$(ls "$build"/engine/*.o 2>/dev/null)
nsrc=$(ls engine/*.c | wc -l)
if [ "$(printf '%s\n' "$objs" | grep -c .)" -ne "$nsrc" ]; then
	echo "check_layers: expected $nsrc engine objects in $build/engine (run make all first)"
	exit 1
fi
# shellcheck disable=SC2086
ar rcs "$tmp/libengine.a" $objs
printf 'int main(void) { return 0; }\n' > "$tmp/main.c"
# shellcheck disable=SC2086
if ! $cc -o "$tmp/engine_alone" "$tmp/main.c" -Wl,--whole-archive "$tmp/libengine.a" \
		-Wl,--no-whole-archive $libs 2> "$tmp/ld.err"; then
	echo "check_layers: the engine objects do not link without scanner/ and output/:"
	sed 's/^/  /' "$tmp/ld.err" | head -20
	fail=1
fi

for t in test_writer test_fields; do
	bin=$build/tests/$t
	[ -x "$bin" ] || { echo "check_layers: $bin missing (run make unit first)"; fail=1; continue; }
	if ldd "$bin" | grep -E 'libnet|libpcap' > /dev/null; then
		echo "check_layers: $bin links $(ldd "$bin" | grep -oE 'lib(net|pcap)[^ ]*' | tr '\n' ' ')(output/ must not need them)"
		fail=1
	fi
done

[ "$fail" -eq 0 ] && echo "check_layers: engine/ stands alone; output/ tests link without libnet/libpcap;" \
	"scanner/ and output/ include no engine/ header"
exit "$fail"
