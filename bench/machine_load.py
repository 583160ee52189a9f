"""How busy the machine is right before a timing phase (bench/tune_bench.py).

A single other runnable process on a 2-core machine changes the peers' figures by orders of
magnitude: OpenMP's spinning barriers (oneDNN) and OpenBLAS's threads wait a whole scheduler
tick for the thread that shares its core, per parallel region. The load average lags and counts
our own tuning, so this samples the kernel's count of runnable tasks instead.
"""

import time


def other_runnable(samples=20, interval=0.05):
    """Mean number of runnable tasks besides this process over samples * interval seconds."""
    total = 0
    for _ in range(samples):
        with open("/proc/stat") as f:
            for line in f:
                if line.startswith("procs_running"):
                    total += max(0, int(line.split()[1]) - 1)  # minus this sampler
                    break
        time.sleep(interval)
    return total / samples


def check(log, label):
    """Logs a warning when other processes are running; returns their mean count."""
    busy = other_runnable()
    if busy >= 0.3:
        log(f"bench: warning: {busy:.1f} other runnable processes before timing {label}: "
            "figures taken now are unreliable (oneDNN's and OpenBLAS's above all); rerun on a "
            "quiet machine, or compare the minimums in the JSON")
    return busy
