"""`--only profile`: where a client's time goes during a burst, from py-spy's collapsed stacks.

py-spy (bench/requirements.txt) attaches to the running client and samples
only the thread holding the GIL (`--gil`): with one core's worth of Python,
that is where the time goes, and threads blocked in a queue are not counted
as busy (py-spy's idle detection misses a SimpleQueue wait).  Time spent in
system calls with the GIL released (socket reads, pipe writes) is left out.
The collapsed stacks are kept in bench/results/ for a flame-graph tool;
`summary` prints per-thread and per-file shares plus the functions with the
most samples of their own ("self") and on the stack at all ("inclusive").
The burst runs slower while sampled, so its speed is only a sanity check.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

from .clients import BenchError, Client, Kind
from .measure import Config
from .simctl import SimProc

_LINE = re.compile(r" \(([^():]*?)(?::\d+)?\)$")  # "func (path/file.py:123)" -> file without the line
TOP = 15


def record(kind: Kind, sim: SimProc, workdir: Path, cfg: Config, py_spy: Path, out: Path) -> dict[str, Any]:
    """One burst of `cfg.profile_messages` with py-spy attached; the burst figures and the analysis."""
    n = cfg.profile_messages
    if not py_spy.exists():
        raise BenchError(f"{py_spy} is missing: `make bench` installs it from bench/requirements.txt")
    with Client(kind, sim, workdir) as c:
        c.wait_subscribed()
        spy = subprocess.Popen([str(py_spy), "record", "--pid", str(c.pid), "--threads", "--gil", "--rate", "500",
                                "--format", "raw", "--output", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(1.0)  # py-spy needs a moment to attach
        sent = sim.call("burst", session=c.session, n=n, raw=cfg.raw)
        c.wait_lines(n, timeout=120 + n / 200)
        seconds = c.reader.last - sent["first"]
        spy.send_signal(signal.SIGINT)
        try:
            _, err = spy.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            spy.kill()
            _, err = spy.communicate()
    if not out.exists():
        raise BenchError(f"py-spy wrote no profile: {err.decode('utf-8', 'replace')[-500:]}")
    return {"messages": n, "msgs_per_s_while_profiled": round(n / seconds, 1), "collapsed_stacks": str(out),
            **analyse(out.read_text())}


def analyse(collapsed: str) -> dict[str, Any]:
    """Per-thread, self and inclusive sample shares from py-spy's `--threads --format raw` output."""
    threads: Counter[str] = Counter()
    own: Counter[str] = Counter()
    files: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        thread = frames[0].split(": ", 1)[-1]
        thread = re.sub(r"-\d+$", "-N", thread)
        funcs = [_LINE.sub(r" (\1)", f) for f in frames[1:]]
        total += n
        threads[thread] += n
        leaf = funcs[-1] if funcs else f"{thread} (idle or native)"
        own[leaf] += n
        files[_file(leaf)] += n
        for f in set(funcs):
            inclusive[f] += n

    def share(c: Counter[str], k: int) -> list[tuple[str, float]]:
        return [(name, round(100 * n / total, 1)) for name, n in c.most_common(k)] if total else []

    return {"samples": total, "threads": share(threads, 10), "files": share(files, TOP), "self": share(own, TOP),
            "inclusive": share(inclusive, TOP)}


def _file(func: str) -> str:
    """The file a "func (path)" frame is in, with the standard library and site-packages named as such."""
    path = func.rpartition(" (")[2].rstrip(")")
    return path if "/" in path or path.endswith(".py") else func


def run(kinds: list[Kind], sim: SimProc, workdir: Path, cfg: Config, py_spy: Path, outdir: Path
        ) -> dict[str, Any]:
    outdir.mkdir(parents=True, exist_ok=True)
    return {k.name: record(k, sim, workdir, cfg, py_spy, outdir / f"profile-{k.name}.txt") for k in kinds}


def summary(profiles: dict[str, Any]) -> str:
    out: list[str] = []
    for name, p in profiles.items():
        out.append(f"== {name}: {p['messages']:,} messages, {p['samples']} samples (GIL holder), "
                   f"{p['msgs_per_s_while_profiled']:,.0f} msg/s while sampled; stacks in {p['collapsed_stacks']}")
        out.append("  threads:   " + ", ".join(f"{t} {s}%" for t, s in p["threads"]))
        for title in ("files", "self", "inclusive"):
            out.append(f"  {title}:")
            out += [f"    {s:5.1f}%  {f}" for f, s in p[title]]
    return "\n".join(out) + "\n"
