"""focus with its input line under trouble, in a real pseudo-terminal (tests/ptyterm.py).

A slow Helix, AutoMod's held text, a terminal nobody reads, a resize, Ctrl-Z and `fg`, a crash inside
the input line: chat keeps being shown, nothing held reaches the screen, memory stays bounded.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Iterator

import pytest

from conftest import N_SUBS, t
from focuslib.sim import payloads as P
from ptyterm import PtyFocus
from test_inputline import ENTER, OTTER, prompt_row

KETTLE_LOGIN = "loud_kettle"


class DevlogReader:
    """Reads focus's devlog FIFO as `devlog.py --raw` would, keeping every byte."""

    def __init__(self, pipe: Path) -> None:
        self.pipe = pipe
        self.data = bytearray()
        self._cond = threading.Condition()
        self._fd: int | None = None
        self.thread = threading.Thread(target=self._read, name="test-devlog-reader", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        self._fd = os.open(self.pipe, os.O_RDONLY)  # waits for focus's writer
        while True:
            try:
                chunk = os.read(self._fd, 65536)
            except OSError:
                chunk = b""
            with self._cond:
                if not chunk:
                    self._cond.notify_all()
                    return
                self.data += chunk
                self._cond.notify_all()

    def wait_for(self, needle: bytes, timeout: float = 15.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: needle in self.data, t(timeout)):
                raise AssertionError(f"{needle!r} never reached the devlog")

    def close(self) -> None:
        self.thread.join(t(5))
        if self._fd is not None:
            os.close(self._fd)


@pytest.fixture
def pty_focus(env: dict[str, str], sim) -> Iterator:
    started: list[PtyFocus] = []

    def start(*args: str, extra: dict[str, str] | None = None, **kw) -> PtyFocus:
        focus = PtyFocus({**env, **(extra or {})}, ["--no-timestamps", *args], **kw)
        started.append(focus)
        focus.wait_text("subscribed", 20)
        sim.wait_subscribed(N_SUBS)
        return focus

    yield start
    for focus in started:
        focus.close()


def test_an_automod_held_text_reaches_the_devlog_and_never_the_terminal(pty_focus, sim, tmp_path) -> None:
    from focuslib.sim import payloads_moderation as M

    pipe = tmp_path / "devlog.fifo"
    os.mkfifo(pipe, 0o600)
    reader = DevlogReader(pipe)
    focus = pty_focus(extra={"FOCUS_DEVLOG_PIPE": str(pipe)})
    sim.notify("automod.message.hold", M.automod_hold(OTTER, "you absolute walnut", "held-w"))
    focus.wait_text("held by AutoMod: Pixel_Otter (#1): /allow 1 or /deny 1")
    reader.wait_for(b"you absolute walnut")  # the text, for the streamer's private devlog
    sim.notify("channel.chat.message", P.chat_message(OTTER, "after the hold"))
    focus.wait_text("Pixel_Otter: after the hold")
    assert b"walnut" not in bytes(focus.raw)  # not on screen, not in any byte focus wrote to the terminal
    focus.close()
    reader.close()


def test_a_slow_helix_never_stalls_chat_or_the_input_line(pty_focus, sim) -> None:
    focus = pty_focus()
    # Helix answers one byte every 0.3 s: a chat POST, then a ban, each take minutes to answer.
    sim.trickle, sim.trickle_prefix = 0.3, "/chat/messages"
    focus.send("hello through a slow Twitch" + ENTER)
    sim.wait_for(lambda: sim.requests_to("POST", "/helix/chat/messages"))
    for k in range(20):
        sim.notify("channel.chat.message", P.chat_message(OTTER, f"still flowing {k}"))
    focus.wait_text("Pixel_Otter: still flowing 19")
    sim.trickle_prefix = "/moderation/bans"
    focus.send(f"/ban {KETTLE_LOGIN} spam" + ENTER)
    sim.wait_for(lambda: sim.requests_to("POST", "/helix/moderation/bans"))
    for k in range(20):
        sim.notify("channel.chat.message", P.chat_message(OTTER, f"during the ban {k}"))
    focus.wait_text("Pixel_Otter: during the ban 19")
    focus.send("typing works")
    focus.wait_for(lambda: prompt_row(focus) == "› typing works", what="the input line answering keys")
    assert "· banned Loud_Kettle" not in focus.text()  # its one-line result waits for Twitch's answer
    sim.trickle = 0.0  # Twitch recovers: both answers arrive
    focus.wait_text("· banned Loud_Kettle")
    assert len(sim.requests_to("POST", "/helix/chat/messages")) == 1


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_a_terminal_nobody_reads_costs_bounded_memory_and_never_stalls_chat(pty_focus, sim, tmp_path) -> None:
    import json

    pipe = tmp_path / "devlog.fifo"
    os.mkfifo(pipe, 0o600)
    reader = DevlogReader(pipe)
    focus = pty_focus(extra={"FOCUS_DEVLOG_PIPE": str(pipe)})
    focus.send("a draft")
    focus.wait_for(lambda: prompt_row(focus) == "› a draft", what="the draft")
    session = sim.live_sessions()[0]
    focus.reading.clear()  # from now on nobody reads the terminal: focus's writes to it block

    def flood(tag: str) -> int:
        """~13 MB of chat lines (far more than the pty's buffer and the bounded queue); focus's RSS after."""
        frames, _ = sim.burst_frames(30_000, session, text=f"{tag} " + "p" * 400)
        sim.send_frames(frames, session)
        sim.notify("channel.chat.message", P.chat_message(OTTER, f"sentinel after the {tag}"))
        reader.wait_for(f"sentinel after the {tag}".encode(), 120)  # the main thread handled it: no stall
        return rss_kib(focus.proc.pid)

    first = flood("first flood")  # the burst's own high-water marks (inbox, devlog, history) are set here
    second = flood("second flood")  # the same again: an unbounded queue to the terminal would grow by ~13 MB
    assert second - first < 4 * 1024, f"RSS grew {second - first} KiB in a flood the terminal did not read"
    reader.wait_for(b'"terminal_dropped"', 30)
    focus.reading.set()  # the terminal takes output again
    focus.wait_text("sentinel after the second flood", 60)
    focus.wait_for(lambda: any("lines skipped: the terminal did not take them in time" in row
                               for row in focus.scrollback()), what="the one quiet line")
    focus.wait_for(lambda: prompt_row(focus) == "› a draft", what="the input line back, draft intact")
    records = [json.loads(line) for line in bytes(reader.data).split(b"\n") if b"terminal_dropped" in line]
    assert sum(r["lines"] for r in records) > 1000
    assert focus.proc.poll() is None
    focus.close()
    reader.close()
