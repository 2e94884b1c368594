"""The five measurements, each against the simulator in its own process.

Every phase starts fresh client processes (so one phase's memory or caches
never flatter the next) and stops them before it returns.  Times are
CLOCK_MONOTONIC from both processes; CPU and memory come from /proc.
"""

from __future__ import annotations

import math
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import procstat
from .clients import BenchError, Client, Kind
from .simctl import ROOT, SimProc

SETTLE = 0.5  # seconds after start-up (Client.wait_subscribed) before measuring: the warm-up after it ends
WARMUP = 20  # unrecorded messages before each latency run


@dataclass(frozen=True)
class Config:
    messages: int = 20_000
    burst_runs: int = 5
    rates: tuple[int, ...] = (50, 500)
    latency_seconds: float = 15.0
    latency_rounds: int = 5
    idle_seconds: float = 120.0
    long_messages: int = 1_000_000
    long_batch: int = 1_000
    startup_runs: int = 5
    raw: bool = True  # the simulator writes pre-framed bursts in one sendall
    profile_messages: int = 100_000
    settle: float = SETTLE  # seconds between start-up and a measurement (--settle; the test's smoke run: less)
    history_runs: int = 5  # `focus.py history` timed after each long run, median (--history-runs)
    # The screen phase's parts that measure line mode beside screen mode (--screen-beside; bench/screenphase.py).
    screen_beside: tuple[str, ...] = ("burst", "latency", "keystroke", "idle", "long")


def burst_once(kind: Kind, sim: SimProc, workdir: Path, cfg: Config) -> dict[str, Any]:
    """N chat notifications as fast as the socket takes them; msgs/s from first send to last line read."""
    n = cfg.messages
    with Client(kind, sim, workdir) as c:
        c.wait_subscribed()
        time.sleep(cfg.settle)
        cpu0 = procstat.cpu_seconds(c.pid)
        sent = sim.call("burst", session=c.session, n=n, raw=cfg.raw)
        c.wait_lines(n, timeout=60 + n / 500)
        seconds = c.reader.last - sent["first"]
        cpu = procstat.cpu_seconds(c.pid) - cpu0
        peak = procstat.memory_kib(c.pid)["VmHWM"]
        return {"seconds": round(seconds, 4), "msgs_per_s": round(n / seconds, 1),
                "send_seconds": round(sent["last"] - sent["first"], 4), "client_cpu_seconds": round(cpu, 4),
                "peak_rss_kib": peak}


def burst(kinds: list[Kind], sim: SimProc, workdir: Path, cfg: Config) -> dict[str, Any]:
    """`burst_runs` bursts per client, interleaved so a noisy moment hits every client alike; the median."""
    runs: dict[str, list[dict[str, Any]]] = {k.name: [] for k in kinds}
    for _ in range(cfg.burst_runs):
        for kind in kinds:
            runs[kind.name].append(burst_once(kind, sim, workdir, cfg))
    out: dict[str, Any] = {}
    for name, rs in runs.items():
        rates = [r["msgs_per_s"] for r in rs]
        out[name] = {"messages": cfg.messages, "msgs_per_s": round(statistics.median(rates), 1),
                     "min": min(rates), "max": max(rates), "runs": rs}
    return out


def latency(kinds: list[Kind], sim: SimProc, workdir: Path, cfg: Config) -> dict[str, Any]:
    """Steady rates; per message, frame sent -> line read, matched by the number in its text.

    All clients stay connected (an idle client costs next to nothing) and take
    turns: `latency_rounds` rounds, each giving every client a share of
    `latency_seconds` at every rate, so a noisy moment on this shared machine
    hits all of them alike.  Percentiles are over the pooled samples.
    """
    clients: list[Client] = []
    try:
        for kind in kinds:
            clients.append(Client(kind, sim, workdir))
        for c in clients:
            c.wait_subscribed()
        time.sleep(cfg.settle)
        seq = {c.kind.name: 0 for c in clients}
        samples: dict[tuple[str, int], list[float]] = {(c.kind.name, r): [] for c in clients for r in cfg.rates}
        sent_count = dict.fromkeys(samples, 0)
        cpu_seconds = dict.fromkeys(samples, 0.0)  # the client's CPU while its messages flowed (issue 23's table)
        busy_seconds = dict.fromkeys(samples, 0.0)
        for _ in range(cfg.latency_rounds):
            for rate in cfg.rates:
                n = max(1, int(rate * cfg.latency_seconds / cfg.latency_rounds))
                for c in clients:
                    name = c.kind.name
                    start = seq[name]
                    sim.call("steady", session=c.session, rate=max(rate, 500), n=WARMUP, start=start)
                    c.wait_lines(start + WARMUP, timeout=30)
                    start += WARMUP
                    c.reader.record(True)
                    cpu = procstat.cpu_seconds(c.pid)
                    sent = sim.call("steady", session=c.session, rate=rate, n=n, start=start)["sent"]
                    c.wait_lines(start + n, timeout=30 + 3 * n / rate)
                    cpu_seconds[name, rate] += procstat.cpu_seconds(c.pid) - cpu
                    busy_seconds[name, rate] += sent[-1] - sent[0] + 1 / rate if sent else 0.0
                    with c.reader.cond:
                        times = dict(c.reader.times or {})
                    c.reader.record(False)
                    samples[name, rate] += [times[start + k] - t for k, t in enumerate(sent) if start + k in times]
                    sent_count[name, rate] += n
                    seq[name] = start + n
        out: dict[str, Any] = {c.kind.name: {} for c in clients}
        for (name, rate), lat in samples.items():
            out[name][str(rate)] = _percentiles(lat, sent_count[name, rate])
            if busy_seconds[name, rate] > 0:
                out[name][str(rate)]["cpu_percent"] = round(100 * cpu_seconds[name, rate] / busy_seconds[name, rate], 2)
        return out
    finally:
        for c in clients:
            c.stop()


def idle(kinds: list[Kind], sim: SimProc, workdir: Path, cfg: Config) -> dict[str, Any]:
    """CPU over `idle_seconds` connected with keepalives only; all clients at once (they barely run)."""
    runs: list[tuple[str, Client]] = []
    try:
        for kind in kinds:
            runs.append((kind.name, Client(kind, sim, workdir)))
            if kind.name == "focus":
                runs.append(("focus+devlog", Client(kind, sim, workdir, devlog_reader=True)))
        for _, c in runs:
            c.wait_subscribed()
        time.sleep(4 * cfg.settle)  # every client at once: longer than one
        before = {name: (procstat.cpu_seconds(c.pid), procstat.cpu_ticks_seconds(c.pid)) for name, c in runs}
        t0 = time.monotonic()
        time.sleep(cfg.idle_seconds)  # the measurement interval itself
        elapsed = time.monotonic() - t0
        out: dict[str, Any] = {}
        for name, c in runs:
            if c.proc.poll() is not None:
                raise BenchError(f"{name} exited during the idle run{c.diagnose()}")
            cpu = procstat.cpu_seconds(c.pid) - before[name][0]
            ticks = procstat.cpu_ticks_seconds(c.pid) - before[name][1]
            out[name] = {"seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 5),
                         "percent_of_core": round(100 * cpu / elapsed, 4),
                         "cpu_seconds_from_ticks": round(ticks, 3)}
        return out
    finally:
        for _, c in runs:
            c.stop()


def long_run(kind: Kind, sim: SimProc, workdir: Path, cfg: Config) -> dict[str, Any]:
    """RSS at start and after `long_messages`, sent in batches with at most two batches in flight."""
    total, batch = cfg.long_messages, max(1, min(cfg.long_batch, cfg.long_messages))
    with Client(kind, sim, workdir) as c:
        c.wait_subscribed()
        time.sleep(cfg.settle)
        start = procstat.memory_kib(c.pid)
        samples = [(0, start["VmRSS"])]
        every = max(batch, total // 10)
        sent = 0
        t0 = time.monotonic()
        while sent < total:
            k = min(batch, total - sent)
            sim.call("batch", session=c.session, start=sent, count=k)
            sent += k
            c.wait_lines(sent - batch, timeout=60)
            if sent % every == 0 or sent == total:
                c.wait_lines(sent, timeout=60)
                samples.append((sent, procstat.memory_kib(c.pid)["VmRSS"]))
        c.wait_lines(total, timeout=60)
        seconds = c.reader.last - t0
        time.sleep(cfg.settle)
        end = procstat.memory_kib(c.pid)
    out = {"messages": total, "msgs_per_s": round(total / seconds, 1),
           "rss_start_kib": start["VmRSS"], "rss_end_kib": end["VmRSS"],
           "growth_kib": end["VmRSS"] - start["VmRSS"], "peak_kib": end["VmHWM"],
           "rss_samples_kib": samples}
    return {**out, **history_after(c, cfg.history_runs)}


def history_after(c: Client, runs: int = 5) -> dict[str, Any]:
    """focus's history after the long run (it stopped cleanly: flushed): its size, and `history USER` on it."""
    db = c.home / "data" / "history.sqlite3"
    if not db.exists():
        return {}
    size = sum(p.stat().st_size for p in db.parent.glob("history.sqlite3*"))
    rows = sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute("SELECT count(*) FROM messages").fetchone()[0]
    times = []
    for _ in range(runs):  # the chatter with the most messages: viewer_0 (the simulator cycles 500 chatters)
        t0 = time.monotonic()
        done = subprocess.run([sys.executable, str(ROOT / "focus.py"), "history", "viewer_0"], env=c.env, cwd=c.home,
                              capture_output=True)
        times.append(time.monotonic() - t0)
        if done.returncode:
            raise BenchError(f"focus.py history failed: {done.stderr.decode(errors='replace')[-300:]}")
    return {"history_db_bytes": size, "history_rows": rows, "history_cmd_s": round(statistics.median(times), 4)}


def startup(kinds: list[Kind], sim: SimProc, workdir: Path, cfg: Config) -> dict[str, Any]:
    """Process spawn -> chat subscription created at the simulator; one unmeasured warm-up each.

    Also the medians of the steps on the way, as the simulator saw them: the
    client's first API call (focus: token validation) and its session welcome.
    """
    samples: dict[str, list[dict[str, float]]] = {k.name: [] for k in kinds}
    for run in range(cfg.startup_runs + 1):
        for kind in kinds:  # interleaved, so a noisy moment hits every client alike
            with Client(kind, sim, workdir) as c:
                c.wait_subscribed()
                if run:
                    samples[kind.name].append(c.steps)
    out: dict[str, Any] = {}
    for name, runs in samples.items():
        if not runs:
            continue
        total = [r["subscribed"] for r in runs]
        out[name] = {"median": round(statistics.median(total), 4), "min": round(min(total), 4),
                     "max": round(max(total), 4), "runs": len(runs),
                     "steps_median": {step: round(statistics.median(r[step] for r in runs), 4)
                                      for step in runs[0]}}
    return out


def _percentiles(lat: list[float], expected: int) -> dict[str, Any]:
    if not lat:
        raise BenchError("no latency samples arrived")
    lat.sort()

    def rank(p: float) -> float:  # nearest rank: the smallest sample with at least p of them at or below it
        return lat[min(len(lat) - 1, max(0, math.ceil(p * len(lat) - 1e-9) - 1))]

    return {"n": len(lat), "lost": expected - len(lat), "p50_ms": round(rank(0.50) * 1e3, 3),
            "p99_ms": round(rank(0.99) * 1e3, 3), "max_ms": round(lat[-1] * 1e3, 3)}
