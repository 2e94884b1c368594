"""The input line's cost: focus with a pseudo-terminal as stdin and stdout (the input line on).

Three figures, each beside display-only focus (stdin /dev/null, stdout a
pipe) measured in the same interleaved rounds, so a noisy moment on this
shared machine hits both alike:

* burst: `--messages` chat notifications as fast as the socket takes them;
* latency at 500 msg/s: frame sent -> line read, p50/p99/max;
* keystroke to echo while 500 msg/s flow: a key written to the terminal ->
  the same character back in focus's output (the input line redrawn).  Each
  probe types a Greek letter no chat line contains, then a backspace, so the
  line stays short and the first appearance of the letter is its echo.

The bench is the terminal: it reads the pty's output raw (no emulator, so
the reading costs the same as a pipe's), and, having no screen, it does not
answer prompt_toolkit's cursor-position requests (PROMPT_TOOLKIT_NO_CPR=1,
see clients.py).
"""

from __future__ import annotations

import dataclasses
import os
import random
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from .clients import BenchError, Client, Kind, focus_kind, focus_pty_kind
from .measure import Config, _percentiles, burst_once, latency
from .simctl import SimProc

PROBES = "αβγδεζηθικλμνξοπρστυφχψω"
RATE = 500  # msg/s while keys are typed (issue 9: the target is p99 < 50 ms there)
BACKSPACE = b"\x7f"


def run(sim: SimProc, workdir: Path, cfg: Config) -> dict[str, Any]:
    plain, pty = focus_kind(), focus_pty_kind()
    bursts: dict[str, list[float]] = {plain.name: [], pty.name: []}
    for _ in range(cfg.burst_runs):
        for kind in (plain, pty):
            bursts[kind.name].append(burst_once(kind, sim, workdir, cfg)["msgs_per_s"])
    out: dict[str, Any] = {"burst": {name: {"messages": cfg.messages, "msgs_per_s": round(statistics.median(r), 1),
                                            "min": min(r), "max": max(r)} for name, r in bursts.items()}}
    out["latency"] = latency([plain, pty], sim, workdir, dataclasses.replace(cfg, rates=(RATE,)))
    out["keystroke"] = keystrokes(pty, sim, workdir, cfg)
    return out


def keystrokes(kind: Kind, sim: SimProc, workdir: Path, cfg: Config) -> dict[str, Any]:
    """Key written -> its echo read, while `RATE` msg/s flow for `latency_seconds`."""
    n = max(RATE, int(RATE * cfg.latency_seconds))
    samples: list[float] = []
    probes = 0
    with Client(kind, sim, workdir) as c:
        c.wait_subscribed()
        time.sleep(cfg.settle)
        failed: list[BaseException] = []

        def flow() -> None:
            try:
                sim.call("steady", session=c.session, rate=RATE, n=n, start=0)
            except BaseException as exc:  # reported below
                failed.append(exc)

        sender = threading.Thread(target=flow, name="bench-steady", daemon=True)
        sender.start()
        try:
            c.wait_lines(RATE // 10, timeout=30)  # chat is flowing
        except BenchError as exc:
            sender.join(1)  # a flow that failed at once (a closed session) is why nothing arrived: say so
            if failed:
                raise BenchError(f"{exc}; the steady flow failed: {failed[0]}") from None
            raise
        rng = random.Random(9)
        while sender.is_alive() and c.reader.count < n - RATE // 10:
            token = PROBES[probes % len(PROBES)].encode()
            probes += 1
            c.reader.expect(token)
            sent = time.monotonic()
            os.write(c.master, token)
            seen = c.reader.wait_seen(5.0)
            if seen is not None:
                samples.append(seen - sent)
            os.write(c.master, BACKSPACE)
            time.sleep(rng.uniform(0.01, 0.04))  # a typist's pace, not a wait for a condition
        sender.join(30 + cfg.latency_seconds)
        if failed:
            raise BenchError(f"the steady flow failed: {failed[0]}")
        c.wait_lines(n, timeout=30)
    return {"rate": RATE, "messages": n, **_percentiles(samples, probes)}
