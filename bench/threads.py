"""`python -m bench.threads`: focus's CPU time a message in a burst, thread by thread.

Where the burst's CPU goes between focus's threads (the main thread; the
websocket thread; the history writer; the devlog writer), which py-spy's
`--gil` profile cannot say: it samples only the thread holding the GIL.
Each run is one burst of `--messages` chat messages to a fresh focus (its
environment, e.g. FOCUS_HISTORY=off, is the bench's); a thread's share is
its on-CPU time from /proc/PID/task/TID/schedstat (Linux, nanoseconds) over
the burst, divided by the messages.  Threads that used under 0.05 us a
message are left out, but for the main thread (the one whose id is the
process's), which since issue 23 has almost nothing to do in a burst.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from .clients import Client, focus_kind
from .simctl import SimProc


def on_cpu(pid: int) -> dict[int, float]:
    """Seconds each thread of `pid` has run (threads that ended meanwhile are missing)."""
    out: dict[int, float] = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as fh:
                out[int(tid)] = int(fh.read().split()[0]) / 1e9
        except (OSError, ValueError, IndexError):
            continue
    return out


def burst(sim: SimProc, workdir: Path, n: int) -> tuple[float, dict[str, float]]:
    """One burst to a fresh focus: its rate (msg/s) and each thread's CPU time a message (us)."""
    with Client(focus_kind(), sim, workdir) as c:
        c.wait_subscribed()
        before = on_cpu(c.pid)
        sent = sim.call("burst", session=c.session, n=n, raw=True)
        c.wait_lines(n, timeout=60 + n / 200)
        after = on_cpu(c.pid)
        seconds = c.reader.last - sent["first"]
        pid = c.pid
    share: dict[str, float] = {}
    for k, tid in enumerate(sorted(after, key=lambda tid: (tid != pid, tid))):
        us = (after[tid] - before.get(tid, 0.0)) / n * 1e6
        if us >= 0.05 or tid == pid:  # the main thread always: since issue 23 it hardly works in a burst
            share["main" if tid == pid else f"thread {k}"] = round(us, 1)
    return n / seconds, share


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.threads", description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000, help="chat messages a burst (default 20,000)")
    parser.add_argument("--runs", type=int, default=3, help="bursts, each to a fresh focus (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-threads-") as tmp:
        work = Path(tmp)
        with SimProc(work / "sim.log") as sim:
            for _ in range(args.runs):
                rate, share = burst(sim, work, args.messages)
                parts = "  ".join(f"{name} {us}" for name, us in share.items())
                print(f"{rate:,.0f} msg/s  all threads {sum(share.values()):.1f} us a message:  {parts}")


if __name__ == "__main__":
    main()
