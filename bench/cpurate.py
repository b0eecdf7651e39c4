#!/usr/bin/env python3
"""bench/cpurate.py PID FROM TO — CPU time per second of a running process, steady state.

Sleeps FROM seconds, sums the CPU time of every thread of PID (/proc/PID/task/*/schedstat, ns),
sleeps until TO seconds, sums again, and prints "total_ns_per_s busiest_thread_ns_per_s": the
CPU the process used per second of wall time between the two samples (start-up and teardown
left out), and the share of its busiest thread. Threads that ended in between are not counted."""
import os
import sys
import time


def snap(pid):
    d = {}
    try:
        tasks = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return d, time.monotonic_ns()
    for t in tasks:
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                d[t] = int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return d, time.monotonic_ns()


pid, t1, t2 = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
t0 = time.monotonic()
time.sleep(t1)
a, ta = snap(pid)
time.sleep(max(0.0, t0 + t2 - time.monotonic()))
b, tb = snap(pid)
per = [(b[t] - a.get(t, 0)) * 1e9 / (tb - ta) for t in b] or [0.0]
print("%.0f %.0f" % (sum(per), max(per)))
