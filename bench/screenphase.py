"""Screen mode's cost (issue 19): focus's full-screen app in a pseudo-terminal beside line mode's.

Both clients are focus with a pseudo-terminal as stdin and stdout: line mode (FOCUS_SCREEN=lines, the input
line below the chat lines; the input phase's client) and screen mode (the header, the chat pane and the
desk; read through a VT emulator, bench/screenreader.py).  In the same interleaved rounds, so a noisy moment
on this shared machine hits both alike:

* burst: `--messages` chat notifications as fast as the socket takes them, until the last one is on
  screen (screen mode draws at most ~30 frames a second, so most of a burst is scrolled past unseen);
* latency at 500 msg/s: frame sent -> its line on screen (the read that completed the frame drawing it);
* keystroke to echo while 500 msg/s flow: the input phase's probe, typed into the desk;
* idle CPU over `--idle-seconds`, both connected at once with keepalives only (screen mode also redraws
  every 20 s for the header's uptime, screen/app.py UPTIME_REFRESH);
* RSS at start and after `--long-messages` (the pane keeps at most 10,000 lines, screen/pane.py LIMIT).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
from pathlib import Path
from typing import Any

from .clients import Kind, focus_pty_kind, focus_screen_kind
from .measure import Config, burst_once, idle, latency, long_run
from .ptyinput import RATE, keystrokes
from .simctl import SimProc

LINES, SCREEN = "focus (input line)", "focus (screen)"
PARTS = ("burst", "latency", "keystroke", "idle", "long")  # the phase's parts, in the order they run


def parts(text: str) -> tuple[str, ...]:
    """--screen-beside's comma-separated parts, checked (argparse's type: a wrong name is its error, exit 2)."""
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    wrong = [part for part in chosen if part not in PARTS]
    if wrong:
        raise argparse.ArgumentTypeError(f"no part {', '.join(wrong)} (the parts: {', '.join(PARTS)})")
    return chosen


def run(sim: SimProc, workdir: Path, cfg: Config) -> dict[str, Any]:
    line, screen = focus_pty_kind(), focus_screen_kind()

    def kinds(part: str) -> list[Kind]:  # line mode beside screen mode only where asked (the test's smoke run: one)
        return [line, screen] if part in cfg.screen_beside else [screen]

    bursts: dict[str, list[float]] = {k.name: [] for k in kinds("burst")}
    for _ in range(cfg.burst_runs):
        for kind in kinds("burst"):
            bursts[kind.name].append(burst_once(kind, sim, workdir, cfg)["msgs_per_s"])
    out: dict[str, Any] = {"burst": {name: {"messages": cfg.messages, "msgs_per_s": round(statistics.median(r), 1),
                                            "min": min(r), "max": max(r)} for name, r in bursts.items()}}
    out["latency"] = latency(kinds("latency"), sim, workdir, dataclasses.replace(cfg, rates=(RATE,)))
    out["keystroke"] = {kind.name: keystrokes(kind, sim, workdir, cfg) for kind in kinds("keystroke")}
    out["idle"] = idle(kinds("idle"), sim, workdir, cfg)
    out["long"] = {kind.name: long_run(kind, sim, workdir, cfg) for kind in kinds("long")}
    return out
