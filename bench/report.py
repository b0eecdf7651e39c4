#!/usr/bin/env python3
"""bench/report.py RESULTS.tsv COMMANDS.txt MACHINE VERSIONS RUNS SECONDS — prints RESULTS.md.

RESULTS.tsv: section, tool, case, metric, value (one measurement a line); the tables show the
median of each (section, tool, case, metric) and the ratios echoscan/zmap, echoscan/masscan
(sections 1-5) or echoscan/fping, echoscan/nmap (section 6, small jobs); section 7 (CPU while
pacing) has a table of its own.

Environment: BENCH_SECTIONS_RUN (the sections measured; default all), BENCH_OLD (the existing
RESULTS.md: the parts of sections not measured now are kept from it), BENCH_NOTES (bench/NOTES.md,
appended), BENCH_SMALL_RUNS (runs per small-jobs measurement).
"""
import os
import statistics
import sys
import time
from collections import defaultdict

res, cmds, machine, versions, runs, secs = sys.argv[1:7]
vals = defaultdict(list)
for line in open(res):
    f = line.rstrip("\n").split("\t")
    if len(f) != 5:
        continue
    try:
        vals[tuple(f[:4])].append(float(f[4]))
    except ValueError:
        pass

TOOLS = ("echoscan", "zmap", "masscan")


def med(sec, tool, case, metric):
    v = vals.get((sec, tool, case, metric))
    return statistics.median(v) if v else None


def fmt(x, kind):
    if x is None:
        return "n/a"
    if kind == "pps":
        return "%.3f M" % (x / 1e6) if x >= 1e6 else "%.1f k" % (x / 1e3)
    if kind == "int":
        return "%d" % round(x)
    if kind == "pct":
        return "%.3f %%" % x
    if kind == "spct":
        return "%+.2f %%" % x
    if kind == "s":
        return "%.2f s" % x
    if kind == "ns":
        return "%.0f ns" % x
    if kind == "mib":
        return "%.1f MiB" % (x / 1024)
    return "%.3f" % x


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    return "%.2f" % (a / b)


def row(label, sec, case, metric, kind, ratios):
    """One line of the main table: the three tools' medians and echoscan's ratios to the others."""
    m = [med(sec, t, case, metric) for t in TOOLS]
    r = [ratio(m[0], m[1]), ratio(m[0], m[2])] if ratios else ["", ""]
    return "| %s | %s | %s | %s | %s | %s |" % (label, *(fmt(x, kind) for x in m), *r)


# The rows of the main table (sections 1-4): label, section, case, metric, kind, ratios shown.
MAIN_ROWS = [
    ("1. send-only rate (ifb sink)", "1", "send", "rate_pps", "pps", True),
    ("1. CPU per probe (user+sys)", "1", "send", "cpu_ns", "ns", True),
    ("1. probes per run", "1", "send", "probes", "int", True),
    ("1. peak RSS, send-only run", "1", "send", "rss_kb", "mib", True),
]
for case in ("max", "200k"):
    MAIN_ROWS += [
        ("2. /16 all alive, %s: hosts found (of 65536)" % case, "2", case, "hosts", "int", True),
        ("2. /16 all alive, %s: wall time (cooldown 2 s)" % case, "2", case, "wall_s", "s", True),
    ]
MAIN_ROWS += [
    ("3. replies arriving at the scanner (veth rx)", "3", "max", "arrived", "int", True),
    ("3. replies reported by the tool", "3", "max", "reported", "int", True),
    ("3. share of arriving replies captured", "3", "max", "share_pct", "pct", True),
]
for pps, name in (("10000", "10k"), ("100000", "100k"), ("1000000", "1M")):
    # 4a: the ifb sink's counter; 4b: capture stamps in the target (not at 1M: the veth path
    # carries only ~0.65 Mpps here)
    for part, metric_pre, where in (("4a", "", "ifb sink counter"),
                                    ("4b", "cap_", "capture stamps, target")):
        if part == "4b" and pps == "1000000":
            continue
        MAIN_ROWS += [
            ("%s. rate %s: achieved (%s)" % (part, name, where), "4", pps,
             metric_pre + "achieved_pps", "pps", True),
            ("%s. rate %s: error (%s)" % (part, name, where), "4", pps, metric_pre + "err_pct",
             "spct", False),
            ("%s. rate %s: max 10 ms window / share (%s)" % (part, name, where), "4", pps,
             metric_pre + "maxwin_share", "x", True),
        ]
    if pps != "1000000":
        MAIN_ROWS.append(("4b. rate %s: captured span" % name, "4", pps, "cap_span_s", "s", False))
rows = [row(*r) for r in MAIN_ROWS]
mem = med("5", "echoscan", "16.7M", "rss_kb")
dry = med("5", "echoscan", "dryrun", "wall_s")

ran = os.environ.get("BENCH_SECTIONS_RUN", "1 2 3 4 5 6 7 8 9 10 11").split()
ran_main = any(x in ran for x in ("1", "2", "3", "4", "4a", "4b", "5"))
# The blocks after the main table, in file order: each is written between its two markers, so a
# run that does not measure its section keeps the block from the old file.
SMALL = ("<!-- small-jobs -->", "<!-- /small-jobs -->")
PACE = ("<!-- pacing -->", "<!-- /pacing -->")
TRACE = ("<!-- trace -->", "<!-- /trace -->")
V6 = ("<!-- ipv6 -->", "<!-- /ipv6 -->")
THR = ("<!-- sender-threads -->", "<!-- /sender-threads -->")
XDP = ("<!-- xdp -->", "<!-- /xdp -->")
old = ""
if os.environ.get("BENCH_OLD") and os.path.exists(os.environ["BENCH_OLD"]):
    old = open(os.environ["BENCH_OLD"]).read()
notes = ""
if os.environ.get("BENCH_NOTES") and os.path.exists(os.environ["BENCH_NOTES"]):
    notes = open(os.environ["BENCH_NOTES"]).read()
commands = [l.rstrip("\n").split("\t", 1) for l in open(cmds)]


def old_main_part():
    """The old file up to the first block after the main table, or up to where NOTES.md begins."""
    ends = [i for i in (old.find(b) for b, _ in (SMALL, PACE, TRACE, V6, THR, XDP)) if i >= 0]
    end = min(ends) if ends else -1
    if end < 0 and notes.strip():
        end = old.find(notes.strip().splitlines()[0])
    return (old if end < 0 else old[:end]).rstrip() + "\n"


def old_block(marks):
    """The block between marks (begin, end) in the old file, markers included, or ""."""
    a, b = old.find(marks[0]), old.find(marks[1])
    return old[a:b + len(marks[1])] + "\n" if a >= 0 and b > a else ""


def command_lines(sec, unique=False):
    """The commands of section sec, each once with unique."""
    out, seen = [], set()
    for s, cmd in commands:
        if s == sec and not (unique and cmd in seen):
            seen.add(cmd)
            out.append("[%s] %s" % (sec, cmd))
    return out


def block(marks, sec, title, versions_line, body, where="`ip netns exec <scanner ns>` in front of each",
          unique=False, date="%Y-%m-%d %H:%M UTC", title_gap=True):
    """A section's block: markers, title, when and where it ran, versions_line, body (the lines of
    its tables and notes), and its commands (where: what stands in front of them)."""
    when = time.strftime(date, time.gmtime()) if "UTC" in date else time.strftime(date)
    out = [marks[0]] + (["", title, ""] if title_gap else [title + "\n"])
    out.append("Generated by `make bench` (section %s) on %s in %s s. Machine: %s.  "
               % (sec, when, secs, machine))
    out.append(versions_line + "\n")
    out.extend(body)
    out.append("")
    out.append("Commands (%s):\n" % where)
    out.append("```")
    out.extend(command_lines(sec, unique))
    out.append("```")
    out.append("")
    out.append(marks[1])
    return "\n".join(out) + "\n"


def v6_part():
    m = lambda case, metric: med("9", "echoscan", case, metric)
    body = ["| measurement | IPv4 | IPv6 | IPv6/IPv4 |", "|---|---|---|---|"]
    for label, case4, case6, metric, kind in (
            ("send-only rate (ifb sink)", "ipv4", "ipv6", "rate_pps", "pps"),
            ("CPU per probe (user+sys)", "ipv4", "ipv6", "cpu_ns", "ns"),
            ("probes per run", "ipv4", "ipv6", "probes", "int"),
            ("full loop, every address alive (65536): hosts found", "loop_ipv4", "loop_ipv6",
             "hosts", "int"),
            ("full loop, every address alive (65536): wall time (cooldown 2 s)", "loop_ipv4",
             "loop_ipv6", "wall_s", "s")):
        a, b = m(case4, metric), m(case6, metric)
        body.append("| %s | %s | %s | %s |" % (label, fmt(a, kind), fmt(b, kind), ratio(b, a)))
    body.append("")
    body.append("The full loop: IPv4 198.18.0.0/16 and IPv6 2001:db8:1::/112 (`ip -6 route add local`), "
                "each answered by the target namespace for every address. Aim: IPv6 send rate at least "
                "90 % of IPv4's.")
    return block(V6, "9", "## IPv6 beside IPv4 (section 9)",
                 "Versions: %s. echoscan alone, medians of %s runs, IPv4 and IPv6 runs "
                 "interleaved." % (versions, runs), body, date="%Y-%m-%d", title_gap=False)


def sweep_before_rows():
    """Sections 1 and 2 with BENCH_SWEEP_BEFORE: an older echoscan beside this one."""
    pick = (("1. send-only rate (ifb sink)", "1", "send", "rate_pps", "pps"),
            ("1. CPU per probe (user+sys)", "1", "send", "cpu_ns", "ns"),
            ("2. /16 all alive, max: hosts found", "2", "max", "hosts", "int"),
            ("2. /16 all alive, max: wall time", "2", "max", "wall_s", "s"),
            ("2. /16 all alive, 200k: hosts found", "2", "200k", "hosts", "int"),
            ("2. /16 all alive, 200k: wall time", "2", "200k", "wall_s", "s"))
    if not any(med(sec, "before", case, metric) is not None for _, sec, case, metric, _ in pick):
        return []
    out = ["Sweep before/after (`BENCH_SWEEP_BEFORE`: %s):\n"
           % os.environ.get("BENCH_SWEEP_BEFORE_DESC", "an older echoscan"),
           "| measurement | echoscan before | echoscan | echoscan/before |", "|---|---|---|---|"]
    for label, sec, case, metric, kind in pick:
        b, a = med(sec, "before", case, metric), med(sec, "echoscan", case, metric)
        out.append("| %s | %s | %s | %s |" % (label, fmt(b, kind), fmt(a, kind), ratio(a, b)))
    out.append("")
    return out


def main_part():
    out = []
    out.append("# echoscan benchmark results\n")
    out.append("Generated by `make bench` (bench/bench.sh) in %s s. Machine: %s.  " % (secs, machine))
    out.append("Versions: %s. Medians of %s runs each.\n" % (versions, runs))
    out.append("| measurement | echoscan | zmap | masscan | echoscan/zmap | echoscan/masscan |")
    out.append("|---|---|---|---|---|---|")
    out.extend(rows)
    out.append("")
    out.extend(sweep_before_rows())
    out.append("5. echoscan peak RSS for 16.7 M probes send-only (-P 512 over a /17): %s; "
               "`--dry-run -n 1000 0.0.0.0/0`: %s wall." % (fmt(mem, "mib"), fmt(dry, "s")))
    out.append("")
    out.append("Notes:")
    out.append("- 1: probes = frames the ifb sink dropped (its rx_dropped counter), send time = first to "
               "last change of that counter (polled every ms); CPU = user+sys of the whole process "
               "(both threads, start-up included) / probes. zmap -P N sends N back-to-back probes per "
               "target; masscan has no per-target probe count: `--retries k --rate R` sends "
               "(targets + k*R)*(k+1) frames, so R is chosen for the same number of frames "
               "(well above what it reaches, so it does not throttle).")
    out.append("- 2: hosts = distinct addresses in the output. echoscan ends its cooldown early once "
               "every target has answered; zmap and masscan always wait the full 2 s.")
    out.append("- 3: arrived = rx_packets delta of the scanner-side veth (minus the 100/s pings that keep "
               "masscan's receive thread from hanging). echoscan counts every valid "
               "reply (summary `valid replies`), zmap `success_total + failure_total` from its "
               "metadata; masscan cannot send several probes per host nor count repeats (it "
               "de-duplicates), so it gets one probe per host and its distinct hosts are counted.")
    out.append("- 4a: send-only to the ifb sink; its rx_dropped counter is polled every 0.2 ms: "
               "achieved = (n-1)/(last-first change); window share = the largest increase in a 10 ms "
               "window (from the first change; first and last window left out) / (rate x 10 ms). "
               "echoscan --max-runtime 3, zmap -t 3 (zmap's -r counts targets: -r R/k -P k, k "
               "back-to-back probes, k = 2, 11, 101), masscan stopped by SIGINT after 3.3 s.")
    out.append("- 4b: the same rates sent to 198.18.0.0/16 over the veth pair and measured on the "
               "receiving side: libpcap on the target's vet with nanosecond timestamps counts the "
               "incoming echo requests (the target ignores them during this section): achieved = "
               "(n-1)/(last-first stamp), window share = the most requests in one 10 ms window (windows "
               "from the first request, every whole window) / (rate x 10 ms); captured span = "
               "last-first stamp. zmap -r R/k -P k with k = 1 and 8. 1M is measured only in 4a: the "
               "veth path to the target carries only ~0.65 Mpps on this machine.")
    out.append("")
    out.append("Commands (W = the bench's temp dir; `ip netns exec <scanner ns>` in front of each):\n")
    out.append("```")
    for sec, cmd in commands:
        if sec not in ("6", "7", "8", "9", "10"):
            out.append("[%s] %s" % (sec, cmd))
    out.append("```")
    return "\n".join(out) + "\n"


SMALL_TOOLS = ("echoscan", "fping", "nmap")


def fmt_wall(x):
    if x is None:
        return "n/a"
    return "%.1f ms" % (x * 1e3) if x < 1 else "%.2f s" % x


def fmt1pct(x):
    return "n/a" if x is None else "%.1f %%" % x


def small_part():
    m = lambda tool, case, metric: med("6", tool, case, metric)
    out = []
    out.append("| measurement | echoscan | fping | nmap -sn | echoscan/fping | echoscan/nmap |")
    out.append("|---|---|---|---|---|---|")

    def wall_row(label, case):
        v = [m(t, case, "wall_s") for t in SMALL_TOOLS]
        out.append("| %s | %s | %s | %s | %s | %s |" % (label, *(fmt_wall(x) for x in v),
                                                     ratio(v[0], v[1]), ratio(v[0], v[2])))

    def count_row(label, case, metric, kind="int"):
        v = [m(t, case, metric) for t in SMALL_TOOLS]
        out.append("| %s | %s | %s | %s |  |  |" % (label, *(fmt(x, kind) for x in v)))

    wall_row("one live host: wall time", "one")
    count_row("one live host: hosts found (of 1)", "one", "found")
    wall_row("one silent host: wall time", "silent")
    wall_row("198.18.0.16/28 (5 live): wall time", "c28")
    count_row("198.18.0.16/28: hosts found (of 5)", "c28", "found")
    wall_row("198.18.0.0/24 (51 live, 20 %): wall time", "c24")
    count_row("198.18.0.0/24: hosts found (of 51)", "c24", "found")
    count_row("198.18.0.0/24: delayed hosts found (20 ms, 300 ms; of 2)", "c24", "delayed_found")
    out.append("")
    dg = m("echoscan", "dgram", "wall_s")
    out.append("`echoscan --tx dgram` (ICMP datagram sockets, no packet socket; the lab opens "
               "`net.ipv4.ping_group_range`) on the live host: %s, %s x fping (hosts found: %s)."
               % (fmt_wall(dg), ratio(dg, m("fping", "one", "wall_s")),
                  fmt(m("echoscan", "dgram", "found"), "int")))
    pe, pi = m("echoscan", "ping", "wall_s"), m("iputils", "ping", "wall_s")
    out.append("`echoscan ping -c 1` on the live host: %s; iputils `ping -c 1`: %s (ratio %s)."
               % (fmt_wall(pe), fmt_wall(pi), ratio(pe, pi)))
    out.append("")
    one, onef = m("echoscan", "one", "wall_s"), m("fping", "one", "wall_s")
    sil = m("echoscan", "silent", "wall_s")
    c24, c24f = m("echoscan", "c24", "wall_s"), m("fping", "c24", "wall_s")
    rec_e, rec_f = m("echoscan", "c24", "recall_pct"), m("fping", "c24", "recall_pct")
    dl = m("echoscan", "c24", "delayed_found")
    yes = lambda c: "met" if c else "NOT met"
    out.append("Aims (issue 7):")
    if one is not None and onef:
        out.append("- one live host within 1.5x of fping: %s by default (%s vs %s, %.1fx)"
                   % (yes(one <= 1.5 * onef), fmt_wall(one), fmt_wall(onef), one / onef)
                   + ("; with `--tx dgram`: %s (%s, %.2fx)." % (yes(dg <= 1.5 * onef), fmt_wall(dg), dg / onef)
                      if dg is not None else "."))
    if sil is not None:
        out.append("- a silent host ends within 1.5 s by default: %s (%s)." % (yes(sil <= 1.5), fmt_wall(sil)))
    if c24 is not None and c24f:
        out.append("- the 20 %%-live /24 faster than `fping -a -g`: %s (%s vs %s), recall %s "
                   "(fping %s), delayed hosts found %s of 2."
                   % (yes(c24 < c24f), fmt_wall(c24), fmt_wall(c24f), fmt1pct(rec_e),
                      fmt1pct(rec_f), fmt(dl, "int")))
    out.append("")
    out.append("Notes: wall time = from fork to exit of the tool, measured inside the scanner "
               "namespace (bench/walltime.py), so `ip netns exec` is not counted. Every tool runs "
               "with its default timeouts: echoscan without -c (the adaptive cooldown: it ends once "
               "every target answered, or 4x the slowest RTT seen, at least 1 s, after the last "
               "probe), fping 500 ms per try with 3 retries, nmap -sn its own timing (-n: no "
               "reverse DNS). `fping -g` leaves out a block's first and last address; no live host "
               "sits there in this lab. What a small echoscan job still spends its time on: opening "
               "and closing packet sockets, each of which waits for an RCU grace period in the "
               "kernel (the capture ring's setup one, its teardown two; the TX socket's close one, "
               "overlapped): 3 grace periods of ~10-15 ms here, against fping's raw ICMP socket, "
               "which needs none.")
    return block(SMALL, "6", "## Small jobs (issue 7)",
                 "Versions: %s. Medians of %s runs each, the tools interleaved run by run."
                 % (versions, os.environ.get("BENCH_SMALL_RUNS", "?")), out)


PACE_TOOLS = ("echoscan", "before", "zmap", "zmap4")


def pace_part():
    m = lambda tool, pps, metric: med("7", tool, pps, metric)
    tools = [t for t in PACE_TOOLS if any(m(t, p, "sink_cpu_ms") is not None for p in ("10000", "100000"))]
    names = {"echoscan": "echoscan", "before": "echoscan before", "zmap": "zmap",
             "zmap4": "zmap " + os.environ.get("BENCH_ZMAP4_VERSION", "4.x")}
    load = vals.get(("7", "load", "all", "load1"), [])
    versions_line = ("Versions: %s%s. Medians of %s runs each.%s"
                     % (versions, ("; \"echoscan before\" = " + os.environ["BENCH_PACE_BEFORE_DESC"])
                        if os.environ.get("BENCH_PACE_BEFORE_DESC") else "", runs,
                        (" Load average (1 min) at the start and the end of the section: %s (2 CPUs)."
                         % " and ".join("%.2f" % x for x in load)) if load else ""))
    out = []
    out.append("| rate | tool | CPU per s of scanning, ifb sink (all threads) | busiest thread | "
               "busiest 10 ms window / share (capture in the target) | 99th percentile window / share "
               "| requests seen / (5 s x rate) | CPU per s, veth run |")
    out.append("|---|---|---|---|---|---|---|---|")
    for pps, name in (("10000", "10k"), ("100000", "100k")):
        for t in tools:
            cpu, bus = m(t, pps, "sink_cpu_ms"), m(t, pps, "sink_busiest_ms")
            win, vcpu = m(t, pps, "cap_maxwin_share"), m(t, pps, "cap_cpu_ms")
            p99, sent = m(t, pps, "cap_p99win_share"), m(t, pps, "cap_sent_share")
            f = lambda x: "n/a" if x is None else "%.1f ms (%.1f %%)" % (x, x / 10)
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s |"
                       % (name, names[t], f(cpu), f(bus), fmt(win, "x"), fmt(p99, "x"),
                          "n/a" if sent is None else "%.4f" % sent, f(vcpu)))
    out.append("")
    out.append("Notes: CPU = the CPU time of every thread of the tool's process "
               "(/proc/PID/task/*/schedstat, bench/benchtool.c cpu) per second of wall time, sampled 1.5 s and 4.5 s after the process started, in "
               "a 5 s run, so start-up (the capture ring's 64 MiB being zeroed) and teardown are left "
               "out; busiest thread = the thread that used the most (the sender). Send-only to the "
               "ifb sink (frames dropped at once), so this is the sender's own cost. The window share "
               "is from a second run over the veth pair to 198.18.0.0/16 with libpcap in the target "
               "counting the incoming requests per 10 ms window from the first (as 4b; the target "
               "ignores them; the 99th percentile of the windows beside the busiest, which one stall of "
               "a sender on a loaded machine decides; requests seen / (5 s x rate): the share of the schedule's probes that went out in the run, under 1 when a sender fell behind and had not caught up by its end); that run's CPU includes the veth transmit and the target's receive "
               "path, which the kernel runs in the sender's softirq. zmap -r R/k -P k (k back-to-back "
               "probes per target, enough for 5 s), -t 5; echoscan --max-runtime 5 --tx ring (the "
               "default, --tx auto, would take AF_XDP on the native-XDP veth: these figures compare "
               "pacing, not backends). "
               + ("zmap 4.x: the build at BENCH_ZMAP4 (%s), same options as zmap. " % os.environ["BENCH_ZMAP4"]
                  if os.environ.get("BENCH_ZMAP4") else
                  "zmap 4.x: not measured (set BENCH_ZMAP4=/path/to/zmap, a zmap 4 built outside the "
                  "repository). ")
               + os.environ.get("BENCH_PACE_NOTE", ""))
    return block(PACE, "7", "## CPU while pacing (issue 13)", versions_line, out, unique=True)


def thr_part():
    m = lambda thr, mode, metric: med("10", "t%d" % thr, mode, metric)
    out = []
    out.append("| send-only, -r max | rate, 1 thread | rate, 2 threads | 2 / 1 | CPU per probe, 1 | CPU per probe, 2 |")
    out.append("|---|---|---|---|---|---|")
    for mode, label in (("sink", "ifb sink (5.24 M probes)"), ("veth", "veth to the target (1.05 M probes)")):
        r1, r2 = m(1, mode, "rate_pps"), m(2, mode, "rate_pps")
        out.append("| %s | %s | %s | %s | %s | %s |" % (label, fmt(r1, "pps"), fmt(r2, "pps"), ratio(r2, r1),
                                                     fmt(m(1, mode, "cpu_ns"), "ns"), fmt(m(2, mode, "cpu_ns"), "ns")))
    out.append("")
    out.append("Notes: rate = frames counted by the ifb sink's rx_dropped (or the target's vet rx_packets, "
               "the target ignoring the requests) / first to last change of the counter (1 ms polling); "
               "CPU = user+sys of the process (/usr/bin/time, start-up included) / probes.")
    return block(THR, "10", "## Sender threads (issue 13)",
                 "Versions: %s. Medians of %s runs each, the two thread counts interleaved."
                 % (versions, runs), out)


def xdp_part():
    """Section 11 (issue 13): AF_XDP send and receive, the XDP responder's full loop."""
    m = lambda tool, case, metric: med("11", tool, case, metric)
    out = []
    out.append("| measurement | `--tx ring` | `--tx xdp` | raw AF_XDP yardstick | xdp/ring | xdp/yardstick |")
    out.append("|---|---|---|---|---|---|")
    for case, label in (("veth", "send-only, veth pair, far end drops in native XDP"),
                        ("ifb", "send-only, ifb sink")):
        r, x, y = m("ring", case, "rate_pps"), m("xdp", case, "rate_pps"), m("xdpsend", case, "rate_pps")
        out.append("| 11a. %s: rate | %s | %s | %s | %s | %s |"
                   % (label, fmt(r, "pps"), fmt(x, "pps"), fmt(y, "pps"), ratio(x, r), ratio(x, y)))
        r, x, y = m("ring", case, "cpu_ns"), m("xdp", case, "cpu_ns"), m("xdpsend", case, "cpu_ns")
        out.append("| 11a. %s: CPU per frame | %s | %s | %s | %s | %s |"
                   % (label, fmt(r, "ns"), fmt(x, "ns"), fmt(y, "ns"), ratio(x, r), ratio(x, y)))
    out.append("")
    out.append("| full loop, XDP responder, `-r max -P 16` over the all-live /16 | replies arriving/s | "
               "share captured | hosts found (-P 1, of 65536) | of the yardstick's reply rate |")
    out.append("|---|---|---|---|---|")
    y = m("xdpsend", "loop", "rate_pps")
    for tool, label in (("ring", "echoscan `--tx ring` (libpcap)"), ("xdp", "echoscan `--tx xdp` (libpcap)"),
                        ("ring-rxxdp", "echoscan `--tx ring --rx xdp`"),
                        ("xdp-rxxdp", "echoscan `--tx xdp --rx xdp` (AF_XDP both ways, one UMEM per queue)"),
                        ("xdpsend-rx", "raw AF_XDP yardstick receiving (bench/xdpsend.c + xdp_xsk.bpf.c: "
                                       "replies into an AF_XDP socket, counted)")):
        r = m(tool, "loop", "rate_pps")
        out.append("| %s | %s | %s | %s | %s |"
                   % (label, fmt(r, "pps"), fmt(m(tool, "loop", "captured_pct"), "pct"),
                      fmt(med("2", tool, "hosts_xdp", "hosts"), "int") if tool != "xdpsend-rx" else "",
                      "%.1f %%" % (100 * r / y) if r and y else "n/a"))
    out.append("| raw AF_XDP yardstick (bench/xdpsend.c; replies dropped in XDP on arrival) | %s | | | 100 %% |"
               % fmt(y, "pps"))
    out.append("")
    out.append("Notes: send-only rates count frames where they end (vet's rx_packets after its XDP "
               "program dropped them; the ifb sink's rx_dropped), polled every ms: rate = (n-1) / "
               "(first to last change); CPU = user+sys of the sending process / frames (for veth this "
               "includes the far end's XDP drop, which runs in the sender's softirq). The yardstick "
               "sends the same 60-byte echo requests from one AF_XDP socket in copy mode with nothing "
               "else to do (no hashing, permutation, pacing or capture). Full loop: replies counted by "
               "ves's rx_packets in the scanner namespace; captured = echoscan's `valid replies` / "
               "arrived. veth has no zero-copy AF_XDP: every `--tx xdp` figure here is copy mode. "
               + os.environ.get("BENCH_XDP_NOTE", ""))
    return block(XDP, "11", "## AF_XDP (issue 13)",
                 "Versions: %s. Medians of %s runs each, the variants interleaved run by run."
                 % (versions, runs), out,
                 where="`ip netns exec <namespace>` in front of each; W = the bench's temp dir")


def trace_part():
    """Section 8 (bench/trace.sh) writes its own block, or None."""
    tb = os.environ.get("BENCH_TRACE_BLOCK", "")
    return open(tb).read() if tb and os.path.exists(tb) else None


# (section, the function writing its block, its markers), in file order
PARTS = (("6", small_part, SMALL), ("7", pace_part, PACE), ("8", trace_part, TRACE),
         ("9", v6_part, V6), ("10", thr_part, THR), ("11", xdp_part, XDP))

text = main_part() if ran_main or not old else old_main_part()
for sec, build, marks in PARTS:
    part = (build() if sec in ran else None) or old_block(marks)
    if part:
        text += "\n" + part
if notes:
    text += notes
sys.stdout.write(text)
