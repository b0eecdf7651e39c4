#!/bin/sh
# check_manpage.sh — checks that every option printed by `echoscan --help`
# (long --xxx and short -x / -xY forms) appears in the man page.
#
# usage: tests/check_manpage.sh [BINARY [MANPAGE]]
#        tests/check_manpage.sh --help-file FILE [MANPAGE]
# BINARY defaults to ./echoscan, MANPAGE to echoscan.1 next to tests/.
# Exit status: 0 all documented, 1 some missing, 2 usage or input error.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
help_file=
if [ "${1:-}" = "--help-file" ]; then
	[ $# -ge 2 ] || { echo "check_manpage: --help-file needs a FILE" >&2; exit 2; }
	help_file=$2
	shift 2
	[ -r "$help_file" ] || { echo "check_manpage: cannot read help file $help_file" >&2; exit 2; }
else
	bin=${1:-./echoscan}
	[ $# -ge 1 ] && shift
	[ -x "$bin" ] || { echo "check_manpage: no executable $bin (build it first, or use --help-file FILE)" >&2; exit 2; }
fi
man=${1:-$here/../echoscan.1}
[ -r "$man" ] || { echo "check_manpage: cannot read man page $man" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ -n "$help_file" ]; then
	cp "$help_file" "$tmp/help"
else
	# Some programs exit non-zero after --help; the text is what matters.
	"$bin" --help >"$tmp/help" 2>&1 || true
	"$bin" trace --help >>"$tmp/help" 2>&1 || true
fi

# Options are the words that look like -x, -xY or --long-name (a trailing
# comma, "=ARG" or "[=ARG]" is dropped). Words inside descriptions such as
# a.b.c.d-e.f.g.h do not start with '-', so they are not taken.
tr -s ' \t' '\n' <"$tmp/help" |
	sed -e 's/[=[].*$//' -e 's/[,.;:)]*$//' |
	grep -E '^(--[A-Za-z0-9][A-Za-z0-9-]*|-[A-Za-z][A-Za-z0-9]?)$' |
	sort -u >"$tmp/opts" || true

count=$(wc -l <"$tmp/opts")
if [ "$count" -eq 0 ]; then
	echo "check_manpage: no options found in the --help output" >&2
	exit 2
fi

# The man page as plain text: groff writes '-' as '\-' and switches fonts
# with \fB, \fI, \fR, \f(XX or \f[XX]; \& and \% are zero-width.
sed -e 's/\\-/-/g' -e 's/\\f\[[A-Za-z]*\]//g' -e 's/\\f([A-Za-z][A-Za-z]//g' \
	-e 's/\\f[A-Za-z]//g' -e 's/\\[&%]//g' "$man" >"$tmp/man"

missing=0
while IFS= read -r opt; do
	# A whole word: not preceded or followed by a letter, digit or '-'.
	if ! grep -qE -- "(^|[^A-Za-z0-9-])$opt([^A-Za-z0-9-]|\$)" "$tmp/man"; then
		echo "manpage: missing $opt"
		missing=$((missing + 1))
	fi
done <"$tmp/opts"

if [ "$missing" -gt 0 ]; then
	echo "manpage: $missing of $count options not documented in $man"
	exit 1
fi
echo "manpage: $count options documented"
