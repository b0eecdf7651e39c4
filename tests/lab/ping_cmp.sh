# tests/lab/ping_cmp.sh — sourced by test_ping.sh and test_ping6.sh (not a test itself): run
# iputils ping and `echoscan ping` with the same arguments in the scanner namespace and compare
# their outputs with times masked. Needs LAB_S, W (a work directory) and ES (the echoscan binary).

# Times, the raw socket's random identifier (-v), IP timestamps (-T), flood's dot line (how dots
# and backspaces interleave depends on when replies come) and the pipe size (how many probes were
# in flight at once; checked by the expected line where it is fixed) are masked.
FLOWMASK=0     # 1: IPv6 flow labels the kernel picked are masked too
mask() {
    if [ "$FLOWMASK" = 1 ]; then sed -E 's/, flow 0x[0-9a-f]{5}, /, flow 0xL, /'; else cat; fi |
    sed -E 's/time=[0-9.]+ ms/time=X ms/; s/time [0-9]+ms/time Xms/; s/= [0-9.\/]+ ms/= X ms/' \
        | sed -E 's/^\[[0-9]+\.[0-9]{6}\] /[T] /; s/ident=[0-9]+/ident=N/; s/ipg\/ewma [0-9.\/]+ ms/ipg\/ewma X ms/' \
        | sed -E 's/^(TS: )?(\t[0-9.]+)?\t-?[0-9]+( absolute)?$/\1\2\tT\3/' \
        | sed -E 's/^[.\x08 E]+$/FLOOD/; s/(, )?pipe [0-9]+//'
}

# CMP_STDERR=1: echoscan's stderr must be iputils' (warnings, local errors), not empty.
# CMP_PRE=(...): a prefix for both commands inside the namespace (the hosts file for names).
# CMP_IP_AS=1: iputils runs as AS too (what it does for users; otherwise it runs as root).
CMP_STDERR=0
CMP_PRE=()
CMP_IP_AS=0

# compare LABEL EXPECT [AS...] -- ARGS... : iputils (as root) and echoscan (as AS, or root) with ARGS;
# EXPECT is a regex both outputs must contain (so an empty lab does not pass).
compare() {
    local label=$1 expect=$2; shift 2
    local as=()
    while [ "$1" != -- ]; do as+=("$1"); shift; done
    shift
    local t0i t0e
    t0i=$(lab_now)
    local ip_as=()
    [ "$CMP_IP_AS" = 1 ] && ip_as=("${as[@]}")
    timeout 30 ip netns exec "$LAB_S" "${CMP_PRE[@]}" "${ip_as[@]}" ping "$@" >"$W/ip.out" 2>"$W/ip.err"
    local rc_i=$?
    T_IP=$(lab_since "$t0i")
    t0e=$(lab_now)
    timeout 30 ip netns exec "$LAB_S" "${CMP_PRE[@]}" "${as[@]}" "$ES" ping "$@" >"$W/es.out" 2>"$W/es.err"
    local rc_e=$?
    T_ES=$(lab_since "$t0e")
    mask <"$W/ip.out" >"$W/ip.m"
    mask <"$W/es.out" >"$W/es.m"
    local bad=0
    if ! diff -u "$W/ip.m" "$W/es.m" >"$W/diff"; then
        lab_fail "$label: ping $*: outputs differ (- iputils, + echoscan, times masked):"
        sed 's/^/    /' "$W/diff" >&2; bad=1
    fi
    if [ "$rc_i" != "$rc_e" ]; then lab_fail "$label: ping $*: exit status iputils $rc_i, echoscan $rc_e"; bad=1; fi
    if [ "$CMP_STDERR" = 1 ]; then
        sed 's/^ping: /echoscan ping: /' "$W/ip.err" >"$W/ip.e"
        if ! diff -u "$W/ip.e" "$W/es.err" >"$W/diff"; then
            lab_fail "$label: ping $*: stderr differs (- iputils, + echoscan):"
            sed 's/^/    /' "$W/diff" >&2; bad=1
        fi
    elif [ -s "$W/es.err" ]; then lab_fail "$label: echoscan wrote on stderr: $(head -3 "$W/es.err")"; bad=1; fi
    if ! grep -Eq -- "$expect" "$W/es.out"; then
        lab_fail "$label: ping $*: no line matching /$expect/ in echoscan's output:"
        sed 's/^/    /' "$W/es.out" >&2; bad=1
    fi
    [ $bad = 0 ] && echo "ok   $label: ping $* (exit $rc_e)"
    return $bad
}

# badarg LABEL ARGS...: both refuse with exit 2 and the same message (after "ping:" / "echoscan ping:");
# CMP_PRE applies as in compare; BADARG_LINE is the sed address of the message line (1: the first,
# '$': the last, for refusals that follow a warning).
BADARG_LINE=1
badarg() {
    local label=$1; shift
    ip netns exec "$LAB_S" "${CMP_PRE[@]}" ping "$@" >/dev/null 2>"$W/bi.err"; local rc_i=$?
    ip netns exec "$LAB_S" "${CMP_PRE[@]}" "$ES" ping "$@" >/dev/null 2>"$W/be.err"; local rc_e=$?
    local mi me
    mi=$(sed -n "${BADARG_LINE}s/^ping: //p" "$W/bi.err")
    me=$(sed -n "${BADARG_LINE}s/^echoscan ping: //p" "$W/be.err")
    if [ "$rc_i" != 2 ] || [ "$rc_e" != 2 ] || [ -z "$mi" ] || [ "$mi" != "$me" ]; then
        lab_fail "$label: ping $*: iputils exit $rc_i \"$mi\", echoscan exit $rc_e \"$me\""
    else echo "ok   $label: ping $*: exit 2, $me"; fi
}
