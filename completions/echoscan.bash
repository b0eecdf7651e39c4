# bash completion for echoscan(1)                          -*- shell-script -*-
# Installed by `make install` as $(PREFIX)/share/bash-completion/completions/echoscan.
# Completes every option of the sweep, of `echoscan ping` and of `echoscan trace`, the values of
# -O, --tx and -f (field names from `echoscan --list-fields`), interfaces for
# -i/-I and file names where a FILE is expected.

_echoscan_fields()
{
    local cur=$1 stats=$2 prefix= names
    # -f takes a comma-separated list: complete its last element
    if [[ $cur == *,* ]]; then
        prefix=${cur%,*},
        cur=${cur##*,}
    fi
    names=$("${COMP_WORDS[0]}" $stats --list-fields 2>/dev/null | awk '{ print $1 }')
    [[ -n $names ]] || names="saddr daddr responder rtt_us ttl type code classification success
        repeat cooldown probe ipid size timestamp"
    local IFS=$'\n'
    COMPREPLY=($(compgen -P "$prefix" -W "$names" -- "$cur"))
    compopt -o nospace 2>/dev/null
}

_echoscan_ifaces()
{
    COMPREPLY=($(compgen -W "$(ls /sys/class/net 2>/dev/null)" -- "$1"))
}

_echoscan_ping()
{
    local cur=$1 prev=$2
    case $prev in
        -c|-i|-W|-w|-s|-t|-p|-Q|-e|-l|-m|-S) return ;;
        -T) COMPREPLY=($(compgen -W "tsonly tsandaddr tsprespec" -- "$cur")); return ;;
        -I) _echoscan_ifaces "$cur"; return ;;
        -M) COMPREPLY=($(compgen -W "do want dont" -- "$cur")); return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "-c -i -W -w -s -t -p -I -Q -M -q -D -O -f -n -a -U -B -4 -6 -F -A -b -C -d -e -l -L -m -r -R -S -T -v -V -h" -- "$cur"))
    else
        COMPREPLY=($(compgen -A hostname -- "$cur"))
    fi
}

_echoscan_trace()
{
    local cur=$1 prev=$2
    case $prev in
        -q|--queries|-w|--wait|-f|--first|--first-ttl|-m|--max-hops|--max-ttl|-z|--sendwait|\
        -s|--source|-t|--tos|--rate|--seed) return ;;
        -i|--interface) _echoscan_ifaces "$cur"; return ;;
        -O|--format) COMPREPLY=($(compgen -W "csv json text" -- "$cur")); return ;;
        -o|--output|-iL|--input-file)
            COMPREPLY=($(compgen -f -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
        --fields) _echoscan_fields "$cur" ""; return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "-I --icmp -n --numeric -q --queries -w --wait -f --first --first-ttl
            -m --max-hops --max-ttl -z --sendwait -s --source -i --interface -t --tos -F
            --dont-fragment -O --format -o --output --fields --list-fields --paths --rate --seed
            -iL --input-file -h --help" -- "$cur"))
    else
        COMPREPLY=($(compgen -A hostname -- "$cur"))
    fi
}

_echoscan()
{
    local cur prev i stats=
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD-1]}
    COMPREPLY=()

    if [[ ${COMP_WORDS[1]} == ping && $COMP_CWORD -gt 1 ]]; then
        _echoscan_ping "$cur" "$prev"
        return
    fi
    if [[ ${COMP_WORDS[1]} == trace && $COMP_CWORD -gt 1 ]]; then
        _echoscan_trace "$cur" "$prev"
        return
    fi
    for ((i = 1; i < COMP_CWORD; i++)); do
        [[ ${COMP_WORDS[i]} == --stats || ${COMP_WORDS[i]} == --loop ]] && stats=--stats
    done

    case $prev in
        -o|--output|-m|--metadata|-iL|--input-file|--exclude-file|--resume|--pcap)
            COMPREPLY=($(compgen -f -- "$cur"))
            compopt -o filenames 2>/dev/null
            return ;;
        -O|--format)
            COMPREPLY=($(compgen -W "csv json text" -- "$cur"))
            return ;;
        --tx)
            COMPREPLY=($(compgen -W "auto ring mmsg xdp libnet dgram" -- "$cur"))
            return ;;
        --xdp-mode)
            COMPREPLY=($(compgen -W "auto copy zerocopy" -- "$cur"))
            return ;;
        --rx)
            COMPREPLY=($(compgen -W "pcap xdp" -- "$cur"))
            return ;;
        -f|--fields)
            _echoscan_fields "$cur" "$stats"
            return ;;
        -i|--interface)
            _echoscan_ifaces "$cur"
            return ;;
        -x|--exclude|-n|--max-targets|--seed|--shards|--shard|-r|--rate|-P|--probes|--count|\
        --interval|-c|--cooldown|--max-runtime|--ttl|--size|--report-every|-S|--source|\
        -G|--gateway-mac|--notes)
            return ;;  # a value of the user's own
        --sender-threads)
            COMPREPLY=($(compgen -W "auto 1 2 4" -- "$cur"))
            return ;;
    esac

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "-iL --input-file -x --exclude --exclude-file --no-default-exclude -4 -6 -n --max-targets
            --seed --shards --shard -r --rate -P --probes --count --interval -c --cooldown
            --max-runtime --ttl --size --dry-run --resume -o --output -O --format -f --fields
            --list-fields --all --status -q --quiet -m --metadata --notes --pcap --pcap-all --stats --loop
            --report-every -i --interface -S --source -G --gateway-mac --tx --sender-threads --xdp-mode --rx -h --help
            -V --version" -- "$cur"))
    elif [[ $COMP_CWORD -eq 1 ]]; then
        COMPREPLY=($(compgen -W "ping trace" -- "$cur"))
    fi
}

complete -F _echoscan echoscan
