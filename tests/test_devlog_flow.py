"""Chat never waits for the devlog: focus with no reader, a stalled reader, a reader that leaves."""

from __future__ import annotations

import json
import os
import threading

from focuslib.sim import payloads

from conftest import N_SUBS, t



def _burst(sim, session, n: int, tag: str, pad: int = 0) -> None:
    frames, _ = sim.burst_frames(n, session, text=f"{tag} burst message" + " lorem" * pad)
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
        _burst(sim, session, 6000, "stalled", pad=250)  # ~16 MB of frames: more than the buffer and the pipe
        _wait_all(focus, "stalled", 6000)
        sim.notify("channel.chat.message", payloads.chat_message(("9", "ann", "Ann"), "after the stall"))
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


def test_a_reader_that_keeps_up_gets_every_frame_of_a_10000_message_burst(sim, start_focus):
    focus = start_focus(devlog=True)
    session = sim.wait_subscribed(N_SUBS)
    fd = os.open(focus.settings.devlog_pipe, os.O_RDONLY)
    got: list[int] = []
    done = threading.Event()

    def read() -> None:  # a reader as fast as `devlog.py --raw > file`: it reads whatever is there
        buf = b""
        while not done.is_set():
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return
            buf += chunk
            *lines, buf = buf.split(b"\n")
            got.extend(1 for line in lines if b"whole burst message" in line)
            if b"after the burst" in chunk:
                done.set()

    reader = threading.Thread(target=read, name="test-devlog-reader")
    reader.start()
    try:
        _burst(sim, session, 10_000, "whole")
        _wait_all(focus, "whole", 10_000)
        sim.notify("channel.chat.message", payloads.chat_message(("9", "ann", "Ann"), "after the burst"))
        assert done.wait(t(30)), f"the reader got {len(got)} of 10000"
    finally:
        reader.join(t(10))
        os.close(fd)
    assert len(got) == 10_000 and focus.app.devlog.queue_dropped == 0
    focus.stop()
