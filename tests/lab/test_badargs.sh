#!/bin/bash
# test_badargs: bad invocations exit 2 with a message on stderr that names the bad input (run in the
# scanner namespace); without privileges echoscan exits 2 and mentions CAP_NET_RAW.
. "$(dirname "$0")/lab.sh"
N=es-ba$$
lab_trap "$N"
lab_up "$N" --prefix 198.18.0.0/24 --seed 4 || exit 1
empty=$LAB_DIR/empty.txt
: >"$empty"
printf '# only a comment\n\n' >"$LAB_DIR/comments.txt"

# ARGS | what stderr must contain (each item: alternatives separated by '~', case-insensitive)
cases=(
    "1.2.3.4/33|1.2.3.4/33"
    "300.1.1.1|300.1.1.1"
    "198.18.0.9-198.18.0.1|198.18.0.9-198.18.0.1"
    "-c 1 -r 12x 198.18.0.1|12x"
    "-c 1 -P 0 198.18.0.1|-P~probes|0"
    "-c 1 --ttl 300 198.18.0.1|ttl|300"
    "-c 1 --size 5 198.18.0.1|size|5"
    "-c 1 -O xml 198.18.0.1|xml"
    "-c 1 -f saddr,nope 198.18.0.1|nope"
    "-c 1 --shard 3 --shards 2 198.18.0.1|shard|3"
    "-c 1 -iL /nonexistent/file|/nonexistent/file"
    "-c 1 -iL $empty|$empty"
    "-c 1 -iL $LAB_DIR/comments.txt|$LAB_DIR/comments.txt"
    "-c 1 -i nosuchif0 198.18.0.1|nosuchif0"
    "-c 1 --bogus-option 198.18.0.1|bogus-option"
    "-c 0.2 -o /dev/full 198.18.0.1|/dev/full|No space"
    "-c 0.2 -o /nonexistent/out.csv 198.18.0.1|/nonexistent/out.csv"
    "|target~usage"
)
for c in "${cases[@]}"; do
    IFS='|' read -r -a parts <<<"$c"
    args=${parts[0]}
    # shellcheck disable=SC2086
    lab_scan 10 $args >"$LAB_DIR/o" 2>"$LAB_DIR/e"
    rc=$?
    msg=$(head -3 "$LAB_DIR/e" | paste -sd'|')
    ok=1
    [ $rc = 2 ] || { lab_fail "echoscan $args: exit status $rc, expected 2 (stderr: $msg)"; ok=0; }
    [ -s "$LAB_DIR/e" ] || { lab_fail "echoscan $args: nothing on stderr"; ok=0; }
    for need in "${parts[@]:1}"; do
        found=0
        IFS='~' read -r -a alts <<<"$need"
        for a in "${alts[@]}"; do grep -qiF -- "$a" "$LAB_DIR/e" && found=1; done
        [ $found = 1 ] || { lab_fail "echoscan $args: stderr does not mention '${need//\~/' or '}': $msg"; ok=0; }
    done
    [ -s "$LAB_DIR/o" ] && { lab_fail "echoscan $args: wrote to stdout: $(head -2 "$LAB_DIR/o" | paste -sd'|')"; ok=0; }
    [ $ok = 1 ] && printf 'ok: echoscan %-45s -> 2: %s\n' "$args" "$(head -1 "$LAB_DIR/e")"
done

# Without privileges (nobody, no capabilities): exit 2 and a message about CAP_NET_RAW.
bindir=$LAB_DIR/bin
mkdir -p "$bindir" && chmod 755 "$bindir" && cp "$ECHOSCAN" "$bindir/echoscan" && chmod 755 "$bindir/echoscan"
timeout -k 2 10 ip netns exec "$LAB_S" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
    "$bindir/echoscan" -c 1 198.18.0.1 >"$LAB_DIR/o" 2>"$LAB_DIR/e"
rc=$?
msg=$(head -3 "$LAB_DIR/e" | paste -sd'|')
[ $rc = 2 ] || lab_fail "unprivileged echoscan 198.18.0.1: exit status $rc, expected 2 (stderr: $msg)"
grep -qF CAP_NET_RAW "$LAB_DIR/e" || lab_fail "unprivileged echoscan 198.18.0.1: stderr does not mention CAP_NET_RAW: $msg"
echo "unprivileged: exit $rc: $msg"
exit $LAB_FAILED
