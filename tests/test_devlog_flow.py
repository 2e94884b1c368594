"""Chat never waits for the devlog: focus with no reader, a stalled reader, a reader that leaves."""

from __future__ import annotations

import json
import os

from focuslib.sim import payloads as P

from conftest import N_SUBS



def _burst(sim, session, n: int, tag: str) -> None:
    frames, _ = sim.burst_frames(n, session, text=f"{tag} burst message")
    sim.send_frames(frames, session)


def _wait_all(focus, tag: str, n: int) -> None:
    focus.out.wait_for(lambda text: text.count(f"{tag} burst message") >= n, timeout=30)


def test_chat_flows_with_no_devlog_reader(sim, start_focus):
    focus = start_focus(devlog=True)
    session = sim.wait_subscribed(N_SUBS)
    _burst(sim, session, 3000, "noreader")
    _wait_all(focus, "noreader", 3000)
    assert focus.app.devlog.queue_dropped > 0  # it had to drop, and counted it
    focus.stop()


def test_chat_flows_with_a_stalled_reader_and_the_reader_gets_whole_lines_and_the_count(sim, start_focus):
    focus = start_focus(devlog=True)
    session = sim.wait_subscribed(N_SUBS)
    pipe = focus.settings.devlog_pipe
    fd = os.open(pipe, os.O_RDONLY)  # a devlog that never reads (yet)
    try:
        _burst(sim, session, 3000, "stalled")
        _wait_all(focus, "stalled", 3000)
        sim.notify("channel.chat.message", P.chat_message(("9", "ann", "Ann"), "after the stall"))
        focus.out.wait_text("after the stall")
        buf = b""
        while b"after the stall" not in buf:
            chunk = os.read(fd, 1 << 16)
            assert chunk, "focus closed the pipe"
            buf += chunk
    finally:
        os.close(fd)
    records = [json.loads(line) for line in buf.split(b"\n")[:-1]]  # all whole JSON
    dropped = [r for r in records if r["kind"] == "devlog" and r["event"] == "dropped"]
    assert dropped and all(r["count"] > 0 for r in dropped)
    focus.stop()


def test_a_devlog_that_goes_away_mid_stream_does_not_stop_chat(sim, start_focus):
    focus = start_focus(devlog=True)
    session = sim.wait_subscribed(N_SUBS)
    fd = os.open(focus.settings.devlog_pipe, os.O_RDONLY)
    os.read(fd, 100)  # reads the start of a line, then leaves
    os.close(fd)
    _burst(sim, session, 1000, "gone")
    _wait_all(focus, "gone", 1000)
    focus.stop()
