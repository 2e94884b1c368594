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
