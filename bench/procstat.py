"""What the kernel knows about a process (Linux /proc), and about this machine.

No psutil: CPU time is the process's CPU clock (nanoseconds, so a tenth of a
millisecond over two minutes still shows; ended threads' time included),
falling back to utime+stime from `stat` (clock ticks, usually 10 ms);
memory is VmRSS/VmHWM from `status`.
"""

from __future__ import annotations

import os
import platform
import time
import sys
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) `pid` has used so far, its ended threads' included, in nanoseconds' resolution.

    The kernel's CPU clock of another process (clock_gettime with the clock id Linux makes of a pid,
    CPUCLOCK_SCHED).  A sum of the live threads' `schedstat` run times went down when a thread ended (focus's
    HTTP deadline thread ends 2 s after the last call): an idle phase measured a negative CPU time once.
    Where that clock is not there: utime + stime from `stat` (clock ticks)."""
    try:
        return time.clock_gettime((~pid << 3) | 2)
    except (OSError, OverflowError, ValueError):
        return cpu_ticks_seconds(pid)


def cpu_ticks_seconds(pid: int) -> float:
    """utime + stime from /proc/<pid>/stat (includes threads that already ended)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # fields 14 and 15 of stat(5)


def memory_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak RSS) in KiB."""
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


def machine() -> dict[str, object]:
    """CPU model, cores, memory, kernel, Python: what the table of docs/speed.md names."""
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "memory_gib": mem_gib,
            "system": f"{platform.system()} {platform.release()}",
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "executable": sys.executable}


def load_average() -> tuple[float, float, float] | None:
    try:
        return os.getloadavg()
    except OSError:
        return None


def _busy_seconds() -> float:
    """CPU time all cores spent busy since boot (/proc/stat: everything but idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / TICK  # guest time is already in user


class Noise:
    """How many cores *other* processes kept busy while a phase ran.

    Busy time of the whole machine minus the bench's own: this process, the
    children it has reaped (every client is waited for when it stops) and the
    simulator process.  Other engineers' test runs on this 2-core machine show
    up here, so a figure measured beside them can be recognized.
    """

    def __init__(self, sim_pid: int) -> None:
        self.sim_pid = sim_pid
        self._start = self._snapshot()

    def _snapshot(self) -> tuple[float, float, float]:
        t = os.times()
        own = t.user + t.system + t.children_user + t.children_system + cpu_ticks_seconds(self.sim_pid)
        return time.monotonic(), _busy_seconds(), own

    def other_cores(self) -> float:
        """Average cores used by everything else since this object was made (or last asked)."""
        end = self._snapshot()
        wall, busy, own = (b - a for a, b in zip(self._start, end))
        self._start = end
        return max(0.0, (busy - own) / wall) if wall > 0 else 0.0
