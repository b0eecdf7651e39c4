#!/bin/bash
# check_completions.sh — checks the shell completions in completions/:
#  - every option printed by `echoscan --help` and by `echoscan ping -h` appears (as a whole word)
#    in both completions/echoscan.bash and completions/_echoscan, and so does the subcommand ping;
#  - the bash file parses, and completing a few command lines with it gives the expected words
#    (option names, --tx and -O values, field names after a comma, ping's options);
#  - the zsh file parses when zsh is installed (said so when it is not).
#
# usage: tests/check_completions.sh [BINARY]      (BINARY defaults to ./echoscan)
# Exit status: 0 all good, 1 something missing or wrong, 2 usage or input error.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-./echoscan}
bash_file=$here/../completions/echoscan.bash
zsh_file=$here/../completions/_echoscan
[ -x "$bin" ] || { echo "check_completions: no executable $bin (build it first)" >&2; exit 2; }
for f in "$bash_file" "$zsh_file"; do
    [ -r "$f" ] || { echo "check_completions: cannot read $f" >&2; exit 2; }
done

# Options are the words that look like -x, -xY or --long-name (as in check_manpage.sh).
opts=$({ "$bin" --help; "$bin" ping -h; "$bin" trace --help; } 2>&1 | tr -s ' \t' '\n' |
    sed -e 's/[=[].*$//' -e 's/[,.;:)]*$//' |
    grep -E '^(--[A-Za-z0-9][A-Za-z0-9-]*|-[A-Za-z][A-Za-z0-9]?)$' | sort -u)
[ -n "$opts" ] || { echo "check_completions: no options found in the help output" >&2; exit 2; }

bad=0
count=0
for opt in $opts ping trace; do
    count=$((count + 1))
    for f in "$bash_file" "$zsh_file"; do
        # a whole word: not preceded or followed by a letter, digit or '-'
        if ! grep -qE -- "(^|[^A-Za-z0-9-])$opt([^A-Za-z0-9-]|\$)" "$f"; then
            echo "completion: $opt missing in ${f##*/}"
            bad=$((bad + 1))
        fi
    done
done

bash -n "$bash_file" || { echo "completion: ${bash_file##*/} does not parse"; bad=$((bad + 1)); }
if command -v zsh >/dev/null; then
    zsh -n "$zsh_file" || { echo "completion: ${zsh_file##*/} does not parse"; bad=$((bad + 1)); }
else
    echo "completion: zsh not installed, _echoscan not parsed (the option check above still ran)"
fi

# complete WANT WORD... : completes the last word of "echoscan WORD..." with the bash function
# and checks that every word of WANT (space-separated) is offered and nothing else.
complete_line() {
    local want=$1; shift
    local got
    got=$(bash -c '
        complete() { :; }; compopt() { :; }
        . "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        _echoscan
        printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "' _ "$bash_file" "$bin" "$@")
    want=$(printf '%s\n' $want | sort | paste -sd' ')
    if [ "$got" != "$want" ]; then
        echo "completion: echoscan ${*} -> \"$got\", expected \"$want\""
        bad=$((bad + 1))
    fi
}
complete_line "--metadata" --met
complete_line "--shard --shards" --shar
complete_line "auto ring mmsg xdp libnet dgram" --tx ""
complete_line "csv json text" -O ""
complete_line "saddr,repeat saddr,responder saddr,rtt_us" -f saddr,r
complete_line "received rtt_avg_us rtt_max_us rtt_mdev_us rtt_min_us" --stats -f r
complete_line "ping" p
complete_line "-c -i -W -w -s -t -p -I -Q -M -q -D -O -f -n -a -U -B -4 -6 -F -A -b -C -d -e -l -L -m -r -R -S -T -v -V -h" ping -c 3 -
complete_line "do dont" ping -M d
complete_line "tsandaddr tsonly tsprespec" ping -T ts
complete_line "" ping -c ""

if [ "$bad" -gt 0 ]; then
    echo "completion: $bad problems"
    exit 1
fi
echo "completion: $count options and subcommands in both files; bash completions behave"
