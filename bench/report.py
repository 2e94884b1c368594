"""Tables from one run: focus, the floor and the peers side by side, ratios, issue 5's and issue 23's targets.

`table(results)` is pure: the JSON document `make bench` writes in, Markdown
out, so a saved bench/results/latest.json can be rendered again.
"""

from __future__ import annotations

from typing import Any, Callable

FOCUS, FLOOR, PEER, TWURPLE = "focus", "floor", "pyTwitchAPI", "twurple"

# Issue 5's targets (this 2-core machine).
BURST_VS_FLOOR = 0.8
BURST_VS_PEER = 3.0
P99_VS_FLOOR = 1.5  # at 500 msg/s
IDLE_PERCENT = 0.05
GROWTH_MIB = 5.0
RSS_VS_FLOOR = 1.5
STARTUP_VS_FLOOR = 1.5
KEY_RATE = 500  # msg/s flowing while keys are typed (issue 9)
KEY_P99_MS = 50.0  # issue 9: keystroke to echo, p99
SCREEN_P99_MS = 50.0  # issue 19: keystroke to echo and frame to its line on screen, p99, at 500 msg/s
SCREEN_IDLE_VS_LINES = 2.0  # issue 19: idle CPU with the screen open within 2x of line mode's
DEVLOG_RATE = 1000  # records/s devlog.py must print (issue 12: a raid is hundreds of messages per second)
# Issue 23's targets: at the floor, ahead of every peer.
AT_FLOOR_BURST = 1.4  # burst >= 1.4 x the floor's
AT_FLOOR_P99 = 1.2  # p99 at 500 msg/s <= 1.2 x the floor's, and below each peer's
AT_FLOOR_IDLE = 2.0  # idle CPU <= 2 x the floor's


def _get(doc: dict[str, Any], *path: str) -> Any:
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**missed**")


def _fmt(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def _mib(kib: float | None) -> float | None:
    return None if kib is None else kib / 1024


def rows(r: dict[str, Any]) -> list[list[str]]:
    """[measure, focus, floor, peer, focus vs floor, target, verdict] per line of the table."""
    out: list[list[str]] = []
    clients = (FOCUS, FLOOR, PEER)

    def line(measure: str, values: dict[str, float | None], spec: str, ratio_text: str, target: str,
             ok: bool | None) -> None:
        out.append([measure, *(_fmt(values.get(c), spec) for c in clients), ratio_text, target, _verdict(ok)])

    # 1. burst
    n = _get(r, "config", "messages") or 0
    burst = {c: _get(r, "burst", c, "msgs_per_s") for c in clients}
    vs_floor, vs_peer = _ratio(burst[FOCUS], burst[FLOOR]), _ratio(burst[FOCUS], burst[PEER])
    text = ", ".join(t for t in (f"{vs_floor:.2f} × floor" if vs_floor else "",
                                  f"{vs_peer:.1f} × peer" if vs_peer else "") if t) or "—"
    ok = None if vs_floor is None else vs_floor >= BURST_VS_FLOOR and (vs_peer is None or vs_peer >= BURST_VS_PEER)
    line(f"burst of {n:,} chat messages (msg/s)", burst, ",.0f", text,
         f"≥ {BURST_VS_FLOOR} × floor, ≥ {BURST_VS_PEER:g} × peer", ok)

    # 2. latency
    for rate in _get(r, "config", "rates") or []:
        key = str(rate)
        cells = {c: _get(r, "latency", c, key) for c in clients}
        p99 = {c: (v or {}).get("p99_ms") for c, v in cells.items()}
        ratio = _ratio(p99[FOCUS], p99[FLOOR])
        is_target = rate == 500
        out.append([f"latency at {rate} msg/s, p50 / p99 / max (ms)",
                    *(_latency_cell(cells[c]) for c in clients),
                    f"{ratio:.2f} × floor (p99)" if ratio else "—",
                    f"p99 ≤ {P99_VS_FLOOR} × floor" if is_target else "",
                    _verdict(ratio <= P99_VS_FLOOR if is_target and ratio else None)])

    # 3. idle
    secs = _get(r, "config", "idle_seconds")
    idle = {c: _get(r, "idle", c, "percent_of_core") for c in clients}
    ok = None if idle[FOCUS] is None else idle[FOCUS] < IDLE_PERCENT
    ratio = _ratio(idle[FOCUS], idle[FLOOR])
    line(f"idle CPU over {secs:g} s, keepalives only (% of a core)" if secs else "idle CPU (% of a core)", idle,
         ".4f", f"{ratio:.1f} × floor" if ratio else "—", f"< {IDLE_PERCENT} %", ok)
    with_reader = _get(r, "idle", "focus+devlog", "percent_of_core")
    line("idle CPU, devlog reader attached (% of a core)", {FOCUS: with_reader}, ".4f", "—", f"< {IDLE_PERCENT} %",
         None if with_reader is None else with_reader < IDLE_PERCENT)

    # 4. long run
    total = _get(r, "config", "long_messages") or 0
    start = {c: _mib(_get(r, "long", c, "rss_start_kib")) for c in clients}
    end = {c: _mib(_get(r, "long", c, "rss_end_kib")) for c in clients}
    growth = {c: _mib(_get(r, "long", c, "growth_kib")) for c in clients}
    ratio = _ratio(start[FOCUS], start[FLOOR])
    line("RSS at start (MiB)", start, ".1f", f"{ratio:.2f} × floor" if ratio else "—", "", None)
    ratio = _ratio(end[FOCUS], end[FLOOR])
    line(f"RSS after {total:,} messages (MiB)", end, ".1f", f"{ratio:.2f} × floor" if ratio else "—",
         f"≤ {RSS_VS_FLOOR} × floor", None if ratio is None else ratio <= RSS_VS_FLOOR)
    line("RSS growth (MiB)", growth, "+.1f", "", f"< {GROWTH_MIB:g} MiB",
         None if growth[FOCUS] is None else growth[FOCUS] < GROWTH_MIB)
    db = _get(r, "long", FOCUS, "history_db_bytes")
    if db is not None:
        rows_ = _get(r, "long", FOCUS, "history_rows")
        line(f"history database after the long run (MiB; {rows_:,} messages)", {FOCUS: db / 2**20}, ".1f", "—", "",
             None)
        line("`focus.py history USER` on it, median of 5 (s)", {FOCUS: _get(r, "long", FOCUS, "history_cmd_s")},
             ".3f", "—", "", None)

    # 5. devlog.py's own rate (a raid is hundreds of messages per second)
    for mode in ("pretty", "raw"):
        rate = _get(r, "devlog", mode, "records_per_s")
        if rate is not None:
            line(f"devlog.py {mode}{' (--raw)' if mode == 'raw' else ''}, records/s", {FOCUS: rate}, ",.0f", "—",
                 f"≥ {DEVLOG_RATE:,} (a raid)", rate >= DEVLOG_RATE)

    # 6. the input line (issue 9): focus in a pseudo-terminal beside display-only focus, same rounds
    pty = "focus (input line)"
    if _get(r, "input"):
        cells = {FOCUS: _get(r, "input", "burst", FOCUS, "msgs_per_s")}
        with_line = _get(r, "input", "burst", pty, "msgs_per_s")
        ratio = _ratio(with_line, cells[FOCUS])
        out.append([f"input line on: burst of {n:,} (msg/s), beside display-only",
                    f"{_fmt(with_line, ',.0f')} (display-only {_fmt(cells[FOCUS], ',.0f')})", "", "",
                    f"{ratio:.2f} × display-only" if ratio else "—", "", "—"])
        lat = _get(r, "input", "latency", pty, str(KEY_RATE))
        plain = _get(r, "input", "latency", FOCUS, str(KEY_RATE))
        out.append([f"input line on: latency at {KEY_RATE} msg/s, p50 / p99 / max (ms)",
                    f"{_latency_cell(lat)} (display-only {_latency_cell(plain)})", "", "", "—", "", "—"])
        keys = _get(r, "input", "keystroke")
        p99 = (keys or {}).get("p99_ms")
        out.append([f"keystroke to echo while {KEY_RATE} msg/s flow, p50 / p99 / max (ms)", _latency_cell(keys),
                    "", "", "—", f"p99 < {KEY_P99_MS:g} ms (issue 9)",
                    _verdict(None if p99 is None else p99 < KEY_P99_MS)])

    # 7. screen mode (issue 19): the full-screen app beside line mode, both in a pseudo-terminal, same rounds
    if _get(r, "screen"):
        out += _screen_rows(r, n)

    # 8. start-up
    runs = _get(r, "config", "startup_runs")
    up = {c: _get(r, "startup", c, "median") for c in clients}
    ratio = _ratio(up[FOCUS], up[FLOOR])
    line(f"start-up to subscribed, median of {runs} (s)", up, ".3f", f"{ratio:.2f} × floor" if ratio else "—",
         f"≤ {STARTUP_VS_FLOOR} × floor", None if ratio is None else ratio <= STARTUP_VS_FLOOR)
    return out


def _screen_rows(r: dict[str, Any], n: int) -> list[list[str]]:
    screen, lines = "focus (screen)", "focus (input line)"
    out: list[list[str]] = []

    def row(measure: str, text: str, ratio: str, target: str, ok: bool | None) -> None:
        out.append([measure, text, "", "", ratio, target, _verdict(ok)])

    def p99_row(measure: str, cells: dict[str, Any] | None) -> None:
        mine = (cells or {}).get(screen)
        p99 = (mine or {}).get("p99_ms")
        row(measure, f"{_latency_cell(mine)} (line mode {_latency_cell((cells or {}).get(lines))})", "—",
            f"p99 < {SCREEN_P99_MS:g} ms (issue 19)", None if p99 is None else p99 < SCREEN_P99_MS)

    burst = {k: _get(r, "screen", "burst", k, "msgs_per_s") for k in (screen, lines)}
    ratio = _ratio(burst[screen], burst[lines])
    row(f"screen mode: burst of {n:,} to the last line on screen (msg/s)",
        f"{_fmt(burst[screen], ',.0f')} (line mode {_fmt(burst[lines], ',.0f')})",
        f"{ratio:.2f} × line mode" if ratio else "—", "", None)
    latency = _get(r, "screen", "latency") or {}
    p99_row(f"screen mode: frame to its line on screen at {KEY_RATE} msg/s, p50 / p99 / max (ms)",
            {k: (v or {}).get(str(KEY_RATE)) for k, v in latency.items()})
    p99_row(f"screen mode: keystroke to echo in the desk while {KEY_RATE} msg/s flow, p50 / p99 / max (ms)",
            _get(r, "screen", "keystroke"))
    idle = {k: _get(r, "screen", "idle", k, "percent_of_core") for k in (screen, lines)}
    ratio = _ratio(idle[screen], idle[lines])
    secs = _get(r, "screen", "idle", screen, "seconds")
    row(f"screen mode: idle CPU over {_fmt(secs, '.0f')} s, the screen open (% of a core)",
        f"{_fmt(idle[screen], '.4f')} (line mode {_fmt(idle[lines], '.4f')})",
        f"{ratio:.2f} × line mode" if ratio else "—", f"≤ {SCREEN_IDLE_VS_LINES:g} × line mode (issue 19)",
        None if ratio is None else ratio <= SCREEN_IDLE_VS_LINES)
    total = _get(r, "screen", "long", screen, "messages") or 0
    start = {k: _mib(_get(r, "screen", "long", k, "rss_start_kib")) for k in (screen, lines)}
    end = {k: _mib(_get(r, "screen", "long", k, "rss_end_kib")) for k in (screen, lines)}
    row(f"screen mode: RSS at start → after {total:,} messages (MiB)",
        f"{_fmt(start[screen], '.1f')} → {_fmt(end[screen], '.1f')} (line mode {_fmt(start[lines], '.1f')} → "
        f"{_fmt(end[lines], '.1f')})", "—", "", None)
    return out


def floor_rows(r: dict[str, Any]) -> list[list[str]]:
    """Issue 23's table: [figure, focus, floor, pyTwitchAPI, twurple, focus vs floor, target, verdict]."""
    clients = (FOCUS, FLOOR, PEER, TWURPLE)
    out: list[list[str]] = []

    def row(figure: str, cells: list[str], ratio: float | None, target: str, ok: bool | None) -> None:
        out.append([figure, *cells, f"{ratio:.2f} × floor" if ratio else "—", target, _verdict(ok)])

    n = _get(r, "config", "messages") or 0
    burst = {c: _get(r, "burst", c, "msgs_per_s") for c in clients}
    ratio = _ratio(burst[FOCUS], burst[FLOOR])
    row(f"burst of {n:,}, msg/s", [_fmt(burst[c], ",.0f") for c in clients], ratio,
        f"≥ {AT_FLOOR_BURST} × floor", None if ratio is None else ratio >= AT_FLOOR_BURST)
    lat = {c: _get(r, "latency", c, str(KEY_RATE)) for c in clients}
    p99 = {c: (lat[c] or {}).get("p99_ms") for c in clients}
    ratio = _ratio(p99[FOCUS], p99[FLOOR])
    peers = [p99[c] for c in (PEER, TWURPLE) if p99[c] is not None]
    row(f"latency at {KEY_RATE} msg/s, p50 / p99 ms",
        ["—" if not lat[c] else f"{lat[c]['p50_ms']:.3f} / {lat[c]['p99_ms']:.3f}" for c in clients], ratio,
        f"p99 ≤ {AT_FLOOR_P99} × floor, below the peers'",
        None if ratio is None else ratio <= AT_FLOOR_P99 and all(p99[FOCUS] < p for p in peers))
    cpu = {c: (lat[c] or {}).get("cpu_percent") for c in clients}
    row(f"CPU at {KEY_RATE} msg/s, % of a core", [_fmt(cpu[c], ".1f") for c in clients],
        _ratio(cpu[FOCUS], cpu[FLOOR]), "", None)
    secs = _get(r, "config", "idle_seconds")
    idle = {c: _get(r, "idle", c, "percent_of_core") for c in clients}
    ratio = _ratio(idle[FOCUS], idle[FLOOR])
    row(f"idle CPU over {_fmt(secs, 'g')} s, % of a core", [_fmt(idle[c], ".4f") for c in clients], ratio,
        f"≤ {AT_FLOOR_IDLE:g} × floor", None if ratio is None else ratio <= AT_FLOOR_IDLE)
    return out


def _latency_cell(v: dict[str, Any] | None) -> str:
    if not v:
        return "—"
    text = f"{v['p50_ms']:.2f} / {v['p99_ms']:.2f} / {v['max_ms']:.2f}"
    return text + (f" ({v['lost']} lost)" if v.get("lost") else "")


def table(r: dict[str, Any]) -> str:
    """The Markdown docs/speed.md carries: a heading line, the table, the notes."""
    head = ["measure", FOCUS, "floor", "pyTwitchAPI", "focus vs floor", "target (issue 5)", "status"]
    body = rows(r)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    m = r.get("machine", {})
    load = r.get("load_average") or {}
    fmt_load: Callable[[Any], str] = lambda v: "/".join(f"{x:.2f}" for x in v) if v else "?"
    notes = [
        f"Measured {r.get('date', '?')} on {m.get('cpu', '?')}, {m.get('cores', '?')} cores, "
        f"{m.get('memory_gib', '?')} GiB, {m.get('system', '?')}, {m.get('python', '?')}; "
        f"load average (1/5/15 min) {fmt_load(load.get('before'))} before, {fmt_load(load.get('after'))} after.",
        f"Command: `{r.get('command', 'make bench')}`.",
    ]
    if any(_get(r, phase) for phase in ("burst", "latency", "idle")):
        head23 = ["figure (issue 23)", FOCUS, FLOOR, PEER, TWURPLE, "focus vs floor", "target (issue 23)", "status"]
        lines += ["", "| " + " | ".join(head23) + " |", "|" + "|".join("---" for _ in head23) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in floor_rows(r)]
    noise = r.get("noise_other_cores") or {}
    if noise:
        notes.append("Cores kept busy by other processes during each phase (noise): "
                     + ", ".join(f"{phase} {cores:.2f}" for phase, cores in noise.items()) + ".")
    return "\n".join(lines) + "\n\n" + "\n".join(notes) + "\n"
