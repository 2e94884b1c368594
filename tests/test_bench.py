"""The bench harness (bench/): it runs end to end, and its pure parts compute what they claim.

Nothing here asserts a speed; speed is what `make bench` reports.  The
end-to-end run leaves the peer out (pyTwitchAPI lives only in bench/.venv).
"""

from __future__ import annotations

import json
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, t

from bench.clients import visible
from bench.frames import ws_frame
from bench.measure import _percentiles
from bench.profile import analyse
from bench.report import floor_rows, rows, table


@pytest.mark.xdist_group("memory")  # the whole bench, CPU-heavy: never beside a memory test (conftest.py)
@pytest.mark.timeout(180)  # every phase, screen mode's included: ~35 s on a quiet machine, over 60 s under load
def test_bench_runs_end_to_end_with_tiny_numbers(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--no-peer", "--messages", "300", "--burst-runs", "1", "--rates", "50,500",
         "--latency-seconds", "0.2", "--latency-rounds", "1", "--idle-seconds", "0.5", "--long-messages", "1000",
         "--startup-runs", "1", "--history-runs", "1", "--screen-beside", "idle", "--settle", "0.05",
         "--output", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=t(150))
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(out.read_text())
    for client in ("focus", "floor"):
        burst = r["burst"][client]
        assert burst["messages"] == 300 and burst["msgs_per_s"] > 0
        for rate, n in (("50", 10), ("500", 100)):
            lat = r["latency"][client][rate]
            assert (lat["n"], lat["lost"]) == (n, 0)
            assert 0 < lat["p50_ms"] <= lat["p99_ms"] <= lat["max_ms"]
        long = r["long"][client]
        assert long["messages"] == 1000 and long["rss_start_kib"] > 0 and long["rss_end_kib"] > 0
        assert [s[0] for s in long["rss_samples_kib"]][-1] == 1000
        assert r["startup"][client]["runs"] == 1 and r["startup"][client]["median"] > 0
    assert set(r["idle"]) == {"focus", "focus+devlog", "floor"}
    # The input line's phase: focus in a pseudo-terminal beside display-only focus.
    for client in ("focus", "focus (input line)"):
        assert r["input"]["burst"][client]["msgs_per_s"] > 0
        assert (r["input"]["latency"][client]["500"]["n"], r["input"]["latency"][client]["500"]["lost"]) == (100, 0)
    keys = r["input"]["keystroke"]
    assert keys["n"] > 0 and keys["lost"] == 0 and 0 < keys["p50_ms"] <= keys["p99_ms"] <= keys["max_ms"]
    assert "| keystroke to echo while 500 msg/s flow" in proc.stdout
    # Screen mode's phase: the full-screen app read through a VT emulator.  Line mode beside it in its cheapest
    # part only (--screen-beside idle: two start-ups and half a second; each other part with it cost ~4 s of CPU
    # here): the comparison with line mode runs, and is reported as a ratio against issue 19's target.
    screen = r["screen"]
    assert set(screen["idle"]) == {"focus (screen)", "focus (input line)"}
    assert all(set(screen[part]) == {"focus (screen)"} for part in ("burst", "latency", "keystroke", "long"))
    assert screen["idle"]["focus (input line)"]["cpu_seconds"] >= 0
    idle_row = next(line for line in proc.stdout.splitlines() if line.startswith("| screen mode: idle CPU"))
    assert re.search(r"\| [\d.]+ \(line mode [\d.]+\) \|", idle_row), idle_row  # both measured, side by side
    for client in ("focus (screen)",):
        assert screen["burst"][client]["messages"] == 300 and screen["burst"][client]["msgs_per_s"] > 0
        lat = screen["latency"][client]["500"]
        assert 0 < lat["n"] <= 100 and lat["n"] + lat["lost"] == 100  # a line scrolled past unseen is lost
        assert 0 < lat["p50_ms"] <= lat["p99_ms"] <= lat["max_ms"]
        keys = screen["keystroke"][client]
        assert keys["n"] > 0 and keys["lost"] == 0 and 0 < keys["p50_ms"] <= keys["p99_ms"] <= keys["max_ms"]
        assert screen["idle"][client]["cpu_seconds"] >= 0
        long = screen["long"][client]
        assert long["messages"] == 1000 and 0 < long["rss_start_kib"] and 0 < long["rss_end_kib"]
        assert long["history_rows"] == 1000 and long["history_cmd_s"] > 0  # `focus.py history` on what it kept
    assert "| screen mode: frame to its line on screen at 500 msg/s" in proc.stdout
    assert all(r["devlog"][mode]["records"] == 300 and r["devlog"][mode].get("records_per_s", 0) > 0
               for mode in ("pretty", "raw")), r["devlog"]
    assert all(v["cpu_seconds"] >= 0 for v in r["idle"].values())
    assert "| burst of 300 chat messages (msg/s) |" in proc.stdout
    assert out.with_suffix(".md").read_text() in proc.stdout


def _doc(focus_burst: float, focus_p99: float, focus_idle: float, focus_growth_kib: int, focus_up: float
         ) -> dict:
    lat = {"n": 100, "lost": 0, "p50_ms": 0.1, "max_ms": 9.0}
    return {
        "config": {"messages": 20000, "rates": [500], "idle_seconds": 120, "long_messages": 1000000,
                   "startup_runs": 5},
        "burst": {"focus": {"msgs_per_s": focus_burst}, "floor": {"msgs_per_s": 10000},
                  "pyTwitchAPI": {"msgs_per_s": 2000}},
        "latency": {"focus": {"500": {**lat, "p99_ms": focus_p99}}, "floor": {"500": {**lat, "p99_ms": 1.0}}},
        "idle": {"focus": {"percent_of_core": focus_idle}, "focus+devlog": {"percent_of_core": focus_idle},
                 "floor": {"percent_of_core": 0.004}},
        "long": {"focus": {"rss_start_kib": 20000, "rss_end_kib": 20000 + focus_growth_kib,
                           "growth_kib": focus_growth_kib},
                 "floor": {"rss_start_kib": 20000, "rss_end_kib": 20000, "growth_kib": 0}},
        "startup": {"focus": {"median": focus_up}, "floor": {"median": 0.1}},
    }


def test_report_holds_each_figure_against_its_target() -> None:
    met = [row[-1] for row in rows(_doc(8000, 1.5, 0.049, 4 * 1024, 0.15))]
    missed = [row[-1] for row in rows(_doc(7999, 1.51, 0.05, 5 * 1024, 0.151))]
    # burst, latency 500, idle, idle with reader, RSS start (no target), RSS end, growth, start-up
    assert met == ["met", "met", "met", "met", "—", "met", "met", "met"]
    assert missed == ["**missed**", "**missed**", "**missed**", "**missed**", "—", "met", "**missed**",
                      "**missed**"]
    assert "**missed**" in rows(_doc(8000, 1.0, 0.0, 0, 0.1) | {"burst": {
        "focus": {"msgs_per_s": 8000}, "floor": {"msgs_per_s": 10000}, "pyTwitchAPI": {"msgs_per_s": 3000}}})[0]


def test_report_holds_screen_mode_against_issue_19s_targets() -> None:
    def doc(p99: float, idle: float) -> dict:
        lat = {"n": 100, "lost": 0, "p50_ms": 1.0, "max_ms": 60.0}
        both = ("focus (screen)", "focus (input line)")
        return {"config": {}, "screen": {
            "burst": {"focus (screen)": {"msgs_per_s": 5000}, "focus (input line)": {"msgs_per_s": 10000}},
            "latency": {k: {"500": {**lat, "p99_ms": p99}} for k in both},
            "keystroke": {k: {**lat, "p99_ms": p99} for k in both},
            "idle": {"focus (screen)": {"percent_of_core": idle, "seconds": 120},
                     "focus (input line)": {"percent_of_core": 0.01, "seconds": 120}},
            "long": {k: {"messages": 1000, "rss_start_kib": 1024, "rss_end_kib": 2048} for k in both}}}

    def screen_rows(r: dict) -> list[tuple[str, str, str]]:
        return [(row[1], row[4], row[-1]) for row in rows(r) if row[0].startswith("screen mode")]

    assert screen_rows(doc(49.9, 0.02)) == [
        ("5,000 (line mode 10,000)", "0.50 × line mode", "—"),
        ("1.00 / 49.90 / 60.00 (line mode 1.00 / 49.90 / 60.00)", "—", "met"),
        ("1.00 / 49.90 / 60.00 (line mode 1.00 / 49.90 / 60.00)", "—", "met"),
        ("0.0200 (line mode 0.0100)", "2.00 × line mode", "met"),
        ("1.0 → 2.0 (line mode 1.0 → 2.0)", "—", "—")]
    assert [v for _, _, v in screen_rows(doc(50.0, 0.021))] == ["—", "**missed**", "**missed**", "**missed**", "—"]


def test_report_holds_devlog_s_rate_against_a_raid() -> None:
    doc = {"config": {}, "devlog": {"pretty": {"records_per_s": 999}, "raw": {"records_per_s": 20000}}}
    assert [(row[0], row[1], row[-1]) for row in rows(doc) if row[0].startswith("devlog.py")] == [
        ("devlog.py pretty, records/s", "999", "**missed**"), ("devlog.py raw (--raw), records/s", "20,000", "met")]


def test_report_renders_a_partial_run() -> None:
    text = table({"config": {"messages": 10, "rates": [50]}, "burst": {"focus": {"msgs_per_s": 5.0}}})
    assert "| burst of 10 chat messages (msg/s) | 5 | — | — |" in text


def test_ws_frame_length_encodings() -> None:
    # RFC 6455 §5.2: 7-bit length up to 125, then 126 + 16 bits, then 127 + 64 bits; FIN + text = 0x81.
    assert ws_frame(b"a" * 125)[:2] == b"\x81\x7d"
    assert ws_frame(b"a" * 126)[:4] == b"\x81\x7e" + struct.pack("!H", 126)
    assert ws_frame(b"a" * 70000)[:10] == b"\x81\x7f" + struct.pack("!Q", 70000)
    assert ws_frame(b"abc")[2:] == b"abc"


def test_profile_analysis_shares() -> None:
    collapsed = "\n".join([
        "thread (1): MainThread;run (app.py:10);parse (messages.py:5) 6",
        "thread (1): MainThread;run (app.py:11);render (render.py:7) 2",
        "thread (2): eventsub-ws-1;_run (ws.py:90);recv (ws.py:99) 2",
    ])
    p = analyse(collapsed)
    assert p["samples"] == 10
    assert p["threads"] == [("MainThread", 80.0), ("eventsub-ws-N", 20.0)]
    assert p["self"][0] == ("parse (messages.py)", 60.0)
    assert ("run (app.py)", 80.0) in p["inclusive"]


def test_latency_percentiles_are_nearest_rank_and_count_lost_messages() -> None:
    seconds = [k / 1000 for k in range(100, 0, -1)]  # 1..100 ms, unsorted
    assert _percentiles(seconds, 103) == {"n": 100, "lost": 3, "p50_ms": 50.0, "p99_ms": 99.0, "max_ms": 100.0}


def test_threads_splits_a_bursts_cpu_by_thread() -> None:
    """`python -m bench.threads`: one line a run, the main thread and the websocket thread among the busy ones."""
    proc = subprocess.run([sys.executable, "-m", "bench.threads", "--messages", "300", "--runs", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=t(90))
    assert proc.returncode == 0, proc.stderr[-3000:]
    (line,) = proc.stdout.splitlines()
    assert " msg/s  all threads " in line and " us a message:  main " in line and "  thread " in line


def test_a_clients_output_in_the_benchs_error_lines_cannot_drive_the_terminal() -> None:
    """stdout and stderr alike (the stderr was shown raw): escapes, bidi overrides and bad UTF-8 written out."""
    raw = "Traceback\n\x1b]52;c;cHduZWQ=\x07\x1b[2J boom \u202egnp.exe\r".encode() + b"\xff"
    assert visible(raw) == "Traceback\n\\x1b]52;c;cHduZWQ=\\x07\\x1b[2J boom \\x202egnp.exe\\x0d\ufffd"


def test_issue_23s_table_holds_focus_against_the_floor_and_both_peers() -> None:
    def doc(burst: float, p99: float, idle: float) -> dict:
        lat = {"n": 100, "lost": 0, "p50_ms": 0.1, "max_ms": 9.0, "cpu_percent": 5.0}
        clients = ("focus", "floor", "pyTwitchAPI", "twurple")
        return {"config": {"messages": 20000, "rates": [500], "idle_seconds": 120},
                "burst": dict(zip(clients, ({"msgs_per_s": v} for v in (burst, 10000, 3000, 14000)))),
                "latency": dict(zip(clients, ({"500": {**lat, "p99_ms": v}} for v in (p99, 1.0, 1.3, 1.25)))),
                "idle": dict(zip(clients, ({"percent_of_core": v} for v in (idle, 0.01, 0.2, 0.1))))}

    met = floor_rows(doc(14000, 1.2, 0.02))
    assert [row[0] for row in met] == ["burst of 20,000, msg/s", "latency at 500 msg/s, p50 / p99 ms",
                                       "CPU at 500 msg/s, % of a core", "idle CPU over 120 s, % of a core"]
    assert met[0][1:6] == ["14,000", "10,000", "3,000", "14,000", "1.40 × floor"]
    assert met[1][1:5] == ["0.100 / 1.200", "0.100 / 1.000", "0.100 / 1.300", "0.100 / 1.250"]
    assert [row[-1] for row in met] == ["met", "met", "—", "met"]
    missed = floor_rows(doc(13999, 1.21, 0.021))
    assert [row[-1] for row in missed] == ["**missed**", "**missed**", "—", "**missed**"]
    # within 1.2x of the floor, but not below a peer's p99: missed
    assert floor_rows(doc(14000, 1.0, 0.02) | {"latency": {
        "focus": {"500": {"p50_ms": 0.1, "p99_ms": 1.1}}, "floor": {"500": {"p50_ms": 0.1, "p99_ms": 1.0}},
        "twurple": {"500": {"p50_ms": 0.1, "p99_ms": 1.05}}}})[1][-1] == "**missed**"
    assert "| figure (issue 23) | focus | floor | pyTwitchAPI | twurple |" in table(doc(14000, 1.2, 0.02))


def test_a_processs_cpu_time_never_goes_down_when_one_of_its_threads_ends() -> None:
    """The idle phase measured a negative CPU time once: focus's HTTP deadline thread ended inside the window and
    its run time left the sum over the live threads."""
    import os
    import threading
    import time

    from bench import procstat

    busy = threading.Event()

    def spin() -> None:
        start = time.thread_time()
        while time.thread_time() - start < 0.3:
            if time.thread_time() - start > 0.1:
                busy.set()  # 0.1 s of run time of its own by now

    thread = threading.Thread(target=spin)
    thread.start()
    assert busy.wait(t(10))
    during = procstat.cpu_seconds(os.getpid())
    tid = thread.native_id
    thread.join(t(10))
    deadline = time.monotonic() + t(10)
    while os.path.exists(f"/proc/self/task/{tid}") and time.monotonic() < deadline:
        time.sleep(0.01)  # join returns a moment before the kernel lets go of the thread
    assert not os.path.exists(f"/proc/self/task/{tid}")
    assert procstat.cpu_seconds(os.getpid()) >= during
