#!/bin/sh
# check_man3.sh — every function the shared library exports (nm -D) is named
# in the section 3 man page, and the page names no es_ function that does
# not exist. usage: tests/check_man3.sh LIBECHOSCAN.SO [MANPAGE]
set -eu
so=${1:?usage: check_man3.sh LIBECHOSCAN.SO [MANPAGE]}
man=${2:-$(dirname "$0")/../echoscan.3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$so" | awk '$2 == "T" {print $3}' | sort -u >"$tmp/exported"
grep -o 'es_[a-z0-9_]*(' "$man" | tr -d '(' | sort -u >"$tmp/documented"
[ -s "$tmp/exported" ] || { echo "check_man3: $so exports nothing"; exit 1; }
rc=0
missing=$(comm -23 "$tmp/exported" "$tmp/documented")
extra=$(comm -13 "$tmp/exported" "$tmp/documented")
[ -z "$missing" ] || { echo "check_man3: exported but not in $man:" $missing; rc=1; }
[ -z "$extra" ] || { echo "check_man3: in $man but not exported:" $extra; rc=1; }
[ $rc = 0 ] && echo "check_man3: $(wc -l <"$tmp/exported") functions, all in $man"
exit $rc
