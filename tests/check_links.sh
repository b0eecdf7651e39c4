#!/bin/sh
# check_links.sh — checks that every relative link in the project's Markdown
# (README.md and docs/*.md, or the files given) points to a file or directory
# that exists inside the repository. Links with a scheme (https:, mailto:)
# and pure #anchors are not checked; a #fragment after a path is dropped.
# Links inside fenced code blocks and `code spans` are not links.
#
# usage: tests/check_links.sh [FILE.md ...]
# Exit status: 0 all resolve, 1 some do not, 2 usage or input error.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -eq 0 ]; then
	set -- "$root/README.md" "$root"/docs/*.md
fi
command -v python3 >/dev/null || { echo "check_links: python3 not found" >&2; exit 2; }
exec python3 - "$root" "$@" <<'PY'
import os, re, sys

root = os.path.realpath(sys.argv[1])
inline = re.compile(r'!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)')
refdef = re.compile(r'^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$')
bad = total = 0
for path in sys.argv[2:]:
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as e:
        print(f"check_links: cannot read {path}: {e.strerror}", file=sys.stderr)
        sys.exit(2)
    fence = None
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r'^\s{0,3}(`{3,}|~{3,})', line)
        if m:
            if fence is None:
                fence = m.group(1)[0] * len(m.group(1))
            elif m.group(1).startswith(fence):
                fence = None
            continue
        if fence:
            continue
        line = re.sub(r'(`+).*?\1', '', line)          # code spans
        targets = inline.findall(line)
        m = refdef.match(line)
        if m:
            targets.append(m.group(1))
        for t in targets:
            if re.match(r'^[A-Za-z][A-Za-z0-9+.-]*:', t) or t.startswith('#'):
                continue
            total += 1
            rel = t.split('#', 1)[0]
            dest = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(path)), rel))
            if os.path.commonpath([root, dest]) != root:
                print(f"{os.path.relpath(path, root)}:{n}: link {t} leaves the repository")
                bad += 1
            elif not os.path.exists(dest):
                print(f"{os.path.relpath(path, root)}:{n}: link {t} does not resolve")
                bad += 1
if bad:
    print(f"links: {bad} of {total} relative links broken")
    sys.exit(1)
print(f"links: {total} relative links resolve")
PY
