#!/usr/bin/env bash
# examples/build.sh STAGE PKGCONFIGDIR OUTDIR — builds every examples/*.c the
# way a user's program is built against an installed libechoscan, with
# nothing but `cc x.c $(pkg-config --cflags --libs echoscan)`, where the
# library was installed under the staging tree STAGE (make install
# DESTDIR=STAGE). pkg-config finds echoscan.pc in STAGE/PKGCONFIGDIR and
# prefixes its paths with STAGE (PKG_CONFIG_SYSROOT_DIR). Run the results
# with LD_LIBRARY_PATH pointing into the tree (tests/lab/test_examples.sh).
set -euo pipefail
stage=$1 pcdir=$2 out=$3
cc=${CC:-cc}
cd "$(dirname "$0")/.."
export PKG_CONFIG_PATH="$stage$pcdir${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG_SYSROOT_DIR="$stage"
flags=$(pkg-config --cflags --libs echoscan)
mkdir -p "$out"
for src in examples/*.c; do
	name=$(basename "$src" .c)
	echo "$cc $src $flags -o $out/$name"
	# shellcheck disable=SC2086  # the flags are words
	"$cc" "$src" $flags -o "$out/$name"
done
