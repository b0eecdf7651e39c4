#!/usr/bin/env python3
"""bench/walltime.py OUT CMD... — runs CMD once with stdout to OUT and stderr to OUT.err, prints
"wall_seconds exit_status". The clock is read around the child process only (perf_counter), so
the cost of starting this helper (and of `ip netns exec` in front of it) is not counted."""
import subprocess
import sys
import time

out, cmd = sys.argv[1], sys.argv[2:]
with open(out, "w") as o, open(out + ".err", "w") as e:
    t = time.perf_counter()
    rc = subprocess.call(cmd, stdout=o, stderr=e)
    wall = time.perf_counter() - t
print("%.6f %d" % (wall, rc))
